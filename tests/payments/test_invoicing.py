"""Invoices for priced places, credit notes and the cancellation policy, in the service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bookings.booking import schedule, service
from bookings.booking.service import Needs
from bookings.enums import CreditReason, InvoiceStatus, Payer
from bookings.extensions import db
from bookings.models import CreditNote, Invoice, InvoiceLine, OutboxMessage
from bookings.payments import amounts
from bookings.payments import service as payments
from bookings.payments.service import Billing

from ..factories import make_course, make_session, make_user
from ..statements import counting_statements

YEAR = datetime.now(UTC).year


def invoices() -> list[Invoice]:
    db.session.expire_all()
    return list(db.session.scalars(select(Invoice).order_by(Invoice.id)))


def credit_notes() -> list[CreditNote]:
    db.session.expire_all()
    return list(db.session.scalars(select(CreditNote).order_by(CreditNote.id)))


def book(session, learner=None, billing=None, by=None):
    learner = learner or make_user(sector="private")
    booking = service.book(session.id, learner, Needs(consent=True), by, billing)
    db.session.commit()
    return booking


def priced_session(pence=6500, **fields):
    course = make_course(price_private_pence=pence, price_voluntary_pence=0)
    return make_session(course, **fields)


def test_a_free_booking_produces_no_invoice():
    session = priced_session()
    book(session, make_user(sector="voluntary"))
    assert invoices() == []


def test_a_confirmed_priced_place_is_invoiced_with_one_line():
    session = priced_session(starts_in=timedelta(days=30))
    learner = make_user(sector="private", name="Ada Lovelace")
    billing = Billing(Payer.ORGANISATION, "accounts@acme.example", "Acme Care", "1 Road", "PO-7")
    booking = book(session, learner, billing)
    [invoice] = invoices()
    assert invoice.number == f"INV-{YEAR}-00001"
    assert invoice.user_id == learner.id
    assert (invoice.buyer_email, invoice.buyer_organisation, invoice.po_number) == (
        "accounts@acme.example",
        "Acme Care",
        "PO-7",
    )
    assert invoice.due_on - invoice.issued_on == timedelta(days=30)
    assert (invoice.net_pence, invoice.vat_pence, invoice.total_pence) == (6500, 0, 6500)
    [line] = invoice.lines
    assert line.booking_id == booking.id and line.live
    assert session.course.title in line.description and "Ada Lovelace" in line.description
    assert invoice.status == InvoiceStatus.ISSUED


def test_a_place_already_billed_is_not_invoiced_again():
    session = priced_session()
    booking = book(session)
    assert payments.invoice_places([booking]) is None
    db.session.commit()
    assert len(invoices()) == 1


def test_a_new_booking_is_invoiced_without_looking_for_an_earlier_line():
    session = priced_session()
    learner = make_user(sector="private")
    with counting_statements() as statements:
        book(session, learner)
    assert len(invoices()) == 1
    assert not [
        s for s in statements if s.lstrip().upper().startswith("SELECT") and "invoice_lines" in s
    ]


def test_a_waiting_booking_is_invoiced_only_when_promoted(client):
    session = priced_session(capacity=1)
    first = book(session)
    waiting = book(session)
    assert [line.booking_id for inv in invoices() for line in inv.lines] == [first.id]
    service.cancel(first.id, first.learner)
    db.session.commit()
    lines = db.session.scalars(select(InvoiceLine).where(InvoiceLine.booking_id == waiting.id))
    assert len(list(lines)) == 1


def test_promotion_and_its_invoice_share_one_transaction():
    """When the invoice cannot be written, the promotion does not happen either."""
    session = priced_session(capacity=1)
    first = book(session)
    waiting = book(session)
    # Take the next number out from under the sequence: issuing it will collide.
    stray = Invoice(
        number=f"INV-{YEAR}-00002",
        payer=Payer.SELF,
        buyer_name="x",
        buyer_email="x@example.org",
        seller_name="x",
        issued_on=payments.today(),
        due_on=payments.today(),
        net_pence=1,
        vat_pence=0,
        total_pence=1,
    )
    db.session.add(stray)
    db.session.commit()
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        service.cancel(first.id, first.learner)
        db.session.commit()
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(type(waiting), waiting.id).is_waiting
    assert db.session.get(type(first), first.id).has_place


def _book_and_cancel(starts_in, *, refill: bool, charge_percent=100, app=None):
    session = priced_session(capacity=1, starts_in=starts_in)
    booking = book(session)
    if refill:
        book(session)
    if app is not None:
        app.config["CANCELLATION_CHARGE_PERCENT"] = charge_percent
    service.cancel(booking.id, booking.learner)
    db.session.commit()
    return booking


@pytest.fixture
def policy(app):
    saved = {k: app.config[k] for k in ("CANCELLATION_CHARGE_PERCENT", "VAT_RATE")}
    yield app
    app.config.update(saved)


def test_cancelling_before_the_free_window_closes_credits_in_full(policy):
    _book_and_cancel(timedelta(days=8), refill=False)
    [note] = credit_notes()
    assert (note.total_pence, note.reason) == (6500, CreditReason.CANCELLED)
    assert note.number == f"CN-{YEAR}-00001"
    [invoice] = invoices()
    assert invoice.status == InvoiceStatus.CREDITED and invoice.balance_pence == 0


def test_cancelling_late_is_charged_in_full_by_default(policy):
    _book_and_cancel(timedelta(days=6), refill=False)
    assert credit_notes() == []
    [invoice] = invoices()
    assert invoice.status == InvoiceStatus.ISSUED and invoice.balance_pence == 6500


def test_cancelling_late_is_charged_the_configured_percentage(policy):
    _book_and_cancel(timedelta(days=2), refill=False, charge_percent=40, app=policy)
    [note] = credit_notes()
    assert note.total_pence == 6500 - 2600
    assert invoices()[0].balance_pence == 2600


def test_cancelling_late_is_credited_when_the_waiting_list_refills_the_place(policy):
    _book_and_cancel(timedelta(days=2), refill=True)
    notes = credit_notes()
    assert [(n.total_pence, n.reason) for n in notes] == [(6500, CreditReason.REFILLED)]


def test_staff_waive_a_late_charge_with_a_reason(policy):
    booking = _book_and_cancel(timedelta(days=2), refill=False)
    staff = make_user("staff")
    line = payments.live_line(booking.id)
    note = payments.waive_charge(line, "Bereavement", staff)
    db.session.commit()
    assert (note.total_pence, note.reason, note.note) == (6500, CreditReason.WAIVED, "Bereavement")
    assert invoices()[0].status == InvoiceStatus.CREDITED
    # Nothing is left to waive.
    assert payments.waive_charge(payments.live_line(booking.id) or line, "again", staff) is None


def test_cancelling_a_session_credits_everyone_booked_in_full(policy):
    session = priced_session(capacity=5, starts_in=timedelta(days=1))
    booked = [book(session) for _ in range(3)]
    schedule.cancel_session(session.id, by=make_user("staff"))
    db.session.commit()
    notes = credit_notes()
    assert len(notes) == 3 and {n.reason for n in notes} == {CreditReason.SESSION_CANCELLED}
    assert {n.line.booking_id for n in notes} == {b.id for b in booked}
    assert all(inv.status == InvoiceStatus.CREDITED for inv in invoices())


def test_moving_to_another_date_at_the_same_price_keeps_the_invoice():
    session = priced_session()
    other = make_session(session.course, starts_in=timedelta(days=40))
    booking = book(session)
    moved = service.move(booking.id, other.id, make_user("staff"))
    db.session.commit()
    [invoice] = invoices()
    assert [line.booking_id for line in invoice.lines] == [moved.id]
    assert credit_notes() == []


def test_moving_at_a_new_price_credits_the_old_invoice_and_issues_a_new_one():
    session = priced_session()
    other = make_session(session.course, starts_in=timedelta(days=40))
    booking = book(session)
    session.course.price_private_pence = 8000
    db.session.commit()
    moved = service.move(booking.id, other.id, make_user("staff"))
    db.session.commit()
    first, second = invoices()
    assert first.status == InvoiceStatus.CREDITED
    assert [n.reason for n in credit_notes()] == [CreditReason.REPRICED]
    assert (second.total_pence, second.lines[0].booking_id) == (8000, moved.id)


@pytest.mark.parametrize(
    ("net", "rate", "vat"),
    [(6500, "20", 1300), (1999, "20", 400), (1002, "17.5", 175), (10, "5", 1), (9, "5", 0)],
)
def test_vat_is_computed_per_line_and_rounded_half_up(policy, net, rate, vat):
    policy.config["VAT_RATE"] = rate
    session = priced_session(net)
    book(session)
    [invoice] = invoices()
    assert (invoice.net_pence, invoice.vat_pence, invoice.total_pence) == (net, vat, net + vat)
    assert invoice.vat_rate_bp == amounts.rate_basis_points(rate)


def test_half_a_penny_rounds_up():
    assert amounts.share(1, 5000) == 1  # 0.5p
    assert amounts.share(3, 5000) == 2  # 1.5p
    assert amounts.percent_of(6500, 40) == 2600
    with pytest.raises(ValueError):
        amounts.rate_basis_points("-5")


def test_a_cancelled_session_credits_a_late_cancellations_charge_too(policy):
    """Nobody pays for a session that never ran, whoever cancelled first."""
    session = priced_session(capacity=5, starts_in=timedelta(days=2))
    left_late = book(session)
    staying = book(session)
    service.cancel(left_late.id, left_late.learner)  # charged in full
    db.session.commit()
    assert credit_notes() == []

    schedule.cancel_session(session.id, by=make_user("staff"))
    db.session.commit()

    notes = credit_notes()
    assert {n.line.booking_id for n in notes} == {left_late.id, staying.id}
    assert {n.reason for n in notes} == {CreditReason.SESSION_CANCELLED}
    assert all(inv.balance_pence == 0 for inv in invoices())


def test_every_credit_note_is_emailed_with_its_pdf_named(policy):
    session = priced_session(starts_in=timedelta(days=30))
    booking = book(session)
    service.cancel(booking.id, booking.learner)
    db.session.commit()
    [note] = credit_notes()
    emails = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "credit_note_issued")
    ).all()
    assert [(e.recipient, e.attachment) for e in emails] == [
        (booking.learner.email, f"credit_note:{note.number}")
    ]
