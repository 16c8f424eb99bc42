"""Bookings: one learner's place (or place in the queue) on one session."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..enums import AttendanceOutcome, BookingStatus, Payer, Sector, check_in
from ..errors import CancellationRefused, OutcomeRefused, Refusal, SubstitutionRefused
from ..extensions import db
from .base import UTCDateTime, utcnow
from .catalogue import Session
from .people import User, is_staff

# Booking references avoid characters that are easy to misread (0/O, 1/I/L, 5/S, 2/Z, 8/B).
REFERENCE_ALPHABET = "3467ACDEFGHJKMNPQRTUVWXY"
_ACTIVE = f"status <> '{BookingStatus.CANCELLED.value}'"
_ATTENDED = f"'{AttendanceOutcome.ATTENDED.value}'"
_LATE = f"'{AttendanceOutcome.LATE_CANCELLATION.value}'"
# attended is the outcome's yes/no: unknown together, and true only for attended.
OUTCOME_MATCHES_ATTENDED = (
    f"(outcome IS NULL) = (attended IS NULL) AND "
    f"(outcome IS NULL OR (outcome = {_ATTENDED}) = attended)"
)
# Attended or absent needs a confirmed place; a late cancellation may also be one
# that was cancelled. Nobody waiting has an outcome.
OUTCOME_NEEDS_PLACE = (
    f"outcome IS NULL OR status = '{BookingStatus.CONFIRMED.value}' "
    f"OR (status = '{BookingStatus.CANCELLED.value}' AND outcome = {_LATE})"
)


class Booking(db.Model):
    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint(check_in("status", BookingStatus), name="status_known"),
        CheckConstraint(check_in("sector", Sector), name="sector_known"),
        CheckConstraint("price_pence >= 0", name="price_nonneg"),
        CheckConstraint(check_in("payer", Payer, nullable=True), name="payer_known"),
        CheckConstraint(
            f"(status = '{BookingStatus.WAITLISTED.value}') = (waiting_position IS NOT NULL)",
            name="waiting_position_iff_waitlisted",
        ),
        # One active booking per learner per session.
        Index(
            "uq_bookings_active_learner_session",
            "session_id",
            "learner_id",
            unique=True,
            sqlite_where=text(_ACTIVE),
            postgresql_where=text(_ACTIVE),
        ),
        UniqueConstraint("session_id", "waiting_position", name="uq_bookings_waiting_position"),
        Index("ix_bookings_session_status", "session_id", "status"),
        # The paged lists' indexes (migration 0010; PostgreSQL adds trigram ones there).
        Index("ix_bookings_created", "created_at", "id"),
        Index("ix_bookings_status_created", "status", "created_at", "id"),
        # "Booked by me" on My bookings, and setting it to NULL when an account goes.
        Index("ix_bookings_booked_by", "booked_by_id"),
        CheckConstraint(
            check_in("outcome", AttendanceOutcome, nullable=True), name="outcome_known"
        ),
        CheckConstraint(OUTCOME_MATCHES_ATTENDED, name="outcome_matches_attended"),
        CheckConstraint(OUTCOME_NEEDS_PLACE, name="outcome_needs_place"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    waiting_position: Mapped[int | None] = mapped_column(Integer)
    sector: Mapped[str] = mapped_column(String(16))
    organisation: Mapped[str] = mapped_column(String(160), default="")
    price_pence: Mapped[int] = mapped_column(Integer)
    access_needs: Mapped[str] = mapped_column(Text, default="")
    dietary_needs: Mapped[str] = mapped_column(Text, default="")
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    # None until the register is taken: unknown, then attended or absent.
    attended: Mapped[bool | None] = mapped_column(Boolean)
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who pays, as chosen when booking a priced place (None for a free one); kept here
    # so a waiting booking is invoiced to the right buyer when it is promoted.
    payer: Mapped[str | None] = mapped_column(String(16))
    invoice_email: Mapped[str] = mapped_column(String(254), default="")
    invoice_organisation: Mapped[str] = mapped_column(String(160), default="")
    invoice_address: Mapped[str] = mapped_column(String(500), default="")
    po_number: Mapped[str] = mapped_column(String(64), default="")
    # How many times someone else was sent in the learner's place: each attendee's
    # calendar entry gets its own UID (see calendar.ics.booking_uid).
    substitutions: Mapped[int] = mapped_column(Integer, default=0)
    # Attended, absent (a no-show) or late cancellation; None while unknown, and for a
    # place given up in time. See AttendanceOutcome.
    outcome: Mapped[str | None] = mapped_column(String(24))
    # When the feedback request was queued: once per booking.
    feedback_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    session: Mapped[Session] = relationship(back_populates="bookings")
    learner: Mapped[User] = relationship(back_populates="bookings", foreign_keys=[learner_id])
    booked_by: Mapped[User | None] = relationship(foreign_keys=[booked_by_id])

    @property
    def organiser(self) -> User:
        """Who answers for the booking: whoever booked it for the learner, unless that
        was staff acting on their behalf (or the learner themselves)."""
        by = self.booked_by
        if by is None or by.id == self.learner_id or by.is_staff:
            return self.learner
        return by

    @staticmethod
    def new_reference(prefix: str) -> str:
        return prefix + "-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))

    @property
    def is_active(self) -> bool:
        return self.status != BookingStatus.CANCELLED

    @property
    def is_cancelled(self) -> bool:
        return self.status == BookingStatus.CANCELLED

    @property
    def is_waiting(self) -> bool:
        return self.status == BookingStatus.WAITLISTED

    @property
    def has_place(self) -> bool:
        """A confirmed place: only then does the learner get the online joining link."""
        return self.status == BookingStatus.CONFIRMED

    def cancellation_refusal(
        self, by: User | None, now: datetime | None = None
    ) -> CancellationRefused | None:
        """Why `by` cannot cancel this booking now, or None when they can.

        The learner, or whoever booked the place for them, may cancel it until the
        session starts; staff may cancel anyone's, also after the start; by None is the
        system itself.
        """
        staff = is_staff(by)
        if by is not None and not staff and by.id not in (self.learner_id, self.organiser.id):
            return CancellationRefused(Refusal.NOT_YOUR_BOOKING)
        if self.status == BookingStatus.CANCELLED:
            return CancellationRefused(Refusal.ALREADY_CANCELLED)
        if not staff and (now or utcnow()) >= self.session.starts_at:
            return CancellationRefused(Refusal.STARTED_NO_CANCEL)
        return None

    def cancellable_by(self, by: User | None, now: datetime | None = None) -> bool:
        return self.cancellation_refusal(by, now) is None

    def substitution_refusal(
        self, by: User | None, now: datetime | None = None
    ) -> SubstitutionRefused | None:
        """Why `by` cannot send someone else in the learner's place now, or None.

        The organiser who booked it, the attendee and staff may, for a confirmed
        place, until the session starts.
        """
        staff = is_staff(by)
        if by is not None and not staff and by.id not in (self.learner_id, self.organiser.id):
            return SubstitutionRefused(Refusal.NOT_YOUR_BOOKING_TO_CHANGE)
        if not self.has_place:
            return SubstitutionRefused(Refusal.SUBSTITUTE_CONFIRMED_ONLY)
        if (now or utcnow()) >= self.session.starts_at:
            return SubstitutionRefused(Refusal.STARTED_NO_SUBSTITUTE)
        return None

    def substitutable_by(self, by: User | None, now: datetime | None = None) -> bool:
        return self.substitution_refusal(by, now) is None

    def is_booked_for_someone_else_by(self, user: User) -> bool:
        """Whether user booked this place for another person (a team booking)."""
        return self.booked_by_id == user.id and self.learner_id != user.id

    @property
    def location(self) -> str:
        """The session's location as this booking's learner may see it."""
        if self.has_place:
            return self.session.location
        if self.status == BookingStatus.CANCELLED and self.session.is_online:
            return "Online"  # no promise of a link for a booking that is over
        return self.session.public_location

    # Attendance outcomes ------------------------------------------------------------

    @validates("attended")
    def _outcome_follows_attended(self, key, value):
        """Whoever records attendance as a plain yes/no keeps the outcome in step:
        yes is attended, no is absent unless it is already a late cancellation."""
        if value is None:
            self.outcome = None
        elif value:
            self.outcome = AttendanceOutcome.ATTENDED
        elif self.outcome != AttendanceOutcome.LATE_CANCELLATION:
            self.outcome = AttendanceOutcome.ABSENT
        return value

    def outcome_refusal(self, outcome: str | None) -> OutcomeRefused | None:
        """Why this booking cannot be given outcome (None: unknown), or None when it can."""
        if outcome is None:
            return None
        if self.status == BookingStatus.WAITLISTED:
            return OutcomeRefused(Refusal.OUTCOME_NOT_FOR_WAITING)
        if (
            self.status == BookingStatus.CANCELLED
            and outcome != AttendanceOutcome.LATE_CANCELLATION
        ):
            return OutcomeRefused(Refusal.OUTCOME_NEEDS_PLACE)
        return None

    def record_outcome(self, outcome: str | None) -> bool:
        """Set the outcome (and attended with it); returns whether anything changed."""
        refusal = self.outcome_refusal(outcome)
        if refusal is not None:
            raise refusal
        outcome = AttendanceOutcome(outcome) if outcome is not None else None
        if self.outcome == outcome:
            return False
        self.outcome = outcome
        self.attended = None if outcome is None else outcome == AttendanceOutcome.ATTENDED
        return True

    def cancellation_outcome(self, by: User | None, now: datetime | None = None) -> str | None:
        """The outcome that cancelling this booking now records: a late cancellation when
        a confirmed place is given up by its learner inside the free cancellation window,
        or by staff once the session has started (learners cannot cancel online then,
        so staff do it for them). Otherwise none: the place could go to someone else."""
        if self.status != BookingStatus.CONFIRMED:
            return None
        now = now or utcnow()
        starts_at = self.session.starts_at
        if by is not None and by.id == self.learner_id:
            days = current_app.config["CANCELLATION_FREE_DAYS"]
            late = now >= starts_at - timedelta(days=days)
        else:
            late = is_staff(by) and now >= starts_at
        return AttendanceOutcome.LATE_CANCELLATION if late else None

    @property
    def outcome_label(self) -> str:
        return AttendanceOutcome(self.outcome).label if self.outcome else "Not recorded"

    def __repr__(self) -> str:
        return f"<Booking {self.reference} {self.status}>"
