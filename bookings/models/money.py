"""Invoices and credit notes: what a priced place costs, and what was given back.

Amounts are integer pence. Each document keeps a copy of the seller's and buyer's
details as they were when it was issued, so it reads the same for ever. The
database guards the sums: net + VAT = total on every document and line, and what
is credited never exceeds what was invoiced.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..enums import (
    CREDIT_REASON_LABELS,
    CreditReason,
    InvoiceStatus,
    Payer,
    PaymentMethod,
    check_in,
)
from ..extensions import db
from .base import UTCDateTime, utcnow
from .booking import Booking
from .people import User


def _sums(prefix: str = "") -> tuple[CheckConstraint, ...]:
    return (
        CheckConstraint("net_pence >= 0 AND vat_pence >= 0", name=f"{prefix}amounts_nonneg"),
        CheckConstraint("total_pence = net_pence + vat_pence", name=f"{prefix}total_adds_up"),
    )


class NumberSequence(db.Model):
    """The last number handed out in one series (invoices, credit notes) for one year.

    Taken with an UPDATE in the transaction that issues the document, so the row
    stays locked until commit: numbers run on with no gap and no duplicate.
    """

    __tablename__ = "number_sequences"
    __table_args__ = (CheckConstraint("last_value >= 0", name="last_value_nonneg"),)

    series: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class Invoice(db.Model):
    __tablename__ = "invoices"
    __table_args__ = (
        *_sums(),
        CheckConstraint(check_in("status", InvoiceStatus), name="status_known"),
        CheckConstraint(check_in("payer", Payer), name="payer_known"),
        CheckConstraint(
            "credited_pence >= 0 AND credited_pence <= total_pence", name="credit_within_total"
        ),
        CheckConstraint("due_on >= issued_on", name="due_after_issue"),
        CheckConstraint("vat_rate_bp >= 0", name="vat_rate_nonneg"),
        CheckConstraint(
            f"payment_method = '' OR {check_in('payment_method', PaymentMethod)}",
            name="payment_method_known",
        ),
        CheckConstraint(
            f"(status = '{InvoiceStatus.PAID.value}') = (paid_on IS NOT NULL)",
            name="paid_iff_paid_on",
        ),
        Index("ix_invoices_status_due", "status", "due_on"),
        # The paged lists' indexes (migration 0010; PostgreSQL adds trigram ones there).
        Index("ix_invoices_issued", "issued_on", "id"),
        Index("ix_invoices_status_issued", "status", "issued_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    # Who may see it at /account/invoices: the learner, or the organiser of a team.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    payer: Mapped[str] = mapped_column(String(16))
    buyer_name: Mapped[str] = mapped_column(String(160))
    buyer_email: Mapped[str] = mapped_column(String(254))
    buyer_organisation: Mapped[str] = mapped_column(String(160), default="")
    buyer_address: Mapped[str] = mapped_column(String(500), default="")
    po_number: Mapped[str] = mapped_column(String(64), default="")
    seller_name: Mapped[str] = mapped_column(String(200))
    seller_address: Mapped[str] = mapped_column(String(500), default="")
    charity_number: Mapped[str] = mapped_column(String(40), default="")
    vat_number: Mapped[str] = mapped_column(String(40), default="")
    # VAT rate in basis points (2000 is 20%); 0 when not VAT registered.
    vat_rate_bp: Mapped[int] = mapped_column(Integer, default=0)
    issued_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    net_pence: Mapped[int] = mapped_column(Integer)
    vat_pence: Mapped[int] = mapped_column(Integer)
    total_pence: Mapped[int] = mapped_column(Integer)
    credited_pence: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default=InvoiceStatus.ISSUED)
    paid_on: Mapped[date | None] = mapped_column(Date)
    payment_method: Mapped[str] = mapped_column(String(40), default="")
    payment_reference: Mapped[str] = mapped_column(String(120), default="")
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship()
    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", order_by="InvoiceLine.id"
    )
    credit_notes: Mapped[list[CreditNote]] = relationship(
        back_populates="invoice", order_by="CreditNote.id"
    )

    @property
    def balance_pence(self) -> int:
        """What is still owed: the total less credits, nothing once paid."""
        if self.status == InvoiceStatus.PAID:
            return 0
        return self.total_pence - self.credited_pence

    def is_overdue(self, today: date) -> bool:
        return (
            self.status == InvoiceStatus.ISSUED and self.due_on < today and self.balance_pence > 0
        )

    @property
    def is_open(self) -> bool:
        """Awaiting payment: only then may it be marked paid."""
        return self.status == InvoiceStatus.ISSUED

    @property
    def is_paid(self) -> bool:
        return self.status == InvoiceStatus.PAID

    @property
    def is_credited(self) -> bool:
        return self.status == InvoiceStatus.CREDITED

    def state(self, today: date) -> str:
        """Where it stands, in words: Outstanding, Overdue, Paid or Credited."""
        if self.is_overdue(today):
            return "Overdue"
        return {InvoiceStatus.PAID: "Paid", InvoiceStatus.CREDITED: "Credited"}.get(
            self.status, "Outstanding"
        )

    @property
    def has_vat(self) -> bool:
        return self.vat_rate_bp > 0

    @property
    def vat_percent(self) -> str:
        """The VAT rate as people write it: '20', '17.5'."""
        whole, hundredths = divmod(self.vat_rate_bp, 100)
        return f"{whole}" if not hundredths else f"{whole}.{hundredths:02d}".rstrip("0")

    @property
    def buyer(self) -> str:
        """Who the invoice is addressed to: the organisation that pays, else the person."""
        return self.buyer_organisation or self.buyer_name


class InvoiceLine(db.Model):
    """One place on an invoice: a course, a session date and the learner who comes."""

    __tablename__ = "invoice_lines"
    __table_args__ = (
        *_sums(),
        CheckConstraint(
            "credited_pence >= 0 AND credited_pence <= total_pence", name="credit_within_total"
        ),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        # Every line of a booking, live or not: invoices found through their learners.
        Index("ix_invoice_lines_booking_id", "booking_id"),
        # One live invoice line (so one live invoice) per booking.
        Index(
            "uq_invoice_lines_live_booking",
            "booking_id",
            unique=True,
            sqlite_where=text("live"),
            postgresql_where=text("live"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="SET NULL"))
    description: Mapped[str] = mapped_column(String(400))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_pence: Mapped[int] = mapped_column(Integer)  # net, before VAT
    net_pence: Mapped[int] = mapped_column(Integer)
    vat_pence: Mapped[int] = mapped_column(Integer)
    total_pence: Mapped[int] = mapped_column(Integer)
    credited_pence: Mapped[int] = mapped_column(Integer, default=0)
    # False once the booking is charged on another line (moved to another price) or
    # has been credited in full.
    live: Mapped[bool] = mapped_column(Boolean, default=True)

    invoice: Mapped[Invoice] = relationship(back_populates="lines")
    booking: Mapped[Booking | None] = relationship()

    @property
    def creditable_pence(self) -> int:
        return self.total_pence - self.credited_pence

    @property
    def waivable(self) -> bool:
        """A cancellation charge is left on the line: its booking is cancelled (or gone)
        and not everything was credited. Staff may waive it."""
        booking = self.booking
        return self.creditable_pence > 0 and (booking is None or booking.is_cancelled)


class CreditNote(db.Model):
    """Money given back against one line of an invoice, with its own number."""

    __tablename__ = "credit_notes"
    __table_args__ = (
        *_sums(),
        CheckConstraint("total_pence > 0", name="total_positive"),
        CheckConstraint(check_in("reason", CreditReason), name="reason_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    invoice_line_id: Mapped[int] = mapped_column(
        ForeignKey("invoice_lines.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(String(500), default="")  # a waiver's reason, say
    issued_on: Mapped[date] = mapped_column(Date)
    net_pence: Mapped[int] = mapped_column(Integer)
    vat_pence: Mapped[int] = mapped_column(Integer)
    total_pence: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    invoice: Mapped[Invoice] = relationship(back_populates="credit_notes")
    line: Mapped[InvoiceLine] = relationship()

    @property
    def reason_label(self) -> str:
        return CREDIT_REASON_LABELS.get(self.reason, self.reason)


class InvoiceTotal(db.Model):
    """The invoices of one status due on one day: how many, what they still charge and
    what was credited on them. Kept by triggers on invoices (migration 0013), never
    written by the app: the staff lists' counts and totals add up a few thousand of
    these rows instead of reading every invoice. A row goes when its last invoice does."""

    __tablename__ = "invoice_totals"

    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    due_on: Mapped[date] = mapped_column(Date, primary_key=True)
    invoice_count: Mapped[int] = mapped_column(Integer)
    due_pence: Mapped[int] = mapped_column(BigInteger)  # total less credited
    credited_pence: Mapped[int] = mapped_column(BigInteger)


class DocumentCount(db.Model):
    """How many rows one table of documents holds (invoice_lines, credit_notes). Kept by
    triggers (migration 0013), so the exports' sizes need not count every row; a table
    with no row here holds none."""

    __tablename__ = "document_counts"

    table_name: Mapped[str] = mapped_column(String(32), primary_key=True)
    row_count: Mapped[int] = mapped_column(BigInteger)
