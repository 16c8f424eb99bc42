"""Read-only questions about bookings: a learner's active booking, places in the queue."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from ..enums import BookingStatus
from ..extensions import db
from ..models import Booking, Session

# Built once, with their values bound: building one cost SQLAlchemy more than
# SQLite takes to run it, and every booking runs them.
_ACTIVE_BOOKING = select(Booking).where(
    Booking.session_id == bindparam("session_id"),
    Booking.learner_id == bindparam("learner_id"),
    Booking.status != BookingStatus.CANCELLED,
)
_WAITING_AHEAD = (
    select(func.count())
    .select_from(Booking)
    .where(
        Booking.session_id == bindparam("session_id"),
        Booking.status == BookingStatus.WAITLISTED,
        Booking.waiting_position < bindparam("position"),
    )
)
_BY_REFERENCE = select(Booking).where(Booking.reference == bindparam("reference"))


def active_booking(session_id: int, learner_id: int) -> Booking | None:
    return db.session.scalar(_ACTIVE_BOOKING, {"session_id": session_id, "learner_id": learner_id})


def by_reference(reference: str) -> Booking | None:
    return db.session.scalar(_BY_REFERENCE, {"reference": reference.upper()})


def queue_place(booking: Booking) -> int | None:
    """A waiting learner's current place in the queue (1 is next), else None."""
    if booking.status != BookingStatus.WAITLISTED or booking.waiting_position is None:
        return None
    ahead = db.session.scalar(
        _WAITING_AHEAD,
        {"session_id": booking.session_id, "position": booking.waiting_position},
    )
    return ahead + 1


def queue_places(bookings: Iterable[Booking]) -> dict[int, int]:
    """Each waiting booking's current place in its queue (1 is next), by booking id.

    One query for a whole page, however many sessions it spans: the place is the
    booking's row number among its session's waiting bookings.
    """
    waiting = [b for b in bookings if b.status == BookingStatus.WAITLISTED]
    if not waiting:
        return {}
    place = func.row_number().over(
        partition_by=Booking.session_id, order_by=Booking.waiting_position
    )
    ranked = (
        select(Booking.id, place.label("place"))
        .where(
            Booking.status == BookingStatus.WAITLISTED,
            Booking.session_id.in_({b.session_id for b in waiting}),
        )
        .subquery()
    )
    rows = db.session.execute(
        select(ranked.c.id, ranked.c.place).where(ranked.c.id.in_([b.id for b in waiting]))
    )
    return {booking_id: place for booking_id, place in rows}


def learner_bookings(learner_id: int) -> list[Booking]:
    """All of a learner's bookings with their sessions and courses, by start."""
    return list(
        db.session.scalars(
            select(Booking)
            .join(Booking.session)
            .where(Booking.learner_id == learner_id)
            .options(joinedload(Booking.session).joinedload(Session.course))
            .order_by(Session.starts_at)
        )
    )


def active_bookings(session_id: int) -> list[Booking]:
    """A session's confirmed and waiting bookings, waiting ones in their order."""
    return list(
        db.session.scalars(
            select(Booking)
            .where(Booking.session_id == session_id, Booking.status != BookingStatus.CANCELLED)
            .order_by(Booking.status, Booking.waiting_position, Booking.id)
        )
    )


def booked_for_others(organiser_id: int) -> list[Booking]:
    """The places someone booked for other people (a team), soonest first, active ones."""
    return list(
        db.session.scalars(
            select(Booking)
            .join(Booking.session)
            .where(
                Booking.booked_by_id == organiser_id,
                Booking.learner_id != organiser_id,
                Booking.status != BookingStatus.CANCELLED,
            )
            .options(
                joinedload(Booking.session).joinedload(Session.course),
                joinedload(Booking.learner),
            )
            .order_by(Session.starts_at, Booking.id)
        )
    )
