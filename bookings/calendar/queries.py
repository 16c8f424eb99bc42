"""Read-only questions the calendar feeds ask: what is in a feed, and when it last changed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import contains_eager, joinedload

from ..enums import BookingStatus, SessionStatus
from ..extensions import db
from ..models import Booking, Course, Session, User, utcnow


def latest(*stamps: datetime | None) -> datetime | None:
    known = [s for s in stamps if s is not None]
    return max(known) if known else None


def _upcoming_filter(course: Course | None) -> list:
    conditions = [
        Session.status == SessionStatus.SCHEDULED,
        Session.starts_at > utcnow(),
        Course.published.is_(True),
    ]
    if course is not None:
        conditions.append(Session.course_id == course.id)
    return conditions


def upcoming_sessions(course: Course | None = None) -> list[Session]:
    """Scheduled sessions of published courses that have not started, with their course."""
    query = (
        select(Session)
        .join(Session.course)
        .options(contains_eager(Session.course))
        .where(*_upcoming_filter(course))
        .order_by(Session.starts_at, Session.id)
    )
    return list(db.session.scalars(query))


def sessions_changed_at(course: Course | None = None) -> datetime | None:
    """When the feed last changed: the latest edit of any session or course in it,
    cancelled or unpublished ones included (they left the feed then), or the latest
    start that has passed (the session left the feed at that moment)."""
    now = utcnow()
    query = select(
        func.max(Session.updated_at),
        func.max(Course.updated_at),
        func.max(case((Session.starts_at <= now, Session.starts_at))),
    ).join(Session.course)
    if course is not None:
        query = query.where(Session.course_id == course.id)
    return latest(*db.session.execute(query).one())


def feed_content_stamp(course: Course | None) -> tuple:
    """One cheap aggregate that changes whenever the feed's sessions would: which
    sessions are in it, any edit to them or their course (updated_at), places taken."""
    return tuple(
        db.session.execute(
            select(
                func.count(Session.id),
                func.coalesce(func.sum(Session.id), 0),
                func.max(Session.updated_at),
                func.max(Course.updated_at),
                func.coalesce(func.sum(Session.seats_taken), 0),
                func.coalesce(func.sum(Session.revision), 0),
            )
            .join(Session.course)
            .where(*_upcoming_filter(course))
        ).one()
    )


def feed_bookings(user: User) -> list[Booking]:
    """A learner's active bookings of scheduled sessions, with session and course, by start."""
    return list(
        db.session.scalars(
            select(Booking)
            .join(Booking.session)
            .options(
                contains_eager(Booking.session).joinedload(Session.course),
            )
            .where(
                Booking.learner_id == user.id,
                Booking.status != BookingStatus.CANCELLED,
                Session.status == SessionStatus.SCHEDULED,
            )
            .order_by(Session.starts_at, Booking.id)
        )
    )


def bookings_changed_at(user: User) -> datetime | None:
    """The latest change to any of the learner's bookings or their sessions; cancelled
    bookings count too: they left the feed when they changed."""
    row = db.session.execute(
        select(func.max(Booking.updated_at), func.max(Session.updated_at))
        .join(Booking.session)
        .where(Booking.learner_id == user.id)
    ).one()
    return latest(*row)


def booking_with_session(reference: str) -> Booking | None:
    """The booking with this reference, its session, course and learner loaded."""
    return db.session.scalar(
        select(Booking)
        .where(Booking.reference == reference.upper())
        .options(
            joinedload(Booking.session).joinedload(Session.course),
            joinedload(Booking.learner),
        )
    )
