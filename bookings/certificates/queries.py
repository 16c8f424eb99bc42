"""Read-only questions about certificates: by their code, or for a booking."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Booking, Certificate, Session


def by_code(code: str) -> Certificate | None:
    """The certificate with this verification code, as typed (any case, dashes optional)."""
    return db.session.scalar(
        select(Certificate)
        .where(Certificate.code == Certificate.normalise_code(code))
        .options(
            selectinload(Certificate.booking).selectinload(Booking.learner),
            selectinload(Certificate.booking)
            .selectinload(Booking.session)
            .selectinload(Session.course),
        )
    )


def for_booking(booking_id: int) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.booking_id == booking_id))
