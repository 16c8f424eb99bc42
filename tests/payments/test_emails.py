"""Invoice, credit-note and reminder emails reach a real SMTP server with the PDF attached."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bookings.booking import service
from bookings.extensions import db
from bookings.models import OutboxMessage
from bookings.payments import collection

from ..mail.conftest import mail_config, smtp  # noqa: F401
from .conftest import ACME, YEAR, book, credit_notes, invoices, pdf_text


def send(runner) -> None:
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output


def by_subject(messages, start: str):
    [found] = [m for m in messages if m["Subject"].startswith(start)]
    return found


def pdf_attachment(email) -> tuple[str, bytes]:
    [part] = [p for p in email.iter_attachments() if p.get_content_type() == "application/pdf"]
    return part.get_filename(), part.get_content()


def test_the_invoice_email_goes_to_the_invoice_address_with_the_pdf(
    runner,
    smtp,  # noqa: F811
    priced_session,
    learner,
):
    book(priced_session, learner, ACME)
    [invoice] = invoices()
    # Queued with the booking as a reference to the document, not a rendered PDF.
    row = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "invoice_issued")
    ).one()
    assert row.attachment == f"invoice:{invoice.number}" and row.ics is None

    send(runner)

    email = by_subject(smtp.messages, f"Invoice {invoice.number}")
    assert email["To"] == "accounts@acme.example"
    body = email.get_body(("plain",)).get_content()
    assert "Dear Ada Lovelace" in body and "£65.00" in body and "PO-7781" in body
    filename, data = pdf_attachment(email)
    assert filename == f"INV-{YEAR}-00001.pdf"
    text = " ".join(pdf_text(data).split())
    assert invoice.number in text and "Acme Care Ltd" in text and "£65.00" in text
    # The learner still gets the booking confirmation, with its calendar invitation.
    confirmation = by_subject(smtp.messages, "Booking confirmed")
    assert confirmation["To"] == learner.email


def test_a_learner_who_pays_gets_the_invoice_themselves(
    runner,
    smtp,  # noqa: F811
    priced_session,
    learner,
):
    book(priced_session, learner)
    send(runner)
    [invoice] = invoices()
    email = by_subject(smtp.messages, f"Invoice {invoice.number}")
    assert email["To"] == learner.email
    assert pdf_attachment(email)[0] == f"{invoice.number}.pdf"


def test_the_credit_note_email_carries_the_credit_note_pdf(
    runner,
    smtp,  # noqa: F811
    priced_session,
    learner,
):
    booking = book(priced_session, learner, ACME)
    service.cancel(booking.id, learner)
    db.session.commit()
    [invoice], [note] = invoices(), credit_notes()

    send(runner)

    email = by_subject(smtp.messages, f"Credit note {note.number}")
    assert email["To"] == "accounts@acme.example"
    assert invoice.number in email["Subject"]
    body = email.get_body(("plain",)).get_content()
    assert "Nothing more is owed" in body and "Booking cancelled" in body
    filename, data = pdf_attachment(email)
    assert filename == f"{note.number}.pdf"
    text = " ".join(pdf_text(data).split())
    assert f"Against invoice {invoice.number}" in text and "Total credited £65.00" in text


def test_the_overdue_reminder_attaches_the_invoice(
    runner,
    smtp,  # noqa: F811
    priced_session,
    learner,
):
    book(priced_session, learner, ACME)
    [invoice] = invoices()
    invoice.issued_on -= timedelta(days=40)
    invoice.due_on -= timedelta(days=40)
    db.session.commit()
    assert collection.remind_overdue() == 1
    db.session.commit()

    send(runner)

    email = by_subject(smtp.messages, f"Reminder: invoice {invoice.number} is overdue")
    assert email["To"] == "accounts@acme.example"
    assert "£65.00 is still owed" in email.get_body(("plain",)).get_content()
    assert pdf_attachment(email)[0] == f"{invoice.number}.pdf"
