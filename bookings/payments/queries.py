"""Read-only questions about invoices and credit notes: whose, which list, how much."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    ColumnElement,
    Select,
    case,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
    union,
)
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.elements import True_

from .. import substring, timefmt
from ..enums import InvoiceList, InvoiceStatus
from ..extensions import db
from ..models import (
    Booking,
    CreditNote,
    DocumentCount,
    Invoice,
    InvoiceLine,
    InvoiceTotal,
    User,
)


def invoice_by_number(number: str) -> Invoice | None:
    return db.session.scalar(select(Invoice).where(Invoice.number == number))


def credit_note_by_number(number: str) -> CreditNote | None:
    return db.session.scalar(select(CreditNote).where(CreditNote.number == number))


def invoices_of(user_id: int) -> list[Invoice]:
    """A person's invoices, newest first, with their credit notes."""
    return list(
        db.session.scalars(
            select(Invoice)
            .where(Invoice.user_id == user_id)
            .options(selectinload(Invoice.credit_notes))
            .order_by(Invoice.issued_on.desc(), Invoice.id.desc())
        )
    )


# The staff lists.


def in_list(
    which: str, today: date, of: type[Invoice] | type[InvoiceTotal] = Invoice
) -> ColumnElement[bool]:
    """The condition for one list of the staff page; outstanding includes the overdue.
    Of invoices, or of the rows of invoice_totals (of=InvoiceTotal)."""
    if which == InvoiceList.OUTSTANDING:
        return of.status == InvoiceStatus.ISSUED
    if which == InvoiceList.OVERDUE:
        return (of.status == InvoiceStatus.ISSUED) & (of.due_on < today)
    if which == InvoiceList.PAID:
        return of.status == InvoiceStatus.PAID
    if which == InvoiceList.CREDITED:
        return of.status == InvoiceStatus.CREDITED
    return false()


# An invoice's own columns a search looks in; PostgreSQL's trigram index (migration
# 0016) joins them in this order.
SEARCHED_COLUMNS = (
    Invoice.number,
    Invoice.buyer_name,
    Invoice.buyer_email,
    Invoice.buyer_organisation,
    Invoice.po_number,
)


def matching(search: str) -> ColumnElement[bool]:
    """Invoices whose number, buyer, organisation, or one of whose learners, matches
    (in any case; from the trigram indexes where there are some: bookings/substring.py)."""
    if not search.strip():
        return true()
    like = substring.like_pattern(search)
    if substring.indexed(search):
        learners = substring.ids_containing("user_substrings", search)
    else:
        learners = select(User.id).where(
            or_(substring.contains(User.name, like), substring.contains(User.email, like))
        )
    of_learners = (
        select(InvoiceLine.invoice_id)
        .join(Booking, InvoiceLine.booking_id == Booking.id)
        .where(Booking.learner_id.in_(learners))
    )
    notes = select(CreditNote.invoice_id).where(substring.contains(CreditNote.number, like))
    if substring.on_sqlite():
        return or_(
            substring.matching(Invoice.id, "invoice_substrings", SEARCHED_COLUMNS, search),
            Invoice.id.in_(of_learners),
            Invoice.id.in_(notes),
        )
    # PostgreSQL: the invoice's own columns through their trigram index (migration
    # 0016), and each way in read by an index: a union of ids, as an OR with the
    # learners' and notes' subqueries would read every invoice.
    own = select(Invoice.id).where(substring.contains(_searched_text(), like))
    return Invoice.id.in_(union(own, of_learners, notes))


def _searched_text() -> ColumnElement[str]:
    """The searched columns as ix_invoices_search_trgm indexes them, in its order."""
    first, *rest = SEARCHED_COLUMNS
    for column in rest:
        first = first.concat(literal_column("chr(1)")).concat(column)
    return first


def issued_between(column, first: date | None, last: date | None) -> list[ColumnElement[bool]]:
    """Documents dated first to last, both included (either may be None: no limit)."""
    return [*([column >= first] if first else []), *([column <= last] if last else [])]


