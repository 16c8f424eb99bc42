"""Enquiries from the contact form, kept for the staff inbox (spam included)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..enums import EnquiryStatus, check_in
from ..extensions import db
from .base import UTCDateTime, utcnow
from .catalogue import Course


class Enquiry(db.Model):
    """A question sent through /contact; suspected spam is kept as spam, never dropped."""

    __tablename__ = "enquiries"
    __table_args__ = (
        CheckConstraint(check_in("status", EnquiryStatus), name="status_known"),
        Index("ix_enquiries_status_created", "status", "created_at"),
        # The paged lists' indexes (migration 0010; PostgreSQL adds trigram ones there).
        Index("ix_enquiries_status_created_id", "status", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default=EnquiryStatus.NEW)
    # Why it was taken for spam (a check's finding, or "marked by staff"); "" otherwise.
    spam_reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    course: Mapped[Course | None] = relationship()

    @property
    def is_spam(self) -> bool:
        return self.status == EnquiryStatus.SPAM

    @property
    def is_answered(self) -> bool:
        return self.status == EnquiryStatus.ANSWERED

    def __repr__(self) -> str:
        return f"<Enquiry {self.id} {self.status}>"
