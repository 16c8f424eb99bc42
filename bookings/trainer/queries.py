"""Read-only questions for trainers: the sessions they deliver, who is coming, who waits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ..enums import AttendanceOutcome, BookingStatus
from ..extensions import db
from ..models import Booking, Course, Session, User, utcnow
from ..paging import Page, keyset_page

UPCOMING_PER_PAGE = 50
PAST_PER_PAGE = 50


@dataclass
class SessionFill:
    """A session with its waiting count, for lists that show how full it is."""

    session: Session
    waiting: int

    @property
    def fill_percent(self) -> int:
        if not self.session.capacity:
            return 100
        return min(round(100 * self.session.seats_taken / self.session.capacity), 100)

    @property
    def fill_class(self) -> str:
        """The stylesheet class that draws the bar (5% steps: pages carry no inline styles)."""
        step = 5 * round(self.fill_percent / 5)
        return f"fill-{step or (5 if self.fill_percent else 0)}"


# Built once, with the ids bound: lists and API pages ask it on every request.
_WAITING_COUNTS = (
    select(Booking.session_id, func.count(Booking.id))
    .where(
        Booking.session_id.in_(bindparam("session_ids", expanding=True)),
        Booking.status == BookingStatus.WAITLISTED,
    )
    .group_by(Booking.session_id)
)


def with_courses_and_trainers(sessions: list[Session]) -> None:
    """Give sessions their courses and trainers: two queries by primary key whatever the
    sessions are (none, one section's or all three's). selectinload per section would
    send two each only when the section has sessions, so the page's statement count
    would depend on the data."""
    courses = db.session.scalars(
        select(Course).where(Course.id.in_({s.course_id for s in sessions}))
    ).all()
    trainers = db.session.scalars(
        select(User).where(User.id.in_({s.trainer_id for s in sessions} - {None}))
    ).all()
    course_by_id = {c.id: c for c in courses}
    trainer_by_id = {u.id: u for u in trainers}
    for session in sessions:
        set_committed_value(session, "course", course_by_id[session.course_id])
        set_committed_value(session, "trainer", trainer_by_id.get(session.trainer_id))


def waiting_counts(session_ids: list[int]) -> dict[int, int]:
    """How many learners wait for each session that has anyone waiting."""
    if not session_ids:
        return {}
    return dict(db.session.execute(_WAITING_COUNTS, {"session_ids": session_ids}).all())


# A session is upcoming until it ends. Both lists go by the end, so that the split
# and the order use one index: (trainer_id, ends_at, id), or (ends_at, id) for staff.
UPCOMING_ORDER = (Session.ends_at, Session.id)
PAST_ORDER = (Session.ends_at.desc(), Session.id.desc())


def _delivered_by(user: User) -> Select:
    query = select(Session).options(selectinload(Session.course), selectinload(Session.trainer))
    return query if user.is_staff else query.where(Session.trainer_id == user.id)


def upcoming_query(user: User, now: datetime) -> Select:
    """Sessions the user delivers (staff: every session) that have not ended, soonest first."""
    return _delivered_by(user).where(Session.ends_at >= now).order_by(*UPCOMING_ORDER)


def past_query(user: User, now: datetime) -> Select:
    """Sessions the user delivers (staff: every session) that have ended, latest first."""
    return _delivered_by(user).where(Session.ends_at < now).order_by(*PAST_ORDER)


def session_pages(user: User, args: Mapping, now: datetime | None = None) -> tuple[Page, Page]:
    """A page of the upcoming sessions and a page of the past ones, as the address asks
    (the past list's cursor is named past_after, past_before), their items SessionFills."""
    now = now or utcnow()
    upcoming = keyset_page(
        upcoming_query(user, now),
        UPCOMING_ORDER,
        name="trainer:upcoming",
        args=args,
        per_page=UPCOMING_PER_PAGE,
        count=False,
    )
    past = keyset_page(
        past_query(user, now),
        PAST_ORDER,
        name="trainer:past",
        args=args,
        per_page=PAST_PER_PAGE,
        prefix="past_",
        count=False,
    )
    counts = waiting_counts([s.id for s in (*upcoming.items, *past.items)])
    for page in (upcoming, past):
        page.items = [SessionFill(s, counts.get(s.id, 0)) for s in page.items]
    return upcoming, past


def attendees(session: Session) -> list[Booking]:
    """Confirmed bookings, by learner name."""
    return db.session.scalars(
        select(Booking)
        .join(Booking.learner)
        .options(selectinload(Booking.learner))
        .where(Booking.session_id == session.id, Booking.status == BookingStatus.CONFIRMED)
        .order_by(func.lower(User.name), Booking.id)
    ).all()


def waiting_list(session: Session) -> list[Booking]:
    """Waiting bookings, first in line first."""
    return db.session.scalars(
        select(Booking)
        .options(selectinload(Booking.learner))
        .where(Booking.session_id == session.id, Booking.status == BookingStatus.WAITLISTED)
        .order_by(Booking.waiting_position)
    ).all()


def late_cancellations(session: Session) -> list[Booking]:
    """Places given up too late to go to anyone else, by learner name."""
    return db.session.scalars(
        select(Booking)
        .join(Booking.learner)
        .options(selectinload(Booking.learner))
        .where(
            Booking.session_id == session.id,
            Booking.status == BookingStatus.CANCELLED,
            Booking.outcome == AttendanceOutcome.LATE_CANCELLATION,
        )
        .order_by(func.lower(User.name), Booking.id)
    ).all()
