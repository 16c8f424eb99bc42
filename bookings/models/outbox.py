"""The email outbox: every message, written with the change that causes it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..enums import OutboxStatus, check_in
from ..extensions import db
from .base import UTCDateTime, utcnow
from .booking import Booking


class OutboxMessage(db.Model):
    """An email written in the same transaction as the change that causes it.

    The content is rendered when the message is queued, so it tells what was true
    then (the old and new time of a reschedule, say), whenever it is delivered.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint(check_in("status", OutboxStatus), name="status_known"),
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
        # The paged lists' indexes (migration 0010; PostgreSQL adds trigram ones there).
        Index("ix_outbox_messages_status_created", "status", "created_at", "id"),
        Index(
            "ix_outbox_messages_status_sent",
            "status",
            func.coalesce(text("sent_at"), text("created_at")),
            "id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    ics: Mapped[str | None] = mapped_column(Text)  # the calendar file, when there is one
    ics_method: Mapped[str | None] = mapped_column(String(16))  # REQUEST, CANCEL
    # A document to attach, named as "invoice:INV-2026-00001": built when the email is
    # sent, so the transaction that queues it never renders a PDF.
    attachment: Mapped[str | None] = mapped_column(String(80))
    booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("bookings.id", ondelete="SET NULL"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A sender holds a claimed message until this instant; after it, another may retry.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Where answers go when not to the sender: an enquiry's author, as "Name <address>".
    reply_to: Mapped[str] = mapped_column(String(400), default="")
    # The one-click unsubscribe link of a mailing (List-Unsubscribe, RFC 8058); "" for none.
    unsubscribe_url: Mapped[str] = mapped_column(String(1000), default="")

    booking: Mapped[Booking | None] = relationship()
