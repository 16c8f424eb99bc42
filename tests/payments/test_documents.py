"""Invoice and credit-note PDFs, read back with pypdf; who may fetch them; my invoices."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bookings import timefmt
from bookings.booking import service
from bookings.extensions import db
from bookings.payments import service as payments

from ..conftest import login_as
from ..factories import make_session, make_user
from .conftest import ACME, YEAR, book, credit_notes, invoices, pdf_text


def words(data: bytes) -> str:
    """The PDF's text with its line breaks and runs of spaces made single spaces."""
    return " ".join(pdf_text(data).split())


@pytest.fixture
def registered_charity(money_config):
    money_config.update(
        ORG_ADDRESS="The Hub\n1 High Street\nChatham ME4 4AA",
        CHARITY_NUMBER="1123456",
        VAT_NUMBER="GB 123 4567 89",
        INVOICE_PAYMENT_DETAILS="Bank transfer to Medway Volunteer Network, sort code 12-34-56",
    )
    return money_config


def test_an_invoice_pdf_holds_number_seller_buyer_line_and_vat_totals(
    client, registered_charity, priced_session, learner
):
    registered_charity["VAT_RATE"] = "20"
    booking = book(priced_session, learner, ACME)
    [invoice] = invoices()
    login_as(client, learner)

    response = client.get(f"/invoices/{invoice.number}.pdf")

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f"{invoice.number}.pdf" in response.headers["Content-Disposition"]
    text = words(response.data)
    assert f"Invoice number INV-{YEAR}-00001" in text
    assert f"Date of issue {timefmt.day(invoice.issued_on)}" in text
    assert f"Payment due by {timefmt.day(invoice.due_on)}" in text
    for seller in ("Medway Volunteer Network", "1 High Street", "Chatham ME4 4AA"):
        assert seller in text
    assert "Registered charity number 1123456" in text
    assert "VAT registration number GB 123 4567 89" in text
    assert "Acme Care Ltd" in text and "For the attention of Ada Lovelace" in text
    assert "Riverside Park" in text and "accounts@acme.example" in text
    assert "Purchase order PO-7781" in text
    assert "Living with ADHD" in text and "Ada Lovelace" in text
    assert timefmt.day(booking.session.starts_at) in text
    # The line and the totals: net, VAT at 20% and gross, each exactly as pounds.
    assert "£65.00 £13.00 £78.00" in text
    assert "Net £65.00" in text and "VAT at 20% £13.00" in text and "Total due £78.00" in text
    assert "sort code 12-34-56" in text


def test_without_vat_an_invoice_shows_just_the_total(client, priced_session, learner):
    book(priced_session, learner)
    [invoice] = invoices()
    login_as(client, learner)

    text = words(client.get(f"/invoices/{invoice.number}.pdf").data)

    assert "Total due £65.00" in text
    assert "VAT at" not in text and "Net £" not in text
    assert "Registered charity number" not in text and "VAT registration" not in text
    assert "Ada Lovelace" in text and learner.email in text


def test_a_credit_note_pdf_cites_its_invoice_and_says_why(client, priced_session, learner):
    booking = book(priced_session, learner, ACME)
    service.cancel(booking.id, learner)  # 30 days ahead: credited in full
    db.session.commit()
    [invoice], [note] = invoices(), credit_notes()
    login_as(client, learner)

    response = client.get(f"/credit-notes/{note.number}.pdf")

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = words(response.data)
    assert f"Credit note number CN-{YEAR}-00001" in text
    assert f"Against invoice {invoice.number}" in text
    assert "Reason: Booking cancelled" in text
    assert "Acme Care Ltd" in text and "Living with ADHD" in text
    assert "Total credited £65.00" in text


def test_a_waiver_credit_note_carries_the_reason_given(client, course, learner, staff):
    late = make_session(course, starts_in=timedelta(days=2))
    booking = book(late, learner)
    service.cancel(booking.id, learner)
    db.session.commit()
    payments.waive_charge(payments.live_line(booking.id), "Bereavement in the family", staff)
    db.session.commit()
    [note] = credit_notes()
    login_as(client, learner)

    text = words(client.get(f"/credit-notes/{note.number}.pdf").data)

    assert "Reason: Cancellation charge waived: Bereavement in the family" in text
    assert "£65.00" in text


def test_a_document_is_for_its_owner_and_staff_only(client, priced_session, learner, staff):
    booking = book(priced_session, learner)
    service.cancel(booking.id, learner)
    db.session.commit()
    [invoice], [note] = invoices(), credit_notes()
    paths = [f"/invoices/{invoice.number}.pdf", f"/credit-notes/{note.number}.pdf"]

    for path in paths:
        assert client.get(path).status_code == 302  # a visitor is asked to sign in
    login_as(client, make_user(sector="private"))
    assert [client.get(path).status_code for path in paths] == [404, 404]
    login_as(client, make_user("trainer"))
    assert [client.get(path).status_code for path in paths] == [404, 404]
    login_as(client, staff)
    assert [client.get(path).status_code for path in paths] == [200, 200]
    login_as(client, learner)
    assert [client.get(path).status_code for path in paths] == [200, 200]
    assert client.get(f"/invoices/INV-{YEAR}-99999.pdf").status_code == 404
    assert client.get(f"/credit-notes/CN-{YEAR}-99999.pdf").status_code == 404


def test_my_invoices_lists_invoices_and_credit_notes_with_their_status(
    client, course, priced_session, learner
):
    kept = book(priced_session, learner)
    cancelled = book(make_session(course, starts_in=timedelta(days=50)), learner)
    service.cancel(cancelled.id, learner)
    db.session.commit()
    first, second = invoices()
    [note] = credit_notes()
    login_as(client, learner)

    html = client.get("/account/invoices").get_data(as_text=True)

    assert kept.session.course.title in html
    assert f'href="/invoices/{first.number}.pdf"' in html
    assert f'href="/invoices/{second.number}.pdf"' in html
    assert f'href="/credit-notes/{note.number}.pdf"' in html
    assert "Outstanding" in html and "Credited" in html and "£65.00" in html
    assert "£0.00" in html  # nothing owed on the credited one, never "Free"


def test_my_invoices_says_so_when_there_are_none(client, learner):
    login_as(client, learner)
    response = client.get("/account/invoices")
    assert response.status_code == 200
    assert "You have no invoices." in response.get_data(as_text=True)
    assert client.get("/account/invoices", follow_redirects=False).status_code == 200


def test_someone_elses_invoices_are_not_listed(client, priced_session, learner):
    book(priced_session, learner)
    [invoice] = invoices()
    login_as(client, make_user(sector="private"))
    assert invoice.number not in client.get("/account/invoices").get_data(as_text=True)


NAMES = [
    "Zoë O'Brien-Łukasz",
    "Nguyễn Thị Minh Khai",
    "Αικατερίνη Παπαδοπούλου",
    "Şükrü Öztürk",
    "Пётр Ильич Чайковский",
]


@pytest.mark.parametrize("name", NAMES)
def test_every_name_on_an_invoice_reads_back_exactly(client, priced_session, name):
    learner = make_user(name=name, sector="private")
    book(priced_session, learner)
    [invoice] = invoices()
    login_as(client, learner)

    text = words(client.get(f"/invoices/{invoice.number}.pdf").data)

    assert name in text
    assert "Total due £65.00" in text
