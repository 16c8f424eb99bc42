"""Two-factor sign-in: a user's authenticator (TOTP) secret and recovery codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .people import User


class TwoFactor(db.Model):
    """Present once a user has confirmed an authenticator app; removed when turned off."""

    __tablename__ = "two_factor"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    secret: Mapped[str] = mapped_column(String(64))  # base32, as the app was given it
    enabled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The RFC 6238 time step of the last code accepted: a code is good once.
    last_step: Mapped[int] = mapped_column(Integer, default=0)

    user: Mapped[User] = relationship(
        backref=backref(
            "two_factor", uselist=False, cascade="all, delete-orphan", passive_deletes=True
        )
    )


class RecoveryCode(db.Model):
    """One single-use code for when the authenticator app is lost; only its hash is kept."""

    __tablename__ = "recovery_codes"
    __table_args__ = (UniqueConstraint("user_id", "code_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
