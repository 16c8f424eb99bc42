"""Invoices and credit notes for priced places, and the cancellation policy.

Every function here adds to the caller's transaction (the booking, cancellation or
staff action that causes it) and never commits: an invoice exists exactly when the
place it bills was confirmed, and a credit note exactly when the change it answers
was made.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, select, update

from .. import timefmt
from ..enums import CreditReason, InvoiceStatus, Payer
from ..extensions import db
from ..mail import messages, outbox
from ..models import Booking, CreditNote, Invoice, InvoiceLine, User, utcnow
from . import numbering
from .amounts import percent_of, vat_on
from .issuing import draft_invoice, issue, today


@dataclass(frozen=True)
class Billing:
    """Who pays for a priced place, as the booking form asks."""

    payer: str = Payer.SELF
    email: str = ""
    organisation: str = ""
    address: str = ""
    po_number: str = ""

    @property
    def by_organisation(self) -> bool:
        return self.payer == Payer.ORGANISATION

    def apply_to(self, booking: Booking) -> None:
        """Bill the booking so; a learner who pays keeps no organisation's details on it."""
        booking.payer = self.payer
        paid_for = self.by_organisation
        booking.invoice_email = self.email if paid_for else ""
        booking.invoice_organisation = self.organisation if paid_for else ""
        booking.invoice_address = self.address if paid_for else ""
        booking.po_number = self.po_number if paid_for else ""

    def remember_on(self, user: User) -> None:
        """Keep the answer on the profile, to offer it next time.

        Only what differs is set: a profile left as it was has nothing to write.
        """
        answers = {"payer": self.payer}
        if self.by_organisation:
            answers |= {
                "invoice_email": self.email,
                "invoice_organisation": self.organisation,
                "invoice_address": self.address,
            }
        for name, value in answers.items():
            if getattr(user, name) != value:
                setattr(user, name, value)

    @classmethod
    def remembered(cls, user: User) -> Billing:
        return cls(
            payer=user.payer or Payer.SELF,
            email=user.invoice_email,
            organisation=user.invoice_organisation,
            address=user.invoice_address,
        )


def live_line(booking_id: int) -> InvoiceLine | None:
    """The invoice line that bills a booking now, if any."""
    return db.session.scalar(
        select(InvoiceLine).where(InvoiceLine.booking_id == booking_id, InvoiceLine.live)
    )


def _billed_ids(booking_ids: list[int]) -> set[int]:
    """Which of these bookings a live invoice line bills now."""
    billed = select(InvoiceLine.booking_id).where(InvoiceLine.booking_id.in_(booking_ids))
    return set(db.session.scalars(billed.where(InvoiceLine.live))) if booking_ids else set()


def invoice_places(
    bookings: Sequence[Booking], owner: User | None = None, *, placed_now: bool = False
) -> Invoice | None:
    """Issue one invoice for the confirmed priced places among bookings, one line each.

    owner sees the invoice in their account: by default the booking's organiser (the
    learner, or whoever booked for a team). Bookings already invoiced, waiting or free
    are left out; with none left, no invoice. The buyer's details come from the first
    booking billed. placed_now says the bookings were written in this transaction, so
    none can be invoiced yet and there is nothing to look up.
    """
    billable = [b for b in bookings if b.has_place and b.price_pence > 0]
    if not placed_now:
        billed = _billed_ids([b.id for b in billable])
        billable = [b for b in billable if b.id not in billed]
    draft = draft_invoice(billable, owner)
    if draft is None:
        return None
    return issue(draft)


# The cancellation policy.


@dataclass(frozen=True)
class CancellationTerms:
    """What cancelling a booking now does to the money; the cancel page says it."""

    invoiced_pence: int  # still billed on the booking's live line (0: nothing billed)
    charge_pence: int  # kept if the place is not refilled
    free_until: datetime | None  # when the free window closes

    @property
    def charged(self) -> bool:
        return self.charge_pence > 0

    def describe(self) -> str:
        if not self.invoiced_pence:
            return ""
        if not self.charged:
            return (
                f"You will not be charged: a credit note for "
                f"{timefmt.money(self.invoiced_pence)} will cancel the invoice."
            )
        return (
            f"Cancelling now is charged {timefmt.money(self.charge_pence)}, because the "
            f"session starts in less than {current_app.config['CANCELLATION_FREE_DAYS']} "
            "days. If the place goes to someone on the waiting list, you will not be "
            "charged and the invoice will be credited in full."
        )


def free_until(booking: Booking) -> datetime:
    days = current_app.config["CANCELLATION_FREE_DAYS"]
    return booking.session.starts_at - timedelta(days=days)


def cancellation_terms(booking: Booking, now: datetime | None = None) -> CancellationTerms:
    """What cancelling booking at now would cost, under the configured policy."""
    line = live_line(booking.id)
    if line is None or line.creditable_pence == 0:
        return CancellationTerms(0, 0, None)
    closes = free_until(booking)
    if (now or utcnow()) < closes:
        return CancellationTerms(line.creditable_pence, 0, closes)
    percent = current_app.config["CANCELLATION_CHARGE_PERCENT"]
    charge_net = percent_of(line.net_pence, percent)
    charge = charge_net + vat_on(charge_net, line.invoice.vat_rate_bp)
    return CancellationTerms(line.creditable_pence, min(charge, line.creditable_pence), closes)


def _credited_so_far(line: InvoiceLine) -> tuple[int, int]:
    rows = db.session.execute(
        select(CreditNote.net_pence, CreditNote.vat_pence).where(
            CreditNote.invoice_line_id == line.id
        )
    ).all()
    return sum(r.net_pence for r in rows), sum(r.vat_pence for r in rows)


