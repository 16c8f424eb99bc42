"""Generated data for bench/scale.py: courses, sessions, learners, bookings, outbox mail.

`build(sizes)` adds, inside an app context, on top of whatever is there (the demo
data, say):
- `sizes.courses` published courses (`scale-course-NNNNN`, "Scale course N"), priced
  like bench/catalogue.py's generated catalogue;
- `sizes.sessions` sessions spread over five years (four back, one ahead), every one
  taught by one trainer, capacity 12 to 20 (`min_capacity` to 8 more), one in 31
  cancelled, one in 4 online;
- `sizes.learners` learners ("User N", userN@scale.example.org);
- `sizes.bookings` bookings, unevenly spread over the sessions: per session, one in
  ten cancelled, the rest confirmed up to capacity and then waiting at positions
  1, 2, 3...; past places have an attendance outcome; each learner gets the same
  number of bookings, so a learner's pages measure the same work at every size;
- an invoice (one line) for every confirmed priced booking, numbered per year as
  payments.numbering does, with the number_sequences rows to match;
- `sizes.outbox` outbox messages, mostly sent, tied to bookings.

Rows go in with Core insert() executemany in chunks (scale_rows.insert_rows, which
also makes the invoices and the outbox mail), through the ordinary tables, so
database triggers (full-text search indexes, say) fire as for any insert.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import scale_rows
from scale_rows import MAIL_DOMAIN, insert_rows
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from bookings.enums import (
    AttendanceOutcome,
    BookingStatus,
    Payer,
    Role,
    Sector,
    SessionStatus,
)
from bookings.extensions import db
from bookings.models import (
    Booking,
    Course,
    Session,
    User,
)

TRAINER_EMAIL = "sam.okafor@example.org"  # made by the demo data
LEARNER_DOMAIN = MAIL_DOMAIN
COURSE_SLUG = "scale-course-{:05d}"
CATEGORIES = ["Safeguarding", "First aid", "Governance", "Funding", "Health and wellbeing"]
VENUE = ("Chatham Community Hub", "12 High Street, Chatham ME4 4DS")
PAST_DAYS = 4 * 365
SPAN_DAYS = 5 * 365


@dataclass(frozen=True)
class Sizes:
    courses: int
    sessions: int
    learners: int
    bookings: int
    outbox: int
    min_capacity: int = 12  # capacities run from this to 8 more

    def as_dict(self) -> dict:
        return dict(self.__dict__)


SIZES = {
    "1x": Sizes(courses=200, sessions=1_000, learners=2_000, bookings=10_000, outbox=10_000),
    "10x": Sizes(courses=2_000, sessions=10_000, learners=20_000, bookings=100_000, outbox=100_000),
}


def _courses(n: int, now: datetime) -> list[dict]:
    rows = [
        {
            "slug": COURSE_SLUG.format(c),
            "title": f"Scale course {c}",
            "summary": f"A generated course for the scale benchmark, number {c}.",
            "description": "Some **Markdown** text.\n\n- one\n- two",
            "outcomes": "Know the basics\nPractise them",
            "audience": "Volunteers and staff",
            "category": CATEGORIES[c % len(CATEGORIES)],
            "duration": "3 hours",
            "price_voluntary_pence": (c % 4) * 1000,
            "price_private_pence": 4500 + c % 5 * 500,
            "published": True,
            "created_at": now,
            "updated_at": now,
        }
        for c in range(n)
    ]
    insert_rows(Course.__table__, rows, numbered=True)
    return rows


def _learners(n: int, now: datetime) -> list[dict]:
    password = generate_password_hash("scale-benchmark", method="scrypt")
    rows = [
        {
            "email": f"user{u}@{LEARNER_DOMAIN}",
            "name": f"User {u}",
            "password_hash": password,
            "organisation": f"Organisation {u % 97}" if u % 3 else "",
            "sector": Sector.PRIVATE.value if u % 3 == 1 else Sector.VOLUNTARY.value,
            "role": Role.LEARNER.value,
            "active": True,
            "calendar_token": secrets.token_urlsafe(24),
            "staff_calendar_token": secrets.token_urlsafe(24),
            "created_at": now,
            "invoice_email": "",
            "invoice_organisation": "",
            "invoice_address": "",
        }
        for u in range(n)
    ]
    insert_rows(User.__table__, rows, numbered=True)
    return rows


def _session_rows(sizes: Sizes, course_ids: list[int], trainer_id: int, now: datetime):
    today = now.date()
    rows = []
    for i in range(sizes.sessions):
        course = i % len(course_ids)
        turn = i // len(course_ids)  # the course's nth session: a distinct day
        per_course = -(-sizes.sessions // len(course_ids))
        day = (turn * SPAN_DAYS // per_course + course * 7) % SPAN_DAYS
        starts_at = datetime.combine(today + timedelta(days=day - PAST_DAYS), time(9, 30), UTC)
        online = i % 4 == 3
        cancelled = i % 31 == 30
        rows.append(
            {
                "course_id": course_ids[course],
                "starts_at": starts_at,
                "ends_at": starts_at + timedelta(hours=3),
                "venue_name": "" if online else VENUE[0],
                "venue_address": "" if online else VENUE[1],
                "online_url": f"https://meet.example.org/scale-{i}" if online else "",
                "capacity": sizes.min_capacity + i % 9,
                "seats_taken": 0,
                "waitlist_last": 0,
                "trainer_id": trainer_id,
                "status": (SessionStatus.CANCELLED if cancelled else SessionStatus.SCHEDULED).value,
                "revision": 0,
                "notes": "",
                "created_at": min(now, starts_at - timedelta(days=90)),
                "updated_at": now,
                "trainer_changes": 0,
                "cancelled_at": starts_at - timedelta(days=10) if cancelled else None,
            }
        )
    return rows


def bookings_per_session(bookings: int, sessions: int) -> list[int]:
    """An uneven spread adding up to bookings: pairs of sessions trade none, half or all
    of a share, so some sessions are full with a waiting list and some are empty."""
    counts = [bookings * (i + 1) // sessions - bookings * i // sessions for i in range(sessions)]
    for i in range(0, sessions - 1, 2):
        shift = counts[i] * ((i // 2) % 3) // 2
        counts[i] -= shift
        counts[i + 1] += shift
    return counts


def _booking_rows(sizes, sessions, session_ids, course_rows, learners, prefix, now):
    """The bookings, with each session's seats_taken and waitlist_last updated in place."""
    rows = []
    cursor = 0
    refs: set[str] = set(db.session.scalars(select(Booking.reference)))  # the demo's too
    counts = bookings_per_session(sizes.bookings, sizes.sessions)
    for i, (session, count) in enumerate(zip(sessions, counts, strict=True)):
        if count > len(learners):
            raise ValueError("more bookings on one session than there are learners")
        course = course_rows[session["course_id"]]
        past = session["starts_at"] < now
        confirmed = waiting = 0
        for k in range(count):
            learner = learners[(cursor + k) % len(learners)]
            j = len(rows)
            created = min(now, session["starts_at"] - timedelta(days=5 + j % 50))
            if session["status"] == SessionStatus.CANCELLED or j % 10 == 9:
                status, position = BookingStatus.CANCELLED, None
            elif confirmed < session["capacity"]:
                status, position = BookingStatus.CONFIRMED, None
                confirmed += 1
            else:
                waiting += 1
                status, position = BookingStatus.WAITLISTED, waiting
            outcome = None
            if past and status == BookingStatus.CONFIRMED:
                absent = j % 7 == 0
                outcome = AttendanceOutcome.ABSENT if absent else AttendanceOutcome.ATTENDED
            private = learner["sector"] == Sector.PRIVATE
            price = course["price_private_pence" if private else "price_voluntary_pence"]
            reference = Booking.new_reference(prefix)
            while reference in refs:
                reference = Booking.new_reference(prefix)
            refs.add(reference)
            rows.append(
                {
                    "reference": reference,
                    "session_id": session_ids[i],
                    "learner_id": learner["id"],
                    "status": status.value,
                    "waiting_position": position,
                    "sector": learner["sector"],
                    "organisation": learner["organisation"],
                    "price_pence": price,
                    "access_needs": "Step-free access" if j % 13 == 0 else "",
                    "dietary_needs": "Vegetarian" if j % 11 == 0 else "",
                    "consent": True,
                    "attended": None if outcome is None else outcome == AttendanceOutcome.ATTENDED,
                    "outcome": outcome.value if outcome else None,
                    "booked_by_id": None,
                    "created_at": created,
                    "updated_at": created,
                    "confirmed_at": None if status == BookingStatus.WAITLISTED else created,
                    "cancelled_at": min(now, created + timedelta(days=1))
                    if status == BookingStatus.CANCELLED
                    else None,
                    "payer": (Payer.ORGANISATION if private else Payer.SELF).value
                    if price
                    else None,
                    "invoice_email": "",
                    "invoice_organisation": learner["organisation"] if private and price else "",
                    "invoice_address": "",
                    "po_number": "",
                    "substitutions": 0,
                }
            )
        cursor += count
        session["seats_taken"] = confirmed
        session["waitlist_last"] = waiting
    return rows


