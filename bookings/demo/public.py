"""The public site's demo: a course with no dates to come (so its page offers to tell
people about new ones), people waiting to hear, and enquiries in the staff inbox."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from ..enums import EnquiryStatus
from ..extensions import db
from ..models import Course, CourseInterest, Enquiry, utcnow
from .data import DEMO_LEARNER, SAM, DemoCourse, DemoSession

WAITING_COURSE = DemoCourse(
    slug="autism-awareness",
    title="Autism Awareness",
    category="Health and wellbeing",
    summary="Understand autism and make your group a better place for autistic people.",
    description=(
        "What autism is, how autistic people experience the world, and simple changes "
        "that make activities, events and volunteering work for everyone.\n\n"
        "New dates are being planned: ask us to tell you when they are published."
    ),
    outcomes=(
        "Describe autism using the words autistic people prefer\n"
        "Spot sensory and communication barriers in your group\n"
        "Make reasonable adjustments"
    ),
    audience="Staff and volunteers in any community group.",
    duration="Half day (3 hours)",
    price_voluntary_pence=0,
    price_private_pence=5500,
    sessions=[DemoSession(-21, time(10), 3, "rochester", 16, SAM)],
)

# Addresses waiting to hear about new dates of the course above; the demo learner too.
WAITING = ("jo.patel@example.org", "maria.silva@example.org", DEMO_LEARNER)

ENQUIRIES = [
    # name, email, subject, message, status, spam reason
    (
        "Priya Shah",
        "priya.shah@example.org",
        "Large print handouts",
        "I have a visual impairment. Could I have the course handouts in large print?",
        EnquiryStatus.NEW,
        "",
    ),
    (
        "Dan Cole",
        "dan.cole@example.org",
        "Invoice to our treasurer",
        "Please send the invoice for our two places to treasurer@example.org. Thanks!",
        EnquiryStatus.ANSWERED,
        "",
    ),
    (
        "Best Offers",
        "offers@spam.example",
        "Grow your charity fast",
        "Visit https://spam.example now for cheap followers.",
        EnquiryStatus.SPAM,
        "Filled in the hidden field that people never see.",
    ),
]


def load_public_demo(echo) -> None:
    """The waiting list and enquiries, each added once however often the demo runs."""
    course = db.session.scalar(select(Course).where(Course.slug == WAITING_COURSE.slug))
    waiting = set(
        db.session.scalars(
            select(CourseInterest.email).where(CourseInterest.course_id == course.id)
        )
    )
    now = utcnow()
    for email in WAITING:
        if email not in waiting:
            db.session.add(CourseInterest(course=course, email=email, confirmed_at=now))
    subjects = set(db.session.scalars(select(Enquiry.subject)))
    for days, (name, email, subject, message, status, reason) in enumerate(ENQUIRIES, 1):
        if subject not in subjects:
            db.session.add(
                Enquiry(
                    name=name,
                    email=email,
                    subject=subject,
                    message=message,
                    status=status,
                    spam_reason=reason,
                    created_at=now - timedelta(days=days),
                )
            )
    db.session.flush()
    echo(f"Demo enquiries: {len(ENQUIRIES)}; waiting for new dates: {len(WAITING)}.")
