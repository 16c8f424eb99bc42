"""Documents people keep: certificates an employer can check, the brochures' introductions."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..enums import Sector, check_in
from ..extensions import db
from .base import UTCDateTime, utcnow
from .booking import REFERENCE_ALPHABET, Booking

# 12 characters of 24 (no 0/O, 1/I/L...): about 55 bits, far past guessing even without
# the rate limit on the public page; written in three groups of four to be read aloud.
CERTIFICATE_CODE_LENGTH = 12
CERTIFICATE_CODE_GROUP = 4


class Certificate(db.Model):
    """The certificate of attendance issued for a booking, and its verification code.

    It vouches for attendance while the booking holds its place and the learner is
    marked attended; staff changing the attendance back withdraw it.
    """

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), unique=True
    )
    code: Mapped[str] = mapped_column(String(20), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    booking: Mapped[Booking] = relationship()

    @staticmethod
    def new_code() -> str:
        """A fresh random code such as 'K7QM-3XPA-RT4C'."""
        chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(CERTIFICATE_CODE_LENGTH))
        step = CERTIFICATE_CODE_GROUP
        return "-".join(chars[i : i + step] for i in range(0, len(chars), step))

    @staticmethod
    def normalise_code(text: str) -> str:
        """A code as typed (any case, spaces or dashes anywhere) in its stored form."""
        chars = "".join(c for c in text.upper() if c.isalnum())
        step = CERTIFICATE_CODE_GROUP
        return "-".join(chars[i : i + step] for i in range(0, len(chars), step))

    @property
    def is_withdrawn(self) -> bool:
        booking = self.booking
        return self.withdrawn_at is not None or not (booking.has_place and booking.attended is True)

    def __repr__(self) -> str:
        return f"<Certificate {self.code}>"


class BrochureIntroduction(db.Model):
    """The paragraph staff write for the cover of a sector's generated brochure."""

    __tablename__ = "brochure_introductions"
    __table_args__ = (CheckConstraint(check_in("sector", Sector), name="sector_known"),)

    sector: Mapped[str] = mapped_column(String(16), primary_key=True)
    text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
