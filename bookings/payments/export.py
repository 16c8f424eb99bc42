"""Invoices for accounting packages: Xero's sales-invoice import, and a plain CSV.

Both are built row by row as the response streams, so a year of invoices never sits
in memory. Amounts are plain decimals ("65.00"); text people typed is made safe for
spreadsheets (see spreadsheet.safe_cell).
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Iterator
from datetime import date

from flask import current_app
from sqlalchemy import ColumnElement

from .. import timefmt
from ..enums import PAYMENT_METHOD_LABELS
from ..models import CreditNote, Invoice
from ..spreadsheet import csv_chunks, safe_cell
from . import queries

# The columns of Xero's sales-invoice import template, in its order; those it
# requires carry its asterisk.
XERO_HEADER = [
    "*ContactName",
    "EmailAddress",
    "POAddressLine1",
    "POAddressLine2",
    "POAddressLine3",
    "POAddressLine4",
    "POCity",
    "PORegion",
    "POPostalCode",
    "POCountry",
    "*InvoiceNumber",
    "Reference",
    "*InvoiceDate",
    "*DueDate",
    "Total",
    "TaxTotal",
    "InvoiceAmountPaid",
    "InvoiceAmountDue",
    "InventoryItemCode",
    "*Description",
    "*Quantity",
    "*UnitAmount",
    "Discount",
    "*AccountCode",
    "*TaxType",
    "TrackingName1",
    "TrackingOption1",
    "TrackingName2",
    "TrackingOption2",
    "Currency",
    "BrandingTheme",
]
XERO_NO_VAT = "No VAT"

DOCUMENTS_HEADER = [
    "Number",
    "Type",
    "Date",
    "Due date",
    "Invoice",
    "Buyer",
    "Organisation",
    "Email",
    "Purchase order",
    "Net (GBP)",
    "VAT (GBP)",
    "Total (GBP)",
    "Status",
    "Paid on",
    "Payment method",
    "Payment reference",
    "Reason",
]

# A UK postcode, alone on the address's last line or ending it ("Chatham ME4 4AA").
POSTCODE = re.compile(r"(?:^|\s)([A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2})$", re.IGNORECASE)
ADDRESS_LINES = 4


def xero_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def xero_tax_type(invoice: Invoice) -> str:
    """Xero's name for the invoice's VAT rate: 'No VAT', '20% (VAT on Income)'."""
    return f"{invoice.vat_percent}% (VAT on Income)" if invoice.has_vat else XERO_NO_VAT


def postal_address(text: str) -> tuple[list[str], str]:
    """Up to four address lines (the rest joined onto the fourth) and the postcode."""
    lines = [line.strip().rstrip(",") for line in (text or "").splitlines() if line.strip()]
    postcode = ""
    if lines and (found := POSTCODE.search(lines[-1])):
        postcode = found.group(1).upper()
        rest = lines[-1][: found.start(1)].strip().rstrip(",")
        lines = lines[:-1] + ([rest] if rest else [])
    if len(lines) > ADDRESS_LINES:
        lines = lines[: ADDRESS_LINES - 1] + [", ".join(lines[ADDRESS_LINES - 1 :])]
    return lines + [""] * (ADDRESS_LINES - len(lines)), postcode


def _paid_and_due(invoice: Invoice) -> tuple[int, int]:
    if invoice.is_paid:
        return invoice.total_pence - invoice.credited_pence, 0
    return 0, invoice.balance_pence


def xero_rows(invoices: Iterable[Invoice]) -> Iterator[list[str]]:
    """One row per invoice line, the invoice's own columns repeated on each."""
    account = current_app.config["XERO_SALES_ACCOUNT"]
    money = timefmt.decimal_pounds
    for invoice in invoices:
        address, postcode = postal_address(invoice.buyer_address)
        paid, due = _paid_and_due(invoice)
        for line in invoice.lines:
            yield [
                safe_cell(invoice.buyer),
                safe_cell(invoice.buyer_email),
                *(safe_cell(part) for part in address),
                "",  # POCity: the address is free text, so the town stays in its lines
                "",
                postcode,
                "",
                invoice.number,
                safe_cell(invoice.po_number),
                xero_date(invoice.issued_on),
                xero_date(invoice.due_on),
                money(invoice.total_pence),
                money(invoice.vat_pence),
                money(paid),
                money(due),
                "",
                safe_cell(line.description),
                str(line.quantity),
                money(line.unit_pence),  # net: import with "amounts are tax exclusive"
                "",
                safe_cell(account),
                xero_tax_type(invoice),
                "",
                "",
                "",
                "",
                "GBP",
                "",
            ]


Dates = tuple[date | None, date | None]


def xero_csv(invoice_conditions: list[ColumnElement[bool]], issued_between: Dates) -> Iterator[str]:
    """The invoices the conditions pick, issued between two dates (either may be None),
    in Xero's sales-invoice import format. Xero reads UTF-8 without a BOM."""
    invoices = queries.export_invoices(
        [*invoice_conditions, *queries.issued_between(Invoice.issued_on, *issued_between)]
    )
    return csv_chunks(XERO_HEADER, xero_rows(invoices), bom=False, made_safe=True)


def _invoice_row(invoice: Invoice, today: date) -> list[str]:
    money = timefmt.decimal_pounds
    return [
        invoice.number,
        "Invoice",
        invoice.issued_on.isoformat(),
        invoice.due_on.isoformat(),
        "",
        safe_cell(invoice.buyer_name),
        safe_cell(invoice.buyer_organisation),
        safe_cell(invoice.buyer_email),
        safe_cell(invoice.po_number),
        money(invoice.net_pence),
        money(invoice.vat_pence),
        money(invoice.total_pence),
        invoice.state(today),
        invoice.paid_on.isoformat() if invoice.paid_on else "",
        _method_label(invoice.payment_method),
        safe_cell(invoice.payment_reference),
        "",
    ]


def _credit_note_row(note: CreditNote) -> list[str]:
    """A credit note's amounts are negative: the file's totals then add up to what is owed."""
    invoice, money = note.invoice, timefmt.decimal_pounds
    return [
        note.number,
        "Credit note",
        note.issued_on.isoformat(),
        "",
        invoice.number,
        safe_cell(invoice.buyer_name),
        safe_cell(invoice.buyer_organisation),
        safe_cell(invoice.buyer_email),
        safe_cell(invoice.po_number),
        money(-note.net_pence),
        money(-note.vat_pence),
        money(-note.total_pence),
        "Issued",
        "",
        "",
        "",
        safe_cell(note.reason_label + (f": {note.note}" if note.note else "")),
    ]


def _method_label(method: str) -> str:
    return PAYMENT_METHOD_LABELS.get(method, method)


def documents_csv(
    invoice_conditions: list[ColumnElement[bool]], issued_between: Dates, today: date
) -> Iterator[str]:
    """Invoices and credit notes (of the invoices the conditions pick) issued between
    two dates, in date order, one row each, as CSV with a BOM for Excel."""
    invoices = (
        ((i.issued_on, 0, i.id), _invoice_row(i, today))
        for i in queries.export_invoices(
            [*invoice_conditions, *queries.issued_between(Invoice.issued_on, *issued_between)]
        )
    )
    notes = (
        ((n.issued_on, 1, n.id), _credit_note_row(n))
        for n in queries.export_credit_notes(
            invoice_conditions, queries.issued_between(CreditNote.issued_on, *issued_between)
        )
    )
    rows = (row for _, row in heapq.merge(invoices, notes, key=lambda pair: pair[0]))
    return csv_chunks(DOCUMENTS_HEADER, rows, made_safe=True)
