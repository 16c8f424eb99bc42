"""One-line makers of users, courses, sessions and bookings with sensible defaults."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from bookings.extensions import db
from bookings.models import Booking, Course, Session, User

_seq = itertools.count(1)
PASSWORD = "correct horse battery"


def make_user(
    role="learner",
    *,
    email=None,
    name=None,
    sector="voluntary",
    organisation="Carers Trust",
    password=PASSWORD,
    commit=True,
) -> User:
    n = next(_seq)
    user = User(
        email=email or f"user{n}@example.org",
        name=name or f"Person {n}",
        role=role,
        sector=sector,
        organisation=organisation,
    )
    user.set_password(password)
    db.session.add(user)
    if commit:
        db.session.commit()
    return user


def make_learners(
    count: int, *, sector="voluntary", prefix="learner", password_hash=None
) -> list[User]:
    """count learners sharing one password hash: hashing each would dominate a test.

    Their emails are <prefix><n>@example.org and their names "<Prefix> <n>".
    """
    password_hash = password_hash or make_user().password_hash
    learners = [
        User(
            email=f"{prefix}{n}@example.org",
            name=f"{prefix.capitalize()} {n}",
            sector=sector,
            password_hash=password_hash,
        )
        for n in range(count)
    ]
    db.session.add_all(learners)
    db.session.commit()
    return learners


def make_course(
    *,
    slug=None,
    title=None,
    price_voluntary_pence=2500,
    price_private_pence=4500,
    category="Wellbeing",
    published=True,
    commit=True,
    **fields,
) -> Course:
    n = next(_seq)
    course = Course(
        slug=slug or f"course-{n}",
        title=title or f"Course {n}",
        summary=fields.pop("summary", f"Summary of course {n}"),
        category=category,
        price_voluntary_pence=price_voluntary_pence,
        price_private_pence=price_private_pence,
        published=published,
        **fields,
    )
    db.session.add(course)
    if commit:
        db.session.commit()
    return course


def make_session(
    course=None,
    *,
    starts_at=None,
    starts_in=timedelta(days=14),
    hours=3,
    capacity=10,
    trainer=None,
    venue_name="Community Hub",
    commit=True,
    **fields,
) -> Session:
    course = course or make_course()
    starts_at = starts_at or (datetime.now(UTC) + starts_in).replace(
        minute=0, second=0, microsecond=0
    )
    session = Session(
        course=course,
        starts_at=starts_at,
        ends_at=fields.pop("ends_at", starts_at + timedelta(hours=hours)),
        capacity=capacity,
        trainer=trainer,
        venue_name=venue_name,
        venue_address=fields.pop("venue_address", "1 High Street, Chatham ME4 4AA"),
        **fields,
    )
    db.session.add(session)
    if commit:
        db.session.commit()
    return session


def make_booking(session, learner=None, *, status="confirmed", commit=True, **fields) -> Booking:
    """A booking written directly, keeping the session's counters true."""
    learner = learner or make_user()
    position = None
    if status == "confirmed":
        session.seats_taken += 1
    elif status == "waitlisted":
        session.waitlist_last += 1
        position = session.waitlist_last
    booking = Booking(
        reference=Booking.new_reference("MVN"),
        session=session,
        learner=learner,
        status=status,
        waiting_position=position,
        sector=learner.sector or "voluntary",
        organisation=learner.organisation,
        price_pence=session.course.price_for(learner.sector),
        consent=True,
        confirmed_at=datetime.now(UTC) if status == "confirmed" else None,
        **fields,
    )
    db.session.add(booking)
    if commit:
        db.session.commit()
    return booking
