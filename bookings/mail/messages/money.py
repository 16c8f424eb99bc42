"""Invoices and credit notes: each email carries its document as a PDF, built when sent."""

from __future__ import annotations

from flask import current_app

from ...calendar import ics
from ...models import (
    CreditNote,
    Invoice,
)
from .base import Email, _render


def _invoice_email(kind: str, invoice: Invoice, subject: str, attachment: str, **context) -> Email:
    text, html = _render(
        kind,
        invoice=invoice,
        payment_details=current_app.config["INVOICE_PAYMENT_DETAILS"],
        invoices_url=ics.site_url("/account/invoices"),
        **context,
    )
    return Email(
        kind=kind,
        recipient=invoice.buyer_email,
        subject=subject,
        body_text=text,
        body_html=html,
        user_id=invoice.user_id,
        attachment=attachment,
    )


def invoice_issued(invoice: Invoice) -> Email:
    """A new invoice, to whoever pays: the organisation's invoice address or the learner."""
    return _invoice_email(
        "invoice_issued",
        invoice,
        f"Invoice {invoice.number} from {invoice.seller_name}",
        f"invoice:{invoice.number}",
    )


def credit_note_issued(note: CreditNote) -> Email:
    """Money given back against an invoice, to whoever the invoice went to."""
    invoice = note.invoice
    return _invoice_email(
        "credit_note_issued",
        invoice,
        f"Credit note {note.number} for invoice {invoice.number}",
        f"credit_note:{note.number}",
        note=note,
    )


def invoice_reminder(invoice: Invoice) -> Email:
    """The invoice is past its due date and still unpaid."""
    return _invoice_email(
        "invoice_reminder",
        invoice,
        f"Reminder: invoice {invoice.number} is overdue",
        f"invoice:{invoice.number}",
    )
