"""Users: learners, trainers and staff."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..enums import Payer, Role, Sector, check_in
from ..extensions import db
from .base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .booking import Booking


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(check_in("role", Role), name="role_known"),
        CheckConstraint(check_in("sector", Sector, nullable=True), name="sector_known"),
        CheckConstraint(check_in("payer", Payer, nullable=True), name="payer_known"),
        # Addresses are unique whatever their case.
        Index("uq_users_email_lower", func.lower(text("email")), unique=True),
        # The paged lists' indexes (migration 0010; PostgreSQL adds trigram ones there).
        Index("ix_users_name_lower", func.lower(text("name")), "id"),
        Index("ix_users_role_name_lower", "role", func.lower(text("name")), "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    organisation: Mapped[str] = mapped_column(String(160), default="")
    sector: Mapped[str | None] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(16), default=Role.LEARNER)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    calendar_token: Mapped[str] = mapped_column(
        String(64), unique=True, default=lambda: secrets.token_urlsafe(24)
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who pays for priced places, remembered from the last booking (editable at /account).
    payer: Mapped[str | None] = mapped_column(String(16))
    invoice_email: Mapped[str] = mapped_column(String(254), default="")
    invoice_organisation: Mapped[str] = mapped_column(String(160), default="")
    invoice_address: Mapped[str] = mapped_column(String(500), default="")
    # The key in the address of the staff feed of the whole programme; every account has
    # one, so a user made staff later needs nothing more. Only staff accounts are served.
    staff_calendar_token: Mapped[str] = mapped_column(
        String(64), unique=True, default=lambda: secrets.token_urlsafe(24)
    )

    bookings: Mapped[list[Booking]] = relationship(
        back_populates="learner", foreign_keys="Booking.learner_id"
    )

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def has_password(self) -> bool:
        """False for someone booked by a colleague who has not yet set a password."""
        return bool(self.password_hash)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def password_fingerprint(self) -> str:
        """A short keyed digest of the password hash: it changes with the password."""
        key = current_app.config["SECRET_KEY"]
        key = key if isinstance(key, bytes) else str(key).encode()
        digest = hmac.new(key, (self.password_hash or "").encode(), hashlib.sha256)
        return digest.hexdigest()[:16]

    def get_id(self) -> str:  # Flask-Login: kept in the session and the remember-me cookie
        """The id with the password's fingerprint, so a new password signs out every
        other session and remember-me cookie of the account."""
        return f"{self.id}.{self.password_fingerprint}"

    def matches_session_id(self, session_id: str) -> bool:
        """Whether a stored get_id() value is this user's with the current password."""
        return hmac.compare_digest(session_id, self.get_id())

    @property
    def is_staff(self) -> bool:
        return self.role == Role.STAFF

    @property
    def is_trainer(self) -> bool:
        return self.role in (Role.TRAINER, Role.STAFF)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


def is_staff(user) -> bool:
    """Whether user (a User, an anonymous visitor or None) is a signed-in staff member."""
    return user is not None and getattr(user, "is_authenticated", False) and user.is_staff