def build(sizes: Sizes, trainer_email: str = TRAINER_EMAIL, prefix: str = "MVN") -> dict:
    """Add the generated rows (see the module's docstring) and commit; returns row counts."""
    now = datetime.now(UTC).replace(microsecond=0)
    trainer_id = db.session.scalar(select(User.id).where(func.lower(User.email) == trainer_email))
    if trainer_id is None:
        raise LookupError(f"no trainer {trainer_email}: load the demo data first")
    courses = {row["id"]: row for row in _courses(sizes.courses, now)}
    learners = _learners(sizes.learners, now)
    sessions = _session_rows(sizes, list(courses), trainer_id, now)
    # Bookings first in memory: they decide each session's seats and waiting list.
    placeholder = list(range(len(sessions)))
    bookings = _booking_rows(sizes, sessions, placeholder, courses, learners, prefix, now)
    session_ids = insert_rows(Session.__table__, sessions, numbered=True)
    course_titles = {}
    for booking in bookings:
        index = booking["session_id"]
        booking["session_id"] = session_ids[index]
        course_titles[session_ids[index]] = courses[sessions[index]["course_id"]]["title"]
    booking_ids = insert_rows(Booking.__table__, bookings, numbered=True)
    learners_by_id = {learner["id"]: learner for learner in learners}
    scale_rows.invoices(bookings, booking_ids, learners_by_id, course_titles)
    scale_rows.outbox(sizes.outbox, bookings, booking_ids, learners_by_id)
    db.session.commit()
    return {"trainer_id": trainer_id, **sizes.as_dict()}


def sample_session(future: bool) -> Session:
    """A generated scheduled session, upcoming or past, with a waiting list if one has."""
    now = datetime.now(UTC)
    query = (
        select(Session)
        .join(Course)
        .where(
            Course.slug.like("scale-course-%"),
            Session.status == SessionStatus.SCHEDULED,
            Session.starts_at > now if future else Session.starts_at < now,
        )
        .order_by(
            (Session.waitlist_last > 0).desc(),
            Session.starts_at if future else Session.starts_at.desc(),
        )
    )
    return db.session.scalars(query.limit(1)).first()


def sample_course_slug() -> str:
    return COURSE_SLUG.format(0)
