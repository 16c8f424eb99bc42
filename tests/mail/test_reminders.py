"""Reminders go out once per confirmed booking, 48 hours ahead."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bookings.extensions import db
from bookings.mail.reminders import queue_reminders
from bookings.models import Booking, OutboxMessage

from ..factories import make_booking, make_session


def _reminded() -> list[int]:
    return list(
        db.session.scalars(select(OutboxMessage.booking_id).where(OutboxMessage.kind == "reminder"))
    )


def test_reminders_are_queued_once_per_booking(runner):
    soon = make_session(starts_in=timedelta(hours=30))
    booking = make_booking(soon)
    waiting = make_booking(
        make_session(starts_in=timedelta(hours=20), capacity=0), status="waitlisted"
    )
    later = make_booking(make_session(starts_in=timedelta(hours=60)))
    past = make_booking(make_session(starts_in=timedelta(hours=-2)))
    cancelled_session = make_session(starts_in=timedelta(hours=10), status="cancelled")
    on_cancelled = make_booking(cancelled_session)

    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    assert "Queued 1 reminder." in result.output
    assert _reminded() == [booking.id]
    assert db.session.get(Booking, booking.id).reminder_sent_at is not None

    again = runner.invoke(args=["reminders", "send"])
    assert "Queued 0 reminders." in again.output
    assert _reminded() == [booking.id]
    assert {waiting.id, later.id, past.id, on_cancelled.id}.isdisjoint(_reminded())


def test_reminder_comes_when_the_session_enters_the_window():
    booking = make_booking(make_session(starts_in=timedelta(hours=60)))
    assert queue_reminders() == 0
    db.session.commit()
    assert queue_reminders(now=datetime.now(UTC) + timedelta(hours=13)) == 1
    db.session.commit()
    assert queue_reminders(now=datetime.now(UTC) + timedelta(hours=14)) == 0
    assert _reminded() == [booking.id]
