"""bench/scale_data.py builds what it says: counts asked for, and every constraint kept."""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from pathlib import Path

from sqlalchemy import func, select

from bookings.accounts.service import create_user
from bookings.enums import BookingStatus, InvoiceStatus, Role, SessionStatus
from bookings.extensions import db
from bookings.models import (
    Booking,
    Course,
    Invoice,
    InvoiceLine,
    NumberSequence,
    OutboxMessage,
    Session,
    User,
)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import scale_data  # noqa: E402

TINY = scale_data.Sizes(courses=4, sessions=20, learners=30, bookings=50, outbox=60, min_capacity=1)


def _build():
    trainer = create_user(
        scale_data.TRAINER_EMAIL, "Sam Okafor", "a long password", role=Role.TRAINER
    )
    db.session.commit()
    scale_data.build(TINY)
    return trainer


def test_counts_are_as_asked():
    trainer = _build()
    assert db.session.scalar(select(func.count(Course.id))) == TINY.courses
    assert db.session.scalar(select(func.count(Session.id))) == TINY.sessions
    assert db.session.scalar(select(func.count(Booking.id))) == TINY.bookings
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == TINY.outbox
    learners = select(func.count(User.id)).where(User.role == Role.LEARNER)
    assert db.session.scalar(learners) == TINY.learners
    # One trainer teaches every generated session.
    assert set(db.session.scalars(select(Session.trainer_id))) == {trainer.id}
    # Each learner has the same number of bookings, at any size.
    per_learner = Counter(db.session.scalars(select(Booking.learner_id)))
    assert set(per_learner.values()) == {TINY.bookings // TINY.learners} | (
        {TINY.bookings // TINY.learners + 1} if TINY.bookings % TINY.learners else set()
    )


def test_places_and_waiting_lists_hold():
    _build()
    sessions = db.session.scalars(select(Session)).all()
    bookings = defaultdict(list)
    for booking in db.session.scalars(select(Booking)):
        bookings[booking.session_id].append(booking)
    statuses = Counter()
    for session in sessions:
        mine = bookings[session.id]
        confirmed = [b for b in mine if b.status == BookingStatus.CONFIRMED]
        waiting = sorted(b.waiting_position for b in mine if b.status == BookingStatus.WAITLISTED)
        assert session.seats_taken == len(confirmed) <= session.capacity
        assert waiting == list(range(1, len(waiting) + 1))
        assert session.waitlist_last == len(waiting)
        if waiting:
            assert len(confirmed) == session.capacity  # nobody waits for a free place
        if session.status == SessionStatus.CANCELLED:
            assert all(b.status == BookingStatus.CANCELLED for b in mine)
        active = [b.learner_id for b in mine if b.status != BookingStatus.CANCELLED]
        assert len(active) == len(set(active))
        statuses.update(b.status for b in mine)
    assert statuses[BookingStatus.WAITLISTED] and statuses[BookingStatus.CANCELLED]
    starts = [s.starts_at for s in sessions]
    assert min(starts) < scale_data.datetime.now(scale_data.UTC) < max(starts)
    references = list(db.session.scalars(select(Booking.reference)))
    assert len(references) == len(set(references))


def test_invoices_are_numbered_without_gaps():
    _build()
    priced = select(func.count(Booking.id)).where(
        Booking.status == BookingStatus.CONFIRMED, Booking.price_pence > 0
    )
    invoices = db.session.scalars(select(Invoice)).all()
    assert len(invoices) == db.session.scalar(priced) > 0
    assert db.session.scalar(select(func.count(InvoiceLine.id))) == len(invoices)
    by_year = defaultdict(list)
    for invoice in invoices:
        assert invoice.status in (InvoiceStatus.ISSUED, InvoiceStatus.PAID)
        by_year[invoice.issued_on.year].append(int(invoice.number.rsplit("-", 1)[1]))
    sequences = {s.year: s.last_value for s in db.session.scalars(select(NumberSequence))}
    for year, numbers in by_year.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
        assert sequences[year] == len(numbers)


def test_spread_adds_up():
    counts = scale_data.bookings_per_session(100_000, 10_000)
    assert sum(counts) == 100_000 and min(counts) >= 0 and len(set(counts)) > 1