STAFF_LIST_ORDER = (Invoice.issued_on.desc(), Invoice.id.desc())


def staff_list(which: str, conditions: list[ColumnElement[bool]], today: date) -> Select:
    return (
        select(Invoice)
        .where(in_list(which, today), *conditions)
        .options(selectinload(Invoice.lines))
        .order_by(*STAFF_LIST_ORDER)
    )


@dataclass(frozen=True)
class ListSummary:
    count: int
    total_pence: int


def list_summaries(conditions: list[ColumnElement[bool]], today: date) -> dict[str, ListSummary]:
    """How many invoices each list holds, and what they come to: the amount still due
    (outstanding, overdue), received (paid) or credited. With nothing chosen, added up
    from invoice_totals (one row per status and due date); else from the invoices chosen."""
    if _filtering(conditions):
        of, count = Invoice, literal(1)
        due, credited = Invoice.total_pence - Invoice.credited_pence, Invoice.credited_pence
    else:
        of, count = InvoiceTotal, InvoiceTotal.invoice_count
        due, credited = InvoiceTotal.due_pence, InvoiceTotal.credited_pence
        conditions = []
    measures = {
        InvoiceList.OUTSTANDING: due,
        InvoiceList.OVERDUE: due,
        InvoiceList.PAID: due,
        InvoiceList.CREDITED: credited,
    }
    columns = []
    for which, measure in measures.items():
        condition = in_list(which, today, of)
        columns.append(func.sum(case((condition, count), else_=0)))
        columns.append(func.sum(case((condition, measure), else_=0)))
    row = db.session.execute(select(*columns).select_from(of).where(*conditions)).one()
    return {
        which: ListSummary(int(row[2 * i] or 0), int(row[2 * i + 1] or 0))
        for i, which in enumerate(measures)
    }


# Reminders.


def due_for_reminder(today: date, reminded_before: datetime) -> list[Invoice]:
    """Overdue invoices with no reminder sent since reminded_before."""
    return list(
        db.session.scalars(
            select(Invoice)
            .where(
                in_list(InvoiceList.OVERDUE, today),
                or_(Invoice.reminder_sent_at.is_(None), Invoice.reminder_sent_at < reminded_before),
            )
            .order_by(Invoice.due_on, Invoice.id)
        )
    )


# Exports: the documents a filter picks, oldest first, read a batch at a time.

EXPORT_BATCH = 500


def _export_invoices_query(conditions: list[ColumnElement[bool]]) -> Select:
    return select(Invoice).where(*conditions).order_by(Invoice.issued_on, Invoice.id)


def _export_notes_query(
    invoice_conditions: list[ColumnElement[bool]], note_conditions: list[ColumnElement[bool]]
) -> Select:
    return (
        select(CreditNote)
        .join(CreditNote.invoice)
        .where(*invoice_conditions, *note_conditions)
        .order_by(CreditNote.issued_on, CreditNote.id)
    )


def export_invoices(conditions: list[ColumnElement[bool]]):
    return db.session.scalars(
        _export_invoices_query(conditions)
        .options(selectinload(Invoice.lines))
        .execution_options(yield_per=EXPORT_BATCH)
    )


def export_credit_notes(
    invoice_conditions: list[ColumnElement[bool]], note_conditions: list[ColumnElement[bool]]
):
    return db.session.scalars(
        _export_notes_query(invoice_conditions, note_conditions)
        .options(selectinload(CreditNote.invoice))
        .execution_options(yield_per=EXPORT_BATCH)
    )


@dataclass(frozen=True)
class ExportSizes:
    """The rows each accounting export will have: Xero's has one per invoice line,
    the plain CSV one per invoice and one per credit note."""

    xero: int
    documents: int


