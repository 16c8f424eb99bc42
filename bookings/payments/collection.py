"""Getting paid: staff record payments, chase overdue invoices and waive charges.

Each function adds to the caller's transaction and never commits. Changes to an
invoice's state are conditional updates, so two members of staff (or a staff member
and the reminder job) acting at once cannot both succeed where only one should.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import or_, update

from .. import timefmt
from ..audit import service as audit
from ..enums import AuditAction, InvoiceStatus, PaymentMethod
from ..errors import InvalidField, InvoiceRefused, Refusal
from ..extensions import db
from ..mail import messages, outbox
from ..models import CreditNote, Invoice, InvoiceLine, User, utcnow
from . import queries
from .service import today, waive_charge


def mark_paid(
    invoice: Invoice,
    *,
    paid_on: date,
    method: str,
    reference: str = "",
    by: User | None = None,
) -> Invoice:
    """Record that the invoice is paid (a payment provider would call this too)."""
    if not invoice.is_open:
        raise InvoiceRefused(Refusal.INVOICE_NOT_OPEN)
    if paid_on < invoice.issued_on:
        raise InvalidField("paid_on", Refusal.PAID_BEFORE_ISSUE)
    if paid_on > today():
        raise InvalidField("paid_on", Refusal.PAID_IN_FUTURE)
    changed = db.session.execute(
        update(Invoice)
        .where(Invoice.id == invoice.id, Invoice.status == InvoiceStatus.ISSUED)
        .values(
            status=InvoiceStatus.PAID,
            paid_on=paid_on,
            payment_method=PaymentMethod(method).value,
            payment_reference=reference.strip(),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise InvoiceRefused(Refusal.INVOICE_NOT_OPEN)
    db.session.refresh(invoice)
    audit.record(
        AuditAction.INVOICE_PAID,
        by=by,
        subject=invoice,
        summary=(
            f"Paid {timefmt.amount(invoice.total_pence - invoice.credited_pence)} on "
            f"{timefmt.day(paid_on)} by {PaymentMethod(method).label}"
            + (f", reference {invoice.payment_reference}." if invoice.payment_reference else ".")
        ),
    )
    return invoice


def send_reminder(
    invoice: Invoice,
    *,
    reminded_before: datetime | None = None,
    now: datetime | None = None,
    by: User | None = None,
) -> bool:
    """Queue a reminder for an overdue invoice.

    With reminded_before, only when no reminder went out since then (the cron job);
    returns whether one was queued. Raises InvoiceRefused when it is not overdue.
    """
    if not invoice.is_overdue(today()):
        raise InvoiceRefused(Refusal.INVOICE_NOT_OVERDUE)
    now = now or utcnow()
    claim = update(Invoice).where(Invoice.id == invoice.id, Invoice.status == InvoiceStatus.ISSUED)
    if reminded_before is not None:
        claim = claim.where(
            or_(Invoice.reminder_sent_at.is_(None), Invoice.reminder_sent_at < reminded_before)
        )
    changed = db.session.execute(
        claim.values(reminder_sent_at=now).execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        return False
    db.session.refresh(invoice)
    outbox.enqueue(messages.invoice_reminder(invoice))
    audit.record(
        AuditAction.INVOICE_REMINDED,
        by=by,
        subject=invoice,
        summary=f"Reminder emailed to {invoice.buyer_email}.",
    )
    return True


def reminder_cutoff(on: date) -> datetime:
    """Reminders sent before this instant are old enough to repeat on the date on.

    Counted in days, not hours: a reminder sent on the 1st may go again on the 15th
    (with 14 days) whatever time of day the job runs.
    """
    days = current_app.config["INVOICE_REMINDER_DAYS"]
    first_quiet_day = on - timedelta(days=max(days, 1) - 1)
    return timefmt.from_local(datetime.combine(first_quiet_day, time.min))


def remind_overdue(now: datetime | None = None) -> int:
    """The `invoices remind` job: a reminder for each overdue invoice, at most once
    every INVOICE_REMINDER_DAYS. Returns how many were queued."""
    now = now or utcnow()
    cutoff = reminder_cutoff(timefmt.to_local(now).date())
    sent = 0
    for invoice in queries.due_for_reminder(today(), cutoff):
        if send_reminder(invoice, reminded_before=cutoff, now=now):
            sent += 1
    return sent


def waive(line: InvoiceLine, reason: str, by: User) -> CreditNote:
    """Waive what is still charged for a cancelled place; the reason goes on the credit note."""
    reason = reason.strip()
    if not reason:
        raise InvalidField("reason", Refusal.WAIVE_NEEDS_REASON)
    if not line.waivable:
        raise InvoiceRefused(Refusal.NOTHING_TO_WAIVE)
    note = waive_charge(line, reason, by)
    if note is None:
        raise InvoiceRefused(Refusal.NOTHING_TO_WAIVE)
    audit.record(
        AuditAction.INVOICE_CHARGE_WAIVED,
        by=by,
        subject=line.invoice,
        summary=f"Credit note {note.number} for {timefmt.amount(note.total_pence)}: {reason}",
    )
    return note