def _lock_lines(lines: Sequence[InvoiceLine]) -> None:
    """Lock lines with a write that changes nothing, then read them as committed.

    Two credits of one line at once (a waiver clicked twice, say) then run one after
    the other, and the second sees what the first gave back.
    """
    db.session.execute(
        update(InvoiceLine)
        .where(InvoiceLine.id.in_([line.id for line in lines]))
        .values(credited_pence=InvoiceLine.credited_pence)
        .execution_options(synchronize_session=False)
    )
    for line in lines:
        db.session.refresh(line)
        db.session.refresh(line.invoice)


def _add_credit(line: InvoiceLine, pence: int) -> None:
    """Count a credit on the line and its invoice in the database's own arithmetic."""
    db.session.execute(
        update(InvoiceLine)
        .where(InvoiceLine.id == line.id)
        .values(
            credited_pence=InvoiceLine.credited_pence + pence,
            live=InvoiceLine.live & (InvoiceLine.credited_pence + pence < InvoiceLine.total_pence),
        )
        .execution_options(synchronize_session=False)
    )
    fully = Invoice.credited_pence + pence == Invoice.total_pence
    db.session.execute(
        update(Invoice)
        .where(Invoice.id == line.invoice_id)
        .values(
            credited_pence=Invoice.credited_pence + pence,
            status=case(
                (fully & (Invoice.status == InvoiceStatus.ISSUED), InvoiceStatus.CREDITED.value),
                else_=Invoice.status,
            ),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(line)
    db.session.refresh(line.invoice)


def credit_line(
    line: InvoiceLine,
    reason: str,
    *,
    keep_net_pence: int = 0,
    note: str = "",
    by: User | None = None,
    locked: bool = False,
) -> CreditNote | None:
    """Credit what is left on a line, less keep_net_pence (a charge, net of VAT).

    The line stops being live once nothing is left on it. Returns the credit note,
    or None when there is nothing to credit. locked: the caller has locked the line.
    """
    if not locked:
        _lock_lines([line])
    credited_net, credited_vat = _credited_so_far(line)
    invoice = line.invoice
    keep_net = min(keep_net_pence, line.net_pence - credited_net)
    keep_vat = vat_on(keep_net, invoice.vat_rate_bp) if keep_net else 0
    net = line.net_pence - credited_net - keep_net
    vat = max(line.vat_pence - credited_vat - keep_vat, 0)
    if net + vat <= 0:
        return None
    issued_on = today()
    note_row = CreditNote(
        number=numbering.next_number(
            numbering.CREDIT_NOTE, current_app.config["CREDIT_NOTE_PREFIX"], issued_on.year
        ),
        invoice_id=invoice.id,
        invoice_line_id=line.id,
        reason=reason,
        note=note,
        issued_on=issued_on,
        net_pence=net,
        vat_pence=vat,
        total_pence=net + vat,
        created_by_id=by.id if by is not None else None,
    )
    db.session.add(note_row)
    db.session.flush()
    _add_credit(line, note_row.total_pence)
    outbox.enqueue(messages.credit_note_issued(note_row))
    return note_row


def settle_cancellation(
    booking: Booking, *, refilled: bool, by: User | None = None, now: datetime | None = None
) -> CreditNote | None:
    """Apply the cancellation policy to a booking just cancelled.

    In the free window, or when its place went to the waiting list, the invoice is
    credited in full; later, the charge is kept and the rest credited.
    """
    line = live_line(booking.id)
    if line is None:
        return None
    terms = cancellation_terms(booking, now)
    if not terms.charged:
        return credit_line(line, CreditReason.CANCELLED, by=by)
    if refilled:
        return credit_line(line, CreditReason.REFILLED, by=by)
    percent = current_app.config["CANCELLATION_CHARGE_PERCENT"]
    keep = percent_of(line.net_pence, percent)
    return credit_line(line, CreditReason.CANCELLED, keep_net_pence=keep, by=by)


def credit_session_cancelled(session_id: int, by: User | None = None) -> list[CreditNote]:
    """A cancelled session owes nobody anything: credit in full every line still billing
    one of its bookings, a late cancellation's charge included."""
    lines = db.session.scalars(
        select(InvoiceLine)
        .join(Booking, InvoiceLine.booking_id == Booking.id)
        .where(Booking.session_id == session_id, InvoiceLine.live)
        .order_by(InvoiceLine.id)
    )
    lines = list(lines)
    if lines:
        _lock_lines(lines)
    notes = []
    for line in lines:
        if note := credit_line(line, CreditReason.SESSION_CANCELLED, by=by, locked=True):
            notes.append(note)
    return notes


def waive_charge(line: InvoiceLine, reason: str, by: User) -> CreditNote | None:
    """Staff waive what is still charged on a line; the reason goes on the credit note."""
    return credit_line(line, CreditReason.WAIVED, note=reason, by=by)


def settle_move(old: Booking, new: Booking, owner: User | None = None) -> None:
    """After a booking moved to another session (a new booking row).

    At the same price and with a place, the invoice stays and now bills the new
    booking. At another price, or onto a waiting list, the old line is credited in
    full and the new place, once confirmed, invoiced afresh.
    """
    line = live_line(old.id)
    if line is not None and new.has_place and new.price_pence == line.unit_pence:
        line.booking_id = new.id
        db.session.flush()
        return
    # The new invoice's number first, then the credit note's, as a cancellation that
    # promotes takes them: two transactions never wait on each other's counters.
    invoice_places([new], owner)
    if line is not None:
        credit_line(line, CreditReason.REPRICED)
