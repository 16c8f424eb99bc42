"""Who pays: asked on the booking form for a priced place, remembered on the profile."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bookings.enums import Payer
from bookings.extensions import db
from bookings.models import Booking, Invoice, User

from ..conftest import login_as, post_form
from ..factories import make_session, make_user
from .conftest import ACME, field_error, invoices

CONSENT = {"consent": "y", "access_needs": "", "dietary_needs": ""}
ORGANISATION_PAYS = {
    "payer": "organisation",
    "invoice_email": "accounts@acme.example",
    "invoice_organisation": "Acme Care Ltd",
    "invoice_address": "Unit 4, Riverside Park\r\nChatham\r\nME4 4AA",
    "po_number": "PO-7781",
}


def book_form(client, session, data: dict):
    path = f"/sessions/{session.id}/book"
    return post_form(client, path, {**CONSENT, **data})


def bookings_made() -> int:
    return db.session.scalar(select(func.count()).select_from(Booking))


def test_a_priced_place_asks_who_pays(client, priced_session, learner):
    login_as(client, learner)
    html = client.get(f"/sessions/{priced_session.id}/book").get_data(as_text=True)
    assert "Who pays for this place?" in html
    assert "My organisation (send an invoice)" in html and "I will pay myself" in html
    for name in ("invoice_email", "invoice_organisation", "invoice_address", "po_number"):
        assert f'name="{name}"' in html


def test_a_free_place_asks_nothing_and_is_not_invoiced(client, priced_session):
    volunteer = make_user(sector="voluntary")  # the voluntary-sector price is 0
    login_as(client, volunteer)
    html = client.get(f"/sessions/{priced_session.id}/book").get_data(as_text=True)
    assert "Who pays" not in html and 'name="payer"' not in html

    response = book_form(client, priced_session, {})

    assert response.status_code == 302
    booking = db.session.scalars(select(Booking)).one()
    assert booking.has_place and booking.payer is None
    assert invoices() == []


def test_an_organisation_that_pays_is_invoiced_and_remembered(client, priced_session, learner):
    login_as(client, learner)

    response = book_form(client, priced_session, ORGANISATION_PAYS)

    assert response.status_code == 302
    [invoice] = invoices()
    assert (invoice.payer, invoice.buyer_email, invoice.buyer_organisation) == (
        Payer.ORGANISATION,
        "accounts@acme.example",
        "Acme Care Ltd",
    )
    assert invoice.buyer_address == "Unit 4, Riverside Park\nChatham\nME4 4AA"
    assert invoice.po_number == "PO-7781" and invoice.user_id == learner.id
    user = db.session.get(User, learner.id)
    assert (user.payer, user.invoice_email, user.invoice_organisation) == (
        "organisation",
        "accounts@acme.example",
        "Acme Care Ltd",
    )
    # Next time the form offers the same answer (the purchase order is per booking).
    other = make_session(priced_session.course, starts_in=timedelta(days=40))
    html = client.get(f"/sessions/{other.id}/book").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="organisation"', html)
    assert 'value="accounts@acme.example"' in html
    assert "Riverside Park" in html
    assert "PO-7781" not in html


def test_a_learner_who_pays_is_invoiced_at_their_own_address(client, priced_session, learner):
    login_as(client, learner)

    response = book_form(
        client, priced_session, {**ORGANISATION_PAYS, "payer": "self", "po_number": ""}
    )

    assert response.status_code == 302
    [invoice] = invoices()
    assert (invoice.payer, invoice.buyer_email, invoice.buyer_organisation) == (
        Payer.SELF,
        learner.email,
        "",
    )
    assert invoice.buyer_address == ""  # the organisation's address is not theirs


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"payer": ""}, "payer", "Choose who pays for this place."),
        ({"invoice_email": ""}, "invoice_email", "Enter the email address the invoice should go"),
        ({"invoice_email": "accounts at acme"}, "invoice_email", "Enter an email address like"),
        (
            {"invoice_organisation": ""},
            "invoice_organisation",
            "Enter the name of the organisation",
        ),
        ({"invoice_address": ""}, "invoice_address", "Enter the organisation's postal address."),
        (
            {"invoice_address": "1 Long Road\n" * 417},
            "invoice_address",
            "The address must be 500 characters or fewer.",
        ),
        ({"invoice_address": "x" * 5000}, "invoice_address", "500 characters or fewer"),
        ({"invoice_address": "1 Road\x00\nTown"}, "invoice_address", "control characters"),
        ({"po_number": "PO-1\r\nBcc: evil@example.org"}, "po_number", "control characters"),
        ({"po_number": "PO\x07"}, "po_number", "control characters"),
        ({"po_number": "P" * 65}, "po_number", "64 characters or fewer"),
        ({"invoice_organisation": "Acme\nLtd"}, "invoice_organisation", "control characters"),
    ],
    ids=[
        "no-answer",
        "no-invoice-email",
        "bad-invoice-email",
        "no-organisation",
        "no-address",
        "address-too-long-in-lines",
        "five-thousand-character-address",
        "nul-in-address",
        "line-break-in-po",
        "bell-in-po",
        "po-too-long",
        "line-break-in-organisation",
    ],
)
def test_bad_billing_is_refused_beside_the_field_and_nothing_is_saved(
    client, priced_session, learner, change, field, message
):
    login_as(client, learner)

    response = book_form(client, priced_session, {**ORGANISATION_PAYS, **change})

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in field_error(html, field)
    assert bookings_made() == 0 and invoices() == []
    user = db.session.get(User, learner.id)
    assert user.payer is None and user.invoice_address == ""


def test_a_long_address_is_refused_not_cut_short(client, priced_session, learner):
    login_as(client, learner)
    address = "x" * 5000
    response = book_form(client, priced_session, {**ORGANISATION_PAYS, "invoice_address": address})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    # What was typed comes back whole, for the learner to shorten; and no maxlength on
    # the field, which would let a browser cut a pasted address short unannounced.
    assert address in html
    assert "maxlength" not in re.search(r'<textarea[^>]*id="invoice_address"[^>]*>', html)[0]


def test_the_account_page_edits_who_pays(client, learner):
    login_as(client, learner)
    html = client.get("/account").get_data(as_text=True)
    assert "Paying for priced courses" in html

    response = post_form(
        client,
        "/account",
        {
            "name": learner.name,
            "organisation": "",
            "sector": "private",
            **{k: v for k, v in ORGANISATION_PAYS.items() if k != "po_number"},
        },
    )

    assert response.status_code == 302
    user = db.session.get(User, learner.id)
    assert (user.payer, user.invoice_organisation) == ("organisation", "Acme Care Ltd")
    assert user.invoice_address == "Unit 4, Riverside Park\nChatham\nME4 4AA"


def test_the_account_page_refuses_an_organisation_without_an_invoice_address(client, learner):
    login_as(client, learner)

    response = post_form(
        client,
        "/account",
        {"name": "New Name", "sector": "private", "payer": "organisation", "invoice_email": ""},
    )

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter the email address the invoice should go to." in field_error(html, "invoice_email")
    user = db.session.get(User, learner.id)
    assert user.name == "Ada Lovelace" and user.payer is None


def test_staff_booking_on_behalf_bills_as_the_learner_profile_says(client, priced_session, staff):
    learner = make_user(sector="private", email="bea@example.org")
    ACME.remember_on(learner)
    db.session.commit()
    login_as(client, staff)

    response = post_form(
        client,
        "/staff/bookings/new",
        {"session_id": str(priced_session.id), "learner_email": learner.email, "consent": "y"},
    )

    assert response.status_code == 303
    [invoice] = db.session.scalars(select(Invoice)).all()
    assert (invoice.buyer_organisation, invoice.user_id) == ("Acme Care Ltd", learner.id)
