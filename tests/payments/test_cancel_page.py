"""The cancel page says what cancelling does to the money, before and after."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

from bookings.extensions import db

from ..conftest import login_as, post_form
from ..factories import make_session, make_user
from .conftest import book, credit_notes, invoices


def cancel_page(client, booking) -> str:
    return unescape(client.get(f"/bookings/{booking.reference}/cancel").get_data(as_text=True))


def confirm(client, booking) -> str:
    path = f"/bookings/{booking.reference}/cancel"
    response = post_form(client, path, {})
    assert response.status_code == 302
    return unescape(client.get(response.headers["Location"]).get_data(as_text=True))


def test_cancelling_in_the_free_window_says_a_credit_note_will_cancel_the_invoice(
    client, priced_session, learner
):
    booking = book(priced_session, learner)
    login_as(client, learner)

    assert "You will not be charged: a credit note for £65.00" in cancel_page(client, booking)
    after = confirm(client, booking)

    [invoice], [note] = invoices(), credit_notes()
    assert (
        f"Credit note {note.number} for £65.00 cancels invoice {invoice.number}: "
        "you owe nothing for this place." in after
    )


def test_cancelling_late_says_it_is_charged_unless_the_place_is_refilled(client, course, learner):
    late = make_session(course, starts_in=timedelta(days=3))
    booking = book(late, learner)
    login_as(client, learner)

    before = cancel_page(client, booking)
    assert "Cancelling now is charged £65.00" in before
    assert "less than 7 days" in before and "waiting list" in before
    after = confirm(client, booking)

    [invoice] = invoices()
    assert credit_notes() == []
    assert f"A cancellation charge of £65.00 stays due on invoice {invoice.number}." in after


def test_a_late_cancellation_refilled_from_the_waiting_list_is_credited(client, course, learner):
    full = make_session(course, starts_in=timedelta(days=3), capacity=1)
    booking = book(full, learner)
    book(full, make_user(sector="private"))  # waiting
    login_as(client, learner)

    after = confirm(client, booking)

    [note] = credit_notes()
    assert note.reason == "refilled" and note.total_pence == 6500
    assert "The place has gone to the next person on the waiting list." in after
    assert f"Credit note {note.number} for £65.00 cancels invoice" in after


def test_a_free_place_says_nothing_about_money(client, priced_session):
    volunteer = make_user(sector="voluntary")
    booking = book(priced_session, volunteer)
    login_as(client, volunteer)
    page = cancel_page(client, booking)
    assert "What happens to the money" not in page
    after = confirm(client, booking)
    assert "is cancelled. We have emailed you to confirm." in after
    assert "Credit note" not in after and "charge" not in after
    db.session.expire_all()
    assert invoices() == []


def test_cancelling_a_paid_place_speaks_of_a_refund_or_the_charge_kept(client, course, learner):
    early = book(make_session(course, starts_in=timedelta(days=30)), learner)
    late = book(make_session(course, starts_in=timedelta(days=3)), learner)
    for invoice in invoices():
        invoice.status, invoice.paid_on = "paid", invoice.issued_on
    db.session.commit()
    login_as(client, learner)

    refunded = confirm(client, early)
    kept = confirm(client, late)

    assert "which is paid: we will be in touch about the refund." in refunded
    assert "The cancellation charge of £65.00 is kept from invoice" in kept
