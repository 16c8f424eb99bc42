"""Read-only questions for trainers: the sessions they deliver, who is coming, who waits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import selectinload

from ..enums import AttendanceOutcome, BookingStatus
from ..extensions import db
from ..models import Booking, Session, User, utcnow

PAST_SESSIONS_SHOWN = 50


@dataclass
class SessionFill:
    """A session with its waiting count, for lists that show how full it is."""

    session: Session
    waiting: int

    @property
    def fill_percent(self) -> int:
        if not self.session.capacity:
            return 100
        return min(round(100 * self.session.seats_taken / self.session.capacity), 100)

    @property
    def fill_class(self) -> str:
        """The stylesheet class that draws the bar (5% steps: pages carry no inline styles)."""
        step = 5 * round(self.fill_percent / 5)
        return f"fill-{step or (5 if self.fill_percent else 0)}"


# Built once, with the ids bound: lists and API pages ask it on every request.
_WAITING_COUNTS = (
    select(Booking.session_id, func.count(Booking.id))
    .where(
        Booking.session_id.in_(bindparam("session_ids", expanding=True)),
        Booking.status == BookingStatus.WAITLISTED,
    )
    .group_by(Booking.session_id)
)


def waiting_counts(session_ids: list[int]) -> dict[int, int]:
    """How many learners wait for each session that has anyone waiting."""
    if not session_ids:
        return {}
    return dict(db.session.execute(_WAITING_COUNTS, {"session_ids": session_ids}).all())


def sessions_for(
    user: User, now: datetime | None = None
) -> tuple[list[SessionFill], list[SessionFill]]:
    """(upcoming, past) sessions the user delivers; staff see every session."""
    now = now or utcnow()
    query = select(Session).options(selectinload(Session.course), selectinload(Session.trainer))
    if not user.is_staff:
        query = query.where(Session.trainer_id == user.id)
    upcoming = db.session.scalars(
        query.where(Session.ends_at >= now).order_by(Session.starts_at)
    ).all()
    past = db.session.scalars(
        query.where(Session.ends_at < now)
        .order_by(Session.starts_at.desc())
        .limit(PAST_SESSIONS_SHOWN)
    ).all()
    counts = waiting_counts([s.id for s in (*upcoming, *past)])
    return (
        [SessionFill(s, counts.get(s.id, 0)) for s in upcoming],
        [SessionFill(s, counts.get(s.id, 0)) for s in past],
    )


def attendees(session: Session) -> list[Booking]:
    """Confirmed bookings, by learner name."""
    return db.session.scalars(
        select(Booking)
        .join(Booking.learner)
        .options(selectinload(Booking.learner))
        .where(Booking.session_id == session.id, Booking.status == BookingStatus.CONFIRMED)
        .order_by(func.lower(User.name), Booking.id)
    ).all()


def waiting_list(session: Session) -> list[Booking]:
    """Waiting bookings, first in line first."""
    return db.session.scalars(
        select(Booking)
        .options(selectinload(Booking.learner))
        .where(Booking.session_id == session.id, Booking.status == BookingStatus.WAITLISTED)
        .order_by(Booking.waiting_position)
    ).all()


def late_cancellations(session: Session) -> list[Booking]:
    """Places given up too late to go to anyone else, by learner name."""
    return db.session.scalars(
        select(Booking)
        .join(Booking.learner)
        .options(selectinload(Booking.learner))
        .where(
            Booking.session_id == session.id,
            Booking.status == BookingStatus.CANCELLED,
            Booking.outcome == AttendanceOutcome.LATE_CANCELLATION,
        )
        .order_by(func.lower(User.name), Booking.id)
    ).all()