def export_sizes(
    invoice_conditions: list[ColumnElement[bool]],
    invoice_dates: list[ColumnElement[bool]],
    note_dates: list[ColumnElement[bool]],
) -> ExportSizes:
    """The rows the exports will have, in one statement, counting what their queries
    read: invoice lines of the invoices chosen, those invoices, and the credit notes
    dated so on them. With nothing chosen, from the counts the triggers keep."""
    chosen = _filtering([*invoice_conditions, *invoice_dates])
    of_invoices = _filtering(invoice_conditions)
    if not chosen and not note_dates:
        lines, invoices, notes = (
            _kept_count(DocumentCount.row_count, DocumentCount.table_name == "invoice_lines"),
            _kept_count(InvoiceTotal.invoice_count),
            _kept_count(DocumentCount.row_count, DocumentCount.table_name == "credit_notes"),
        )
    else:
        invoices = select(func.count(Invoice.id)).where(*chosen)
        lines = select(func.count(InvoiceLine.id))
        if chosen:
            lines = lines.join(Invoice, InvoiceLine.invoice_id == Invoice.id).where(*chosen)
        notes = select(func.count(CreditNote.id)).where(*note_dates)
        if of_invoices:
            notes = notes.join(CreditNote.invoice).where(*of_invoices)
    xero, invoice_count, note_count = db.session.execute(
        select(lines.scalar_subquery(), invoices.scalar_subquery(), notes.scalar_subquery())
    ).one()
    return ExportSizes(xero=int(xero), documents=int(invoice_count + note_count))


def _kept_count(column, *conditions: ColumnElement[bool]) -> Select:
    return select(func.coalesce(func.sum(column), 0)).where(*conditions)


def _filtering(conditions: list[ColumnElement[bool]]) -> list[ColumnElement[bool]]:
    """The conditions that choose something (an empty search is true())."""
    return [c for c in conditions if not isinstance(c, True_)]


# What a cancellation did to the money.


@dataclass(frozen=True)
class Settlement:
    """The latest credit note on a booking's invoice line, and what the line still charges."""

    invoice_number: str
    credit_note_number: str
    credited_pence: int
    still_charged_pence: int
    paid: bool = False

    def describe(self) -> str:
        """For the learner who has just cancelled."""
        credited = timefmt.amount(self.credited_pence)
        if self.credit_note_number and self.paid:
            return (
                f"Credit note {self.credit_note_number} for {credited} is issued against "
                f"invoice {self.invoice_number}, which is paid: we will be in touch about "
                "the refund."
            )
        if self.credit_note_number and not self.still_charged_pence:
            return (
                f"Credit note {self.credit_note_number} for {credited} "
                f"cancels invoice {self.invoice_number}: you owe nothing for this place."
            )
        charge = timefmt.amount(self.still_charged_pence)
        if self.credit_note_number:
            return (
                f"Credit note {self.credit_note_number} for {credited} "
                f"is issued; a cancellation charge of {charge} stays due on invoice "
                f"{self.invoice_number}."
            )
        if self.paid:
            return (
                f"The cancellation charge of {charge} is kept from invoice "
                f"{self.invoice_number}, which is paid."
            )
        return f"A cancellation charge of {charge} stays due on invoice {self.invoice_number}."


def settlement(booking_id: int) -> Settlement | None:
    """What the booking's invoice line now says, or None when it was never invoiced."""
    line = db.session.scalar(
        select(InvoiceLine)
        .where(InvoiceLine.booking_id == booking_id)
        .order_by(InvoiceLine.id.desc())
        .limit(1)
    )
    if line is None:
        return None
    note = db.session.scalar(
        select(CreditNote)
        .where(CreditNote.invoice_line_id == line.id)
        .order_by(CreditNote.id.desc())
        .limit(1)
    )
    return Settlement(
        invoice_number=line.invoice.number,
        credit_note_number=note.number if note is not None else "",
        credited_pence=note.total_pence if note is not None else 0,
        still_charged_pence=line.creditable_pence,
        paid=line.invoice.is_paid,
    )
