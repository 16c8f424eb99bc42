"""Feedback: one learner's answers about one session they attended."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, SmallInteger, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .booking import Booking

SCALE = range(1, 6)  # ratings and confidence: 1 (lowest) to 5


def _on_scale(column: str) -> CheckConstraint:
    return CheckConstraint(
        f"{column} >= {SCALE.start} AND {column} < {SCALE.stop}", name=f"{column}_on_scale"
    )


class FeedbackResponse(db.Model):
    """A learner's answers for one booking: one per booking, changed only for a while."""

    __tablename__ = "feedback_responses"
    __table_args__ = (
        _on_scale("rating"),
        _on_scale("confidence_before"),
        _on_scale("confidence_after"),
        # Staff show a quote on the course page only with the learner's permission.
        CheckConstraint("quote_permitted OR NOT quote_shown", name="quote_needs_permission"),
        # The paged lists' indexes (migration 0010; PostgreSQL adds trigram ones there).
        Index("ix_feedback_responses_created", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), unique=True
    )
    rating: Mapped[int] = mapped_column(SmallInteger)
    confidence_before: Mapped[int] = mapped_column(SmallInteger)
    confidence_after: Mapped[int] = mapped_column(SmallInteger)
    # "What will you do differently?": the comment staff may quote.
    do_differently: Mapped[str] = mapped_column(Text, default="")
    recommend: Mapped[bool] = mapped_column(Boolean)
    # The learner's permission to quote the answer anonymously.
    quote_permitted: Mapped[bool] = mapped_column(Boolean, default=False)
    # Picked by staff to show on the course page.
    quote_shown: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    booking: Mapped[Booking] = relationship()

    @property
    def confidence_change(self) -> int:
        return self.confidence_after - self.confidence_before

    def editable_until(self, days: int) -> datetime:
        """The last instant the learner may change their answers."""
        return self.created_at + timedelta(days=days)

    def __repr__(self) -> str:
        return f"<FeedbackResponse {self.booking_id} {self.rating}>"
