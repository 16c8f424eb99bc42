"""What the staff screens read: the dashboard and the lists of courses, sessions,
bookings, users, news and email."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, func, or_, select, true
from sqlalchemy.orm import selectinload

from .. import timefmt
from ..enums import OUTBOX_STATUSES, ROLES, BookingStatus, OutboxStatus, Role, SessionStatus
from ..extensions import db
from ..models import Booking, Course, NewsPost, OutboxMessage, Session, User, utcnow
from ..trainer.queries import SessionFill, waiting_counts

AT_RISK_WITHIN = timedelta(days=7)
UPCOMING_SHOWN = 25


@dataclass
class Dashboard:
    upcoming: list[SessionFill]
    at_risk: list[SessionFill]
    waiting: list[SessionFill]
    failed_count: int
    pending_count: int
    failed: list[OutboxMessage]


def is_at_risk(session: Session, now: datetime) -> bool:
    """Under a third full and starting within a week."""
    return (
        session.is_scheduled
        and now < session.starts_at <= now + AT_RISK_WITHIN
        and session.seats_taken * 3 < session.capacity
    )


def dashboard(now: datetime | None = None) -> Dashboard:
    now = now or utcnow()
    scheduled = (
        select(Session)
        .options(selectinload(Session.course), selectinload(Session.trainer))
        .where(Session.status == SessionStatus.SCHEDULED, Session.starts_at > now)
        .order_by(Session.starts_at)
    )
    upcoming = db.session.scalars(scheduled.limit(UPCOMING_SHOWN)).all()
    soon = db.session.scalars(scheduled.where(Session.starts_at <= now + AT_RISK_WITHIN)).all()
    waiting_ids = db.session.scalars(
        select(Booking.session_id)
        .join(Booking.session)
        .where(Booking.status == BookingStatus.WAITLISTED, Session.starts_at > now)
        .distinct()
    ).all()
    with_waiting = db.session.scalars(
        select(Session)
        .options(selectinload(Session.course))
        .where(Session.id.in_(waiting_ids))
        .order_by(Session.starts_at)
    ).all()
    counts = waiting_counts([s.id for s in (*upcoming, *soon, *with_waiting)])

    def rows(sessions):
        return [SessionFill(s, counts.get(s.id, 0)) for s in sessions]

    failed_query = select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
    pending_query = select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)
    return Dashboard(
        upcoming=rows(upcoming),
        at_risk=rows(s for s in soon if is_at_risk(s, now)),
        waiting=rows(with_waiting),
        failed_count=_count(failed_query),
        pending_count=_count(pending_query),
        failed=db.session.scalars(
            failed_query.order_by(OutboxMessage.created_at.desc()).limit(10)
        ).all(),
    )


def _count(query: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


# Courses and sessions


def courses() -> list[Course]:
    return db.session.scalars(select(Course).order_by(Course.title)).all()


def slug_taken(slug: str, course_id: int | None = None) -> bool:
    query = select(Course.id).where(Course.slug == slug)
    if course_id is not None:
        query = query.where(Course.id != course_id)
    return db.session.scalar(query) is not None


def session_clash(course_id: int, starts_at: datetime, session_id: int | None = None) -> bool:
    """Whether another session of the course starts at that instant."""
    query = select(Session.id).where(Session.course_id == course_id, Session.starts_at == starts_at)
    if session_id is not None:
        query = query.where(Session.id != session_id)
    return db.session.scalar(query) is not None


def trainers() -> list[User]:
    return db.session.scalars(
        select(User)
        .where(User.role.in_((Role.TRAINER, Role.STAFF)), User.active.is_(True))
        .order_by(User.name)
    ).all()


def sessions_query(course_id: int | None = None, show: str = "upcoming") -> Select:
    now = utcnow()
    query = select(Session).options(selectinload(Session.course), selectinload(Session.trainer))
    if course_id:
        query = query.where(Session.course_id == course_id)
    if show == "past":
        return query.where(Session.starts_at <= now).order_by(Session.starts_at.desc())
    return query.where(Session.starts_at > now).order_by(Session.starts_at)


def filter_sessions(course_id: int = 0, limit: int = 200) -> list[Session]:
    """Sessions to pick from when filtering bookings: a course's all, or the next ones."""
    query = select(Session).options(selectinload(Session.course)).limit(limit)
    if course_id:
        return db.session.scalars(
            query.where(Session.course_id == course_id).order_by(Session.starts_at.desc())
        ).all()
    return db.session.scalars(
        query.where(Session.starts_at > utcnow()).order_by(Session.starts_at)
    ).all()


