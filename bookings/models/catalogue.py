"""Courses and their dated sessions, brochures and news: what the public sees."""

from __future__ import annotations

import itertools
import re
import unicodedata
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..enums import Sector, SessionStatus, check_in
from ..errors import BookingClosed, NoSuchRecord, Refusal, ScheduleError
from ..extensions import db
from .base import UTCDateTime, utcnow
from .people import User, is_staff

if TYPE_CHECKING:
    from .booking import Booking

ONLINE_WITHOUT_LINK = "Online (the joining link is sent when your place is confirmed)"


def place_line(venue_name: str, venue_address: str, online_url: str) -> str:
    """Where a session happens, in one line: venue and address, or the joining link
    (for those who may see it; see Session.public_location)."""
    if venue_name:
        return ", ".join(p for p in (venue_name, venue_address) if p)
    return f"Online: {online_url}" if online_url else "To be confirmed"


class Course(db.Model):
    __tablename__ = "courses"
    __table_args__ = (
        CheckConstraint("price_voluntary_pence >= 0", name="price_voluntary_nonneg"),
        CheckConstraint("price_private_pence >= 0", name="price_private_nonneg"),
        # The staff course filter (migration 0012; PostgreSQL adds a trigram one there).
        Index("ix_courses_title_lower", func.lower(text("title")), "id"),
        # When a feed last changed (migration 0017; calendar.queries.sessions_changed_at).
        Index("ix_courses_updated_at", "updated_at"),
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
        if sector == Sector.PRIVATE:
            return self.price_private_pence
        return self.price_voluntary_pence

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
        CheckConstraint(check_in("status", SessionStatus), name="status_known"),
        CheckConstraint("revision >= 0", name="revision_nonneg"),
        UniqueConstraint("course_id", "starts_at", name="uq_sessions_course_start"),
        Index("ix_sessions_starts_at", "starts_at"),
        # The paged lists' indexes (migration 0010; PostgreSQL adds trigram ones there).
        Index("ix_sessions_starts_id", "starts_at", "id"),
        Index("ix_sessions_course_starts", "course_id", "starts_at", "id"),
        Index("ix_sessions_trainer_ends", "trainer_id", "ends_at", "id"),
        Index("ix_sessions_ends", "ends_at", "id"),
        # When a feed last changed (migration 0017; calendar.queries.sessions_changed_at).
        Index("ix_sessions_updated_at", "updated_at"),
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
    status: Mapped[str] = mapped_column(String(16), default=SessionStatus.SCHEDULED)
    # Goes up whenever time or place changes; the SEQUENCE of calendar invitations.
    revision: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Goes up whenever the trainer changes; part of the trainer's calendar UID, so a
    # trainer given the session again gets a new event rather than a cancelled one.
    trainer_changes: Mapped[int] = mapped_column(Integer, default=0)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

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
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @property
    def is_scheduled(self) -> bool:
        return self.status == SessionStatus.SCHEDULED

    @property
    def closes_at(self) -> datetime:
        """When booking closes: the deadline, or the start when there is none or the
        session has since moved to before its deadline."""
        if self.booking_deadline is None:
            return self.starts_at
        return min(self.booking_deadline, self.starts_at)

    # The rules about a session: each asked the same way by services, views and
    # templates. A *_refusal method returns the error a service raises, or None.

    def booking_refusal(
        self, placed_by: User | None = None, now: datetime | None = None
    ) -> BookingClosed | NoSuchRecord | None:
        """Why a place cannot be booked now, or None when it can.

        placed_by is staff placing someone on their behalf: staff may do so after the
        booking deadline, until the session starts.
        """
        now = now or utcnow()
        if not self.course.published:
            return NoSuchRecord(Refusal.NO_SUCH_SESSION)
        if self.status != SessionStatus.SCHEDULED:
            return BookingClosed(Refusal.SESSION_CANCELLED)
        closes_at = self.starts_at if is_staff(placed_by) else self.closes_at
        if now >= closes_at:
            return BookingClosed(Refusal.BOOKING_CLOSED)
        return None

    def bookable_by(self, placed_by: User | None = None, now: datetime | None = None) -> bool:
        return self.booking_refusal(placed_by, now) is None

    def is_open_for_booking(self, now: datetime | None = None) -> bool:
        """Whether a learner can book a place for themselves now."""
        return self.bookable_by(None, now)

    def change_refusal(self) -> ScheduleError | None:
        """Why the session cannot be rescheduled, or None when it can."""
        if self.status == SessionStatus.CANCELLED:
            return ScheduleError(Refusal.CANCELLED_NO_MOVE)
        return None

    def cancel_refusal(self) -> ScheduleError | None:
        """Why the session cannot be cancelled, or None when it can."""
        if self.status == SessionStatus.CANCELLED:
            return ScheduleError(Refusal.SESSION_ALREADY_CANCELLED)
        return None

    @property
    def can_change(self) -> bool:
        return self.change_refusal() is None

    @property
    def can_cancel(self) -> bool:
        return self.cancel_refusal() is None

    @property
    def location(self) -> str:
        """Where it happens, in one line: venue and address, or the joining link."""
        return place_line(self.venue_name, self.venue_address, self.online_url)

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


class Brochure(db.Model):
    """An uploaded PDF brochure for one sector; the newest is the one served."""

    __tablename__ = "brochures"
    __table_args__ = (CheckConstraint(check_in("sector", Sector), name="sector_known"),)

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
    # The article's address, /news/<slug>: made from the first title and kept when the
    # title is edited, so links to it keep working.
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def lead(self) -> str:
        """The first paragraph of the Markdown body: what the home page shows."""
        return re.split(r"\r?\n\s*\n", self.body.strip(), maxsplit=1)[0]


NEWS_SLUG_MAX = 80


def news_slug_base(title: str) -> str:
    """'Spring dates: ADHD & you' -> 'spring-dates-adhd-you' (ASCII, hyphens, not too long)."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    if len(slug) > NEWS_SLUG_MAX:
        slug = slug[:NEWS_SLUG_MAX].rsplit("-", 1)[0]
    return slug or "news"


@event.listens_for(NewsPost, "before_insert")
def _give_news_post_a_slug(mapper, connection, post: NewsPost) -> None:
    """A new post without a slug gets one from its title, numbered when already taken."""
    if post.slug:
        return
    base = news_slug_base(post.title or "")
    table = NewsPost.__table__
    taken = set(
        connection.scalars(
            select(table.c.slug).where(or_(table.c.slug == base, table.c.slug.like(f"{base}-%")))
        )
    )
    post.slug = next(
        candidate
        for candidate in itertools.chain([base], (f"{base}-{n}" for n in itertools.count(2)))
        if candidate not in taken
    )
