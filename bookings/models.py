"""The data model: users, courses, sessions, bookings, brochures, news, outbox.

Instants are timezone-aware UTC in Python and naive UTC in the database; money
is integer pence. The database guards the invariants through named constraints.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db

SECTORS = ("voluntary", "private")
SECTOR_LABELS = {"voluntary": "Voluntary sector", "private": "Private sector"}
ROLES = ("learner", "trainer", "staff")
SESSION_STATUSES = ("scheduled", "cancelled")
BOOKING_STATUSES = ("confirmed", "waitlisted", "cancelled")
OUTBOX_STATUSES = ("pending", "sent", "failed")
ONLINE_WITHOUT_LINK = "Online (the joining link is sent when your place is confirmed)"

# Booking references avoid characters that are easy to misread (0/O, 1/I/L, 5/S, 2/Z, 8/B).
REFERENCE_ALPHABET = "3467ACDEFGHJKMNPQRTUVWXY"


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime in Python, stored as naive UTC in any database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware instant is needed")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(_in("role", ROLES), name="role_known"),
        CheckConstraint(f"sector IS NULL OR {_in('sector', SECTORS)}", name="sector_known"),
        # Addresses are unique whatever their case.
        Index("uq_users_email_lower", func.lower(text("email")), unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    organisation: Mapped[str] = mapped_column(String(160), default="")
    sector: Mapped[str | None] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(16), default="learner")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    calendar_token: Mapped[str] = mapped_column(
        String(64), unique=True, default=lambda: secrets.token_urlsafe(24)
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    bookings: Mapped[list[Booking]] = relationship(
        back_populates="learner", foreign_keys="Booking.learner_id"
    )

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

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
        return self.role == "staff"

    @property
    def is_trainer(self) -> bool:
        return self.role in ("trainer", "staff")

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class Course(db.Model):
    __tablename__ = "courses"
    __table_args__ = (
        CheckConstraint("price_voluntary_pence >= 0", name="price_voluntary_nonneg"),
        CheckConstraint("price_private_pence >= 0", name="price_private_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown, sanitised when shown
    outcomes: Mapped[str] = mapped_column(Text, default="")  # one learning outcome per line
    audience: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(80), default="", index=True)
    duration: Mapped[str] = mapped_column(String(80), default="")
    price_voluntary_pence: Mapped[int] = mapped_column(Integer, default=0)
    price_private_pence: Mapped[int] = mapped_column(Integer, default=0)
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    sessions: Mapped[list[Session]] = relationship(
        back_populates="course", order_by="Session.starts_at"
    )

    def price_for(self, sector: str | None) -> int:
        """The price in pence for a sector (voluntary when unknown)."""
        return self.price_private_pence if sector == "private" else self.price_voluntary_pence

    def __repr__(self) -> str:
        return f"<Course {self.slug}>"


class Session(db.Model):
    """One dated run of a course."""

    __tablename__ = "sessions"
    __table_args__ = (
        CheckConstraint("capacity >= 0", name="capacity_nonneg"),
        CheckConstraint("seats_taken >= 0", name="seats_taken_nonneg"),
        # The last word on rule 1: never more confirmed places than capacity.
        CheckConstraint("seats_taken <= capacity", name="seats_within_capacity"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(_in("status", SESSION_STATUSES), name="status_known"),
        CheckConstraint("revision >= 0", name="revision_nonneg"),
        UniqueConstraint("course_id", "starts_at", name="uq_sessions_course_start"),
        Index("ix_sessions_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    venue_name: Mapped[str] = mapped_column(String(200), default="")
    venue_address: Mapped[str] = mapped_column(String(500), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int] = mapped_column(Integer)
    # Confirmed bookings, kept by atomic conditional updates in booking.service.
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    # Last waiting-list position handed out; positions only grow.
    waitlist_last: Mapped[int] = mapped_column(Integer, default=0)
    trainer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    booking_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    # Goes up whenever time or place changes; the SEQUENCE of calendar invitations.
    revision: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    course: Mapped[Course] = relationship(back_populates="sessions")
    trainer: Mapped[User | None] = relationship(foreign_keys=[trainer_id])
    bookings: Mapped[list[Booking]] = relationship(back_populates="session")

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @property
    def is_full(self) -> bool:
        return self.seats_taken >= self.capacity

    @property
    def is_online(self) -> bool:
        return bool(self.online_url) and not self.venue_name

    @property
    def closes_at(self) -> datetime:
        """When booking closes: the deadline, or the start when there is none or the
        session has since moved to before its deadline."""
        if self.booking_deadline is None:
            return self.starts_at
        return min(self.booking_deadline, self.starts_at)

    def is_open_for_booking(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return self.status == "scheduled" and now < self.closes_at and self.course.published

    @property
    def location(self) -> str:
        """Where it happens, in one line: venue and address, or the joining link."""
        if self.venue_name:
            return ", ".join(p for p in (self.venue_name, self.venue_address) if p)
        return f"Online: {self.online_url}" if self.online_url else "To be confirmed"

    @property
    def public_location(self) -> str:
        """Where it happens, for anyone without a confirmed place: never the joining link."""
        if self.venue_name or not self.online_url:
            return self.location
        return ONLINE_WITHOUT_LINK

    def location_for(self, user) -> str:
        """The location as user may see it: the joining link only for the trainer and staff
        (learners get theirs through their booking, once the place is confirmed)."""
        signed_in = user is not None and getattr(user, "is_authenticated", False)
        if signed_in and (user.is_staff or user.id == self.trainer_id):
            return self.location
        return self.public_location

    def __repr__(self) -> str:
        return f"<Session {self.id} {self.course_id} {self.starts_at:%Y-%m-%d %H:%M}>"


class Booking(db.Model):
    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint(_in("status", BOOKING_STATUSES), name="status_known"),
        CheckConstraint(_in("sector", SECTORS), name="sector_known"),
        CheckConstraint("price_pence >= 0", name="price_nonneg"),
        CheckConstraint(
            "(status = 'waitlisted') = (waiting_position IS NOT NULL)",
            name="waiting_position_iff_waitlisted",
        ),
        # One active booking per learner per session.
        Index(
            "uq_bookings_active_learner_session",
            "session_id",
            "learner_id",
            unique=True,
            sqlite_where=text("status <> 'cancelled'"),
            postgresql_where=text("status <> 'cancelled'"),
        ),
        UniqueConstraint("session_id", "waiting_position", name="uq_bookings_waiting_position"),
        Index("ix_bookings_session_status", "session_id", "status"),
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

    session: Mapped[Session] = relationship(back_populates="bookings")
    learner: Mapped[User] = relationship(back_populates="bookings", foreign_keys=[learner_id])

    @staticmethod
    def new_reference(prefix: str) -> str:
        return prefix + "-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))

    @property
    def is_active(self) -> bool:
        return self.status != "cancelled"

    @property
    def has_place(self) -> bool:
        """A confirmed place: only then does the learner get the online joining link."""
        return self.status == "confirmed"

    @property
    def location(self) -> str:
        """The session's location as this booking's learner may see it."""
        if self.has_place:
            return self.session.location
        if self.status == "cancelled" and self.session.is_online:
            return "Online"  # no promise of a link for a booking that is over
        return self.session.public_location

    def __repr__(self) -> str:
        return f"<Booking {self.reference} {self.status}>"


class Brochure(db.Model):
    """An uploaded PDF brochure for one sector; the newest is the one served."""

    __tablename__ = "brochures"
    __table_args__ = (CheckConstraint(_in("sector", SECTORS), name="sector_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sector: Mapped[str] = mapped_column(String(16), index=True)
    stored_name: Mapped[str] = mapped_column(String(120), unique=True)
    original_name: Mapped[str] = mapped_column(String(255), default="")
    size_bytes: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Staff may withdraw an upload so the generated brochure is served again.
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)


class NewsPost(db.Model):
    __tablename__ = "news_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown, sanitised when shown
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboxMessage(db.Model):
    """An email written in the same transaction as the change that causes it.

    The content is rendered when the message is queued, so it tells what was true
    then (the old and new time of a reschedule, say), whenever it is delivered.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint(_in("status", OUTBOX_STATUSES), name="status_known"),
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
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
    booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("bookings.id", ondelete="SET NULL"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A sender holds a claimed message until this instant; after it, another may retry.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    booking: Mapped[Booking | None] = relationship()
