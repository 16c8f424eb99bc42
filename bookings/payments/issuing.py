"""Issuing invoices: drafted in full before the number is drawn, then numbered and added.

Drawing a number locks the series' counter until the transaction ends (see
numbering), so a draft holds everything that can be done before it, the email
included: issuing it is then a couple of statements.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app

from .. import timefmt
from ..enums import InvoiceStatus, Payer
from ..extensions import db
from ..mail import messages, outbox
from ..models import Booking, Invoice, InvoiceLine, User, utcnow
from ..models.base import write_row
from . import numbering
from .amounts import rate_basis_points, vat_on


def today() -> date:
    """Today in the organisation's time zone: the date documents carry."""
    return timefmt.to_local(utcnow()).date()


def vat_rate_bp() -> int:
    return rate_basis_points(current_app.config["VAT_RATE"])


def line_description(booking: Booking) -> str:
    session = booking.session
    return (
        f"{session.course.title}, {timefmt.when(session.starts_at, session.ends_at)}: "
        f"{booking.learner.name}"
    )


def _buyer(booking: Booking, owner: User) -> dict:
    if booking.payer == Payer.ORGANISATION:
        return {
            "payer": Payer.ORGANISATION,
            "buyer_name": owner.name,
            "buyer_email": booking.invoice_email or owner.email,
            "buyer_organisation": booking.invoice_organisation,
            "buyer_address": booking.invoice_address,
            "po_number": booking.po_number,
        }
    return {
        "payer": Payer.SELF,
        "buyer_name": owner.name,
        "buyer_email": owner.email,
        "buyer_organisation": "",
        "buyer_address": "",
        "po_number": "",
    }


def _seller() -> dict:
    config = current_app.config
    return {
        "seller_name": config["ORG_NAME"],
        "seller_address": config["ORG_ADDRESS"],
        "charity_number": config["CHARITY_NUMBER"],
        "vat_number": config["VAT_NUMBER"],
    }


# Written where the number will go in a draft's email; no template changes its case
# or escapes it, so it is found again and replaced once the number is drawn.
NUMBER_TO_COME = "INVOICE0NUMBER0TO0COME"


@dataclass
class DraftInvoice:
    """An invoice and its email made ready before the number is drawn.

    Drawing the number locks the series' counter until commit (see numbering), so
    everything that can be done before it is: issuing is then a few statements.
    """

    invoice: Invoice
    email: messages.Email


def draft_invoice(billable: Sequence[Booking], owner: User | None = None) -> DraftInvoice | None:
    """The invoice for these priced places, unnumbered and not yet in the transaction.

    The bookings may be new and not yet written: each line refers to its booking.
    """
    if not billable:
        return None
    owner = owner or billable[0].organiser
    rate = vat_rate_bp()
    issued_on = today()
    invoice = Invoice(
        number=NUMBER_TO_COME,
        user_id=owner.id,
        vat_rate_bp=rate,
        issued_on=issued_on,
        due_on=issued_on + timedelta(days=current_app.config["INVOICE_DUE_DAYS"]),
        status=InvoiceStatus.ISSUED,
        **_buyer(billable[0], owner),
        **_seller(),
    )
    lines = []
    for booking in billable:
        net = booking.price_pence
        vat = vat_on(net, rate)
        lines.append(
            InvoiceLine(
                booking=booking,
                description=line_description(booking),
                quantity=1,
                unit_pence=net,
                net_pence=net,
                vat_pence=vat,
                total_pence=net + vat,
                credited_pence=0,
                live=True,
            )
        )
    invoice.lines = lines
    invoice.net_pence = sum(line.net_pence for line in lines)
    invoice.vat_pence = sum(line.vat_pence for line in lines)
    invoice.total_pence = invoice.net_pence + invoice.vat_pence
    invoice.credited_pence = 0
    return DraftInvoice(invoice, messages.invoice_issued(invoice))


def issue(draft: DraftInvoice) -> Invoice:
    """Number the drafted invoice and write it, its lines and its email now.

    Each line's booking must be written already.
    """
    invoice = draft.invoice
    invoice.number = numbering.next_number(
        numbering.INVOICE, current_app.config["INVOICE_PREFIX"], invoice.issued_on.year
    )
    write_row(db.session, invoice)
    for line in invoice.lines:
        line.invoice_id = invoice.id
        line.booking_id = line.booking.id
        write_row(db.session, line)
    db.session.add(invoice)
    outbox.enqueue(draft.email.with_text_for(NUMBER_TO_COME, invoice.number))
    return invoice
