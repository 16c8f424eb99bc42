"""Invoices and credit notes as PDF documents (fpdf2, through bookings.pdf).

A document shows what was issued, from the copy of the seller's and buyer's details
the invoice keeps: it reads the same whenever it is built, so an email can carry it
built at sending time and the account page can offer it for download for ever.
"""

from __future__ import annotations

from flask import current_app
from fpdf.enums import XPos, YPos
from sqlalchemy import select

from .. import timefmt
from ..errors import NoSuchRecord
from ..extensions import db
from ..models import CreditNote, Invoice
from ..pdf import Document, printable

INVOICE = "invoice"
CREDIT_NOTE = "credit_note"
LINE_HEIGHT = 5.5


def _pair(pdf: Document, label: str, value: str, width: float = 38) -> None:
    """One 'label: value' row of the facts block at the top right."""
    pdf.set_x(pdf.w - pdf.r_margin - 80)
    pdf.set_font("Helvetica", style="B", size=10)
    pdf.cell(width, LINE_HEIGHT, printable(label))
    pdf.set_font("Helvetica", size=10)
    pdf.cell(80 - width, LINE_HEIGHT, printable(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _block(pdf: Document, heading: str, lines: list[str]) -> None:
    pdf.set_font("Helvetica", style="B", size=10)
    pdf.cell(0, LINE_HEIGHT, printable(heading), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=10)
    for line in lines:
        pdf.multi_cell(
            95, LINE_HEIGHT, printable(line), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )


def _address_lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _seller_lines(invoice: Invoice) -> list[str]:
    lines = [invoice.seller_name, *_address_lines(invoice.seller_address)]
    if invoice.charity_number:
        lines.append(f"Registered charity number {invoice.charity_number}")
    if invoice.vat_number:
        lines.append(f"VAT registration number {invoice.vat_number}")
    return lines


def _buyer_lines(invoice: Invoice) -> list[str]:
    lines = []
    if invoice.buyer_organisation:
        lines.append(invoice.buyer_organisation)
    lines.append(
        f"For the attention of {invoice.buyer_name}"
        if invoice.buyer_organisation
        else invoice.buyer_name
    )
    lines.extend(_address_lines(invoice.buyer_address))
    lines.append(invoice.buyer_email)
    return lines


def _heading(pdf: Document, title: str, invoice: Invoice) -> float:
    """Title and seller on the left; returns where the facts block starts."""
    pdf.add_page()
    pdf.heading(title, size=20)
    top = pdf.get_y()
    _block(pdf, "From", _seller_lines(invoice))
    below_seller = pdf.get_y()
    pdf.set_y(top)
    return below_seller


def _amount_table(pdf: Document, invoice: Invoice, rows: list[tuple[str, int, int, int]]) -> None:
    """One row per place: description and amount (net, VAT and total when VAT applies)."""
    pdf.set_font("Helvetica", size=10)
    if invoice.has_vat:
        widths, align = (100, 26, 26, 26), ("LEFT", "RIGHT", "RIGHT", "RIGHT")
        header = ("Description", "Net", f"VAT at {invoice.vat_percent}%", "Amount")
    else:
        widths, align = (148, 30), ("LEFT", "RIGHT")
        header = ("Description", "Amount")
    with pdf.table(col_widths=widths, text_align=align, line_height=LINE_HEIGHT) as table:
        head = table.row()
        for text in header:
            head.cell(printable(text))
        for description, net, vat, total in rows:
            row = table.row()
            row.cell(printable(description))
            if invoice.has_vat:
                row.cell(timefmt.amount(net))
                row.cell(timefmt.amount(vat))
            row.cell(timefmt.amount(total))


def _totals(pdf: Document, invoice: Invoice, net: int, vat: int, total: int, label: str) -> None:
    rows = [("Net", net), (f"VAT at {invoice.vat_percent}%", vat)] if invoice.has_vat else []
    rows.append((label, total))
    for name, pence in rows:
        pdf.set_x(pdf.w - pdf.r_margin - 80)
        pdf.set_font("Helvetica", style="B" if name == label else "", size=10)
        pdf.cell(50, LINE_HEIGHT + 1, printable(name))
        pdf.cell(30, LINE_HEIGHT + 1, timefmt.amount(pence), align="R")
        pdf.ln(LINE_HEIGHT + 1)


def invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice as issued: seller, buyer, one line per place, and its totals."""
    pdf = Document(f"Invoice {invoice.number}", invoice.seller_name)
    below_seller = _heading(pdf, "Invoice", invoice)
    _pair(pdf, "Invoice number", invoice.number)
    _pair(pdf, "Date of issue", timefmt.day(invoice.issued_on))
    _pair(pdf, "Payment due by", timefmt.day(invoice.due_on))
    if invoice.po_number:
        _pair(pdf, "Purchase order", invoice.po_number)
    pdf.set_y(max(below_seller, pdf.get_y()) + 4)
    _block(pdf, "Bill to", _buyer_lines(invoice))
    pdf.ln(4)
    _amount_table(
        pdf,
        invoice,
        [(ln.description, ln.net_pence, ln.vat_pence, ln.total_pence) for ln in invoice.lines],
    )
    _totals(pdf, invoice, invoice.net_pence, invoice.vat_pence, invoice.total_pence, "Total due")
    pdf.ln(4)
    pdf.paragraph(
        f"Please pay by {timefmt.day(invoice.due_on)}, quoting {invoice.number}.", size=10
    )
    # How to pay is today's instruction (a new bank account, say), not part of the record.
    if payment_details := current_app.config["INVOICE_PAYMENT_DETAILS"]:
        pdf.paragraph(payment_details, size=10)
    if not invoice.has_vat:
        pdf.paragraph("No VAT is charged.", size=10)
    return pdf.to_bytes()


def credit_note_pdf(note: CreditNote) -> bytes:
    """A credit note: what was given back against which invoice, and why."""
    invoice = note.invoice
    pdf = Document(f"Credit note {note.number}", invoice.seller_name)
    below_seller = _heading(pdf, "Credit note", invoice)
    _pair(pdf, "Credit note number", note.number, width=42)
    _pair(pdf, "Date of issue", timefmt.day(note.issued_on), width=42)
    _pair(pdf, "Against invoice", invoice.number, width=42)
    if invoice.po_number:
        _pair(pdf, "Purchase order", invoice.po_number, width=42)
    pdf.set_y(max(below_seller, pdf.get_y()) + 4)
    _block(pdf, "Credit to", _buyer_lines(invoice))
    pdf.ln(2)
    reason = note.reason_label + (f": {note.note}" if note.note else "")
    pdf.paragraph(f"Reason: {reason}", size=10)
    pdf.ln(2)
    _amount_table(
        pdf, invoice, [(note.line.description, note.net_pence, note.vat_pence, note.total_pence)]
    )
    _totals(pdf, invoice, note.net_pence, note.vat_pence, note.total_pence, "Total credited")
    pdf.ln(4)
    pdf.paragraph(
        f"This credit note reduces what is owed on invoice {invoice.number} by "
        f"{timefmt.amount(note.total_pence)}.",
        size=10,
    )
    return pdf.to_bytes()


def attachment(reference: str) -> tuple[str, bytes]:
    """The file an outbox message names ("invoice:INV-2026-00001"): its name and bytes."""
    kind, _, number = reference.partition(":")
    if kind == INVOICE:
        invoice = db.session.scalar(select(Invoice).where(Invoice.number == number))
        if invoice is not None:
            return f"{number}.pdf", invoice_pdf(invoice)
    elif kind == CREDIT_NOTE:
        note = db.session.scalar(select(CreditNote).where(CreditNote.number == number))
        if note is not None:
            return f"{number}.pdf", credit_note_pdf(note)
    raise NoSuchRecord(f"No document {reference!r} to attach.")
