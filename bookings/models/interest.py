"""People who asked to hear when a course gets new dates."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .catalogue import Course


def new_token() -> str:
    return secrets.token_urlsafe(24)


class CourseInterest(db.Model):
    """One address waiting for new dates of one course.

    A visitor's address counts once confirmed through the emailed link (double
    opt-in); a signed-in learner's is confirmed at once. The token is the key of the
    confirm and unsubscribe links, which need no sign-in.
    """

    __tablename__ = "course_interests"
    __table_args__ = (
        # Addresses are stored lower-cased, so this is unique whatever the case typed.
        UniqueConstraint("course_id", "email", name="uq_course_interests_course_email"),
        Index("ix_course_interests_confirmed", "course_id", "confirmed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    course: Mapped[Course] = relationship()

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    def __repr__(self) -> str:
        return f"<CourseInterest {self.course_id} {self.email}>"
