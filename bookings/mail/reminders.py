"""Reminder emails, queued once per booking for sessions starting within 48 hours."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from ..enums import BookingStatus, SessionStatus
from ..extensions import db
from ..models import Booking, Session, utcnow
from . import messages, outbox

REMINDER_WINDOW = timedelta(hours=48)


def queue_reminders(now: datetime | None = None) -> int:
    """Queue a reminder for each confirmed booking not yet reminded; the caller commits.

    Each booking is claimed with a conditional UPDATE, so two runs at once never
    queue the same reminder twice.
    """
    now = now or utcnow()
    due = db.session.scalars(
        select(Booking)
        .join(Booking.session)
        .where(
            Booking.status == BookingStatus.CONFIRMED,
            Booking.reminder_sent_at.is_(None),
            Session.status == SessionStatus.SCHEDULED,
            Session.starts_at > now,
            Session.starts_at <= now + REMINDER_WINDOW,
        )
        .order_by(Session.starts_at, Booking.id)
    ).all()
    queued = 0
    for booking in due:
        claimed = db.session.execute(
            update(Booking)
            .where(
                Booking.id == booking.id,
                Booking.reminder_sent_at.is_(None),
                Booking.status == BookingStatus.CONFIRMED,
            )
            .values(reminder_sent_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed:
            outbox.enqueue(messages.reminder(booking))
            queued += 1
    return queued