def bookable_sessions(course_id: int | None = None, exclude_id: int | None = None) -> list:
    """Scheduled sessions yet to start (of one course, when given)."""
    query = (
        select(Session)
        .options(selectinload(Session.course))
        .where(Session.status == SessionStatus.SCHEDULED, Session.starts_at > utcnow())
        .order_by(Session.starts_at)
    )
    if course_id:
        query = query.where(Session.course_id == course_id)
    if exclude_id:
        query = query.where(Session.id != exclude_id)
    return db.session.scalars(query).all()


def session_label(session: Session) -> str:
    return f"{session.course.title}: {timefmt.when(session.starts_at, session.ends_at)}"


# Bookings and people


def _containing(search: str) -> str:
    return f"%{search.strip().lower()}%"


def bookings_query(
    *, course_id: int = 0, session_id: int = 0, status: str = "", search: str = ""
) -> Select:
    query = (
        select(Booking)
        .join(Booking.session)
        .join(Booking.learner)
        .options(
            selectinload(Booking.learner),
            selectinload(Booking.session).selectinload(Session.course),
        )
        .order_by(Booking.created_at.desc(), Booking.id.desc())
    )
    if course_id:
        query = query.where(Session.course_id == course_id)
    if session_id:
        query = query.where(Booking.session_id == session_id)
    if status:
        query = query.where(Booking.status == status)
    if search.strip():
        like = _containing(search)
        query = query.where(
            or_(
                func.lower(User.name).like(like),
                func.lower(User.email).like(like),
                func.lower(Booking.reference).like(like),
            )
        )
    return query


def users_query(search: str = "", role: str = "") -> Select:
    query = select(User).order_by(func.lower(User.name), User.id)
    if search.strip():
        like = _containing(search)
        query = query.where(
            or_(func.lower(User.name).like(like), func.lower(User.email).like(like))
        )
    if role in ROLES:
        query = query.where(User.role == role)
    return query


def news_posts() -> list[NewsPost]:
    return db.session.scalars(
        select(NewsPost).order_by(NewsPost.published_at.desc(), NewsPost.id.desc())
    ).all()


# Outbox


def _recipient_like(search: str):
    """Messages to addresses containing search (any case), or every message."""
    search = search.strip().lower()
    if not search:
        return true()
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(OutboxMessage.recipient).like(f"%{escaped}%", escape="\\")


def outbox_query(status: str, search: str = "") -> Select:
    """Messages of one status, newest first (sent ones by when they went out)."""
    newest = OutboxMessage.sent_at if status == OutboxStatus.SENT else OutboxMessage.created_at
    return (
        select(OutboxMessage)
        .where(OutboxMessage.status == status, _recipient_like(search))
        .order_by(newest.desc(), OutboxMessage.id.desc())
    )


def outbox_counts(search: str = "") -> dict[str, int]:
    """How many messages there are of each status, to addresses matching search."""
    counts = dict.fromkeys(OUTBOX_STATUSES, 0)
    rows = db.session.execute(
        select(OutboxMessage.status, func.count())
        .where(_recipient_like(search))
        .group_by(OutboxMessage.status)
    )
    counts.update({status: count for status, count in rows})
    return counts


# Attendance outcomes


def outcome_bookings(session: Session) -> list[Booking]:
    """The session's bookings that held a place: confirmed ones, then those cancelled
    after they were confirmed, each by learner name."""
    return db.session.scalars(
        select(Booking)
        .join(Booking.learner)
        .options(selectinload(Booking.learner))
        .where(
            Booking.session_id == session.id,
            or_(
                Booking.status == BookingStatus.CONFIRMED,
                (Booking.status == BookingStatus.CANCELLED) & Booking.confirmed_at.is_not(None),
            ),
        )
        .order_by(Booking.status.desc(), func.lower(User.name), Booking.id)
    ).all()
