"""Invoice numbers run on with no gap and no duplicate under real concurrency.

Each worker thread has its own app context, session and connection (see
tests/booking/conftest.py), as separate server processes would. Runs on SQLite and,
with TEST_DATABASE_URL set, on PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bookings.booking import service
from bookings.booking.service import Needs
from bookings.extensions import db
from bookings.models import Booking, CreditNote, Invoice, InvoiceLine, NumberSequence, User
from bookings.payments import collection
from bookings.payments import service as payments

from .. import factories
from ..booking.conftest import concurrent_app, run_in_threads  # noqa: F401
from ..factories import make_course, make_session
from .conftest import YEAR, book, credit_notes, invoices

# Fifty connections at once: run alone (make test), not beside another worker's tests.
pytestmark = pytest.mark.exclusive

PLACES = 50


def make_learners(count: int) -> list[int]:
    """Private-sector learners: each place is priced, so each booking is invoiced."""
    return [u.id for u in factories.make_learners(count, sector="private", prefix="payer")]


def book_as(learner_id: int, session_id: int) -> tuple[int, str]:
    learner = db.session.get(User, learner_id)
    booking = service.book(session_id, learner, Needs(consent=True))
    db.session.commit()
    return booking.id, booking.status


@pytest.mark.parametrize("sessions", [1, PLACES], ids=["one-session", "fifty-sessions"])
def test_fifty_concurrent_confirmations_get_invoice_numbers_with_no_gap_or_duplicate(
    concurrent_app,  # noqa: F811
    sessions,
):
    """One session of 50 places (the seat lock orders them), and 50 sessions of one place
    (only the number counter does)."""
    course = make_course(price_voluntary_pence=0, price_private_pence=6500)
    session_ids = [
        make_session(course, starts_in=timedelta(days=10 + n), capacity=PLACES // sessions).id
        for n in range(sessions)
    ]
    learner_ids = make_learners(PLACES)
    work = [(lid, session_ids[n % sessions]) for n, lid in enumerate(learner_ids)]

    results, errors = run_in_threads(concurrent_app, book_as, work)

    assert errors == []
    assert sorted(status for _, status in results) == ["confirmed"] * PLACES
    numbers = sorted(invoice.number for invoice in invoices())
    assert numbers == [f"INV-{YEAR}-{n:05d}" for n in range(1, PLACES + 1)]
    # One live line per booking, each on its own invoice.
    billed = list(db.session.scalars(select(InvoiceLine.booking_id).where(InvoiceLine.live)))
    assert sorted(billed) == sorted(booking_id for booking_id, _ in results)
    counter = db.session.get(NumberSequence, ("invoice", YEAR))
    assert counter.last_value == PLACES


def test_a_waiver_clicked_twice_at_once_credits_the_charge_once(
    concurrent_app,  # noqa: F811
    course,
    learner,
    staff,
):
    """Two staff (or one double click) waiving the same charge together: one credit note."""
    session = make_session(course, starts_in=timedelta(days=2))
    booking = book(session, learner)
    service.cancel(booking.id, learner)  # late: the whole price is charged
    db.session.commit()
    line_id = payments.live_line(booking.id).id
    staff_id = staff.id

    def waive(reason: str):
        line = db.session.get(InvoiceLine, line_id)
        try:
            note = collection.waive(line, reason, db.session.get(User, staff_id))
        except Exception as exc:  # the second waiver finds nothing left to waive
            db.session.rollback()
            return type(exc).__name__
        db.session.commit()
        return note.number

    results, errors = run_in_threads(concurrent_app, waive, [("First",), ("Second",)])

    assert errors == []
    assert sorted(results) == sorted([f"CN-{YEAR}-00001", "InvoiceRefused"])
    [note] = credit_notes()
    assert note.total_pence == 6500
    [invoice] = invoices()
    assert invoice.credited_pence == 6500 and invoice.balance_pence == 0
    total = db.session.scalar(select(func.sum(CreditNote.total_pence)))
    assert total == invoice.total_pence
    assert db.session.get(Invoice, invoice.id).status == "credited"


def test_cancellations_promoting_and_bookings_at_once_keep_numbers_and_totals_whole(
    concurrent_app,  # noqa: F811
):
    """All at once, on two priced sessions: learners cancel (each place goes to the first
    waiting learner, who is invoiced, while the canceller's invoice is credited) while
    others book. Every invoice is due the same day, so every transaction updates the same
    kept totals; none may deadlock or fail, and the numbers and totals stay whole."""
    from .test_invoice_totals import assert_kept_in_step

    course = make_course(price_voluntary_pence=0, price_private_pence=6500)
    full = make_session(course, starts_in=timedelta(days=30), capacity=10)
    other = make_session(course, starts_in=timedelta(days=31), capacity=30)
    holders = make_learners(20)  # ten with places, ten waiting
    for learner_id in holders:
        book_as(learner_id, full.id)
    places = db.session.scalars(
        select(Booking.id).where(Booking.session_id == full.id, Booking.status == "confirmed")
    ).all()
    newcomers = [u.id for u in factories.make_learners(20, sector="private", prefix="late")]

    def cancel(booking_id: int) -> str:
        booking = db.session.get(Booking, booking_id)
        service.cancel(booking_id, booking.learner)
        db.session.commit()
        return "cancelled"

    work = [(cancel, booking_id) for booking_id in places]
    work += [(book_as, learner_id, other.id) for learner_id in newcomers]
    results, errors = run_in_threads(concurrent_app, lambda task, *args: task(*args), work)

    assert errors == []
    assert results.count("cancelled") == 10
    db.session.expire_all()
    statuses = db.session.scalars(select(Booking.status).where(Booking.session_id == full.id))
    assert sorted(statuses) == ["cancelled"] * 10 + ["confirmed"] * 10
    numbers = sorted(invoice.number for invoice in invoices())
    assert numbers == [f"INV-{YEAR}-{n:05d}" for n in range(1, 10 + 10 + 20 + 1)]
    notes = sorted(note.number for note in credit_notes())
    assert notes == [f"CN-{YEAR}-{n:05d}" for n in range(1, 11)]
    assert_kept_in_step()
