"""Emails from the public site: enquiries and new-date alerts."""

from __future__ import annotations

from email.utils import formataddr

from flask import current_app

from ...calendar import ics
from ...models import (
    Course,
    CourseInterest,
    Enquiry,
    Session,
)
from .base import Email, _render


def enquiry_received(enquiry: Enquiry) -> Email:
    """An enquiry from the contact form, to the organisation; replies go to the sender."""
    text, html = _render(
        "enquiry_received",
        enquiry=enquiry,
        inbox_url=ics.site_url(f"/staff/enquiries/{enquiry.id}"),
    )
    return Email(
        kind="enquiry",
        recipient=current_app.config["ORG_EMAIL"],
        subject=f"Enquiry: {enquiry.subject}",
        body_text=text,
        body_html=html,
        reply_to=formataddr((enquiry.name, enquiry.email)),
    )


def enquiry_acknowledged(enquiry: Enquiry) -> Email:
    """To the sender: we have your message.

    It repeats nothing the sender typed, not even their name: anyone can give
    someone else's address, and this must not carry their words to that inbox.
    """
    text, html = _render("enquiry_acknowledged")
    return Email(
        kind="enquiry_acknowledgement",
        recipient=enquiry.email,
        subject=f"We have your message: {current_app.config['ORG_NAME']}",
        body_text=text,
        body_html=html,
    )


def interest_confirmation(interest: CourseInterest, course: Course) -> Email:
    """Double opt-in: the link that confirms a visitor wants to hear about new dates."""
    text, html = _render(
        "interest_confirm",
        course=course,
        confirm_url=ics.site_url(f"/interest/confirm/{interest.token}"),
        course_url=ics.site_url(f"/courses/{course.slug}"),
    )
    return Email(
        kind="interest_confirm",
        recipient=interest.email,
        subject=f"Please confirm: new dates for {course.title}",
        body_text=text,
        body_html=html,
    )


def new_dates(email: str, news: list[tuple[CourseInterest, list[Session]]]) -> Email:
    """New dates of the courses one person follows, each with a one-click unsubscribe."""
    courses = [
        {
            "course": interest.course,
            "course_url": ics.site_url(f"/courses/{interest.course.slug}"),
            "unsubscribe_url": ics.site_url(f"/interest/unsubscribe/{interest.token}"),
            "sessions": [
                {"session": s, "book_url": ics.site_url(f"/sessions/{s.id}/book")} for s in sessions
            ],
        }
        for interest, sessions in news
    ]
    tokens = ".".join(interest.token for interest, _ in news)
    unsubscribe_all = ics.site_url(f"/interest/unsubscribe/{tokens}")
    text, html = _render("new_dates", courses=courses, unsubscribe_all=unsubscribe_all)
    if len(courses) == 1:
        subject = f"New dates: {courses[0]['course'].title}"
    else:
        subject = f"New dates for {len(courses)} courses you asked about"
    return Email(
        kind="new_dates",
        recipient=email,
        subject=subject,
        body_text=text,
        body_html=html,
        user_id=next((i.user_id for i, _ in news if i.user_id), None),
        unsubscribe_url=unsubscribe_all,
    )
