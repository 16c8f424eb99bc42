"""Who-pays details and invoices in a person's data export, and when they close their account."""

from __future__ import annotations

import json

from sqlalchemy import select

from bookings.extensions import db
from bookings.models import Booking, Invoice, User

from ..conftest import login_as, post_form
from ..factories import PASSWORD
from .conftest import ACME, book, invoices


def test_the_data_export_includes_who_pays_and_the_invoices(client, priced_session, learner):
    book(priced_session, learner, ACME)
    ACME.remember_on(learner)
    db.session.commit()
    [invoice] = invoices()
    login_as(client, learner)

    data = json.loads(client.get("/account/export").data)

    assert data["account"]["invoice_organisation"] == "Acme Care Ltd"
    assert data["account"]["who_pays"] == "organisation"
    [listed] = data["invoices"]
    assert (listed["number"], listed["total"], listed["billed_to"]) == (
        invoice.number,
        "65.00",
        "Acme Care Ltd",
    )


def test_closing_an_account_erases_who_pays_but_keeps_the_invoices(client, priced_session, learner):
    booking = book(priced_session, learner, ACME)
    ACME.remember_on(learner)
    db.session.commit()
    login_as(client, learner)

    response = post_form(client, "/account/erase", {"password": PASSWORD, "understood": "y"})

    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, learner.id)
    assert (user.payer, user.invoice_email, user.invoice_address) == (None, "", "")
    stored = db.session.get(Booking, booking.id)
    assert (stored.invoice_email, stored.invoice_address, stored.po_number) == ("", "", "")
    # An issued invoice is a record the organisation must keep; it is credited, not erased.
    [invoice] = db.session.scalars(select(Invoice)).all()
    assert invoice.buyer_organisation == "Acme Care Ltd" and invoice.status == "credited"
