"""Staff rules: the dashboard, courses, sessions, users, news and the bookings export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import timefmt
from ..booking.service import fill_from_waiting_list
from ..enums import OUTBOX_STATUSES, ROLES, SECTOR_LABELS
from ..errors import DomainError, InvalidField
from ..extensions import db
from ..models import (
    Booking,
    Course,
    NewsPost,
    OutboxMessage,
    Session,
    User,
    utcnow,
)
from ..spreadsheet import csv_text
from ..trainer.service import SessionFill, waiting_counts

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
        session.status == "scheduled"
        and now < session.starts_at <= now + AT_RISK_WITHIN
        and session.seats_taken * 3 < session.capacity
    )


def dashboard(now: datetime | None = None) -> Dashboard:
    now = now or utcnow()
    scheduled = (
        select(Session)
        .options(selectinload(Session.course), selectinload(Session.trainer))
        .where(Session.status == "scheduled", Session.starts_at > now)
        .order_by(Session.starts_at)
    )
    upcoming = db.session.scalars(scheduled.limit(UPCOMING_SHOWN)).all()
    soon = db.session.scalars(scheduled.where(Session.starts_at <= now + AT_RISK_WITHIN)).all()
    waiting_ids = db.session.scalars(
        select(Booking.session_id)
        .join(Booking.session)
        .where(Booking.status == "waitlisted", Session.starts_at > now)
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

    failed_query = select(OutboxMessage).where(OutboxMessage.status == "failed")
    return Dashboard(
        upcoming=rows(upcoming),
        at_risk=rows(s for s in soon if is_at_risk(s, now)),
        waiting=rows(with_waiting),
        failed_count=_count(failed_query),
        pending_count=_count(select(OutboxMessage).where(OutboxMessage.status == "pending")),
        failed=db.session.scalars(
            failed_query.order_by(OutboxMessage.created_at.desc()).limit(10)
        ).all(),
    )


def _count(query: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


# Courses


def slug_taken(slug: str, course_id: int | None = None) -> bool:
    query = select(Course.id).where(Course.slug == slug)
    if course_id is not None:
        query = query.where(Course.id != course_id)
    return db.session.scalar(query) is not None


def save_course(values: dict, course: Course | None = None) -> Course:
    """Create a course, or update one, from form values."""
    if slug_taken(values["slug"], course.id if course else None):
        raise InvalidField("slug", "Another course already uses this web address name.")
    course = course or Course()
    for name, value in values.items():
        setattr(course, name, value)
    db.session.add(course)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise InvalidField("slug", "Another course already uses this web address name.") from exc
    return course


def set_published(course: Course, published: bool) -> None:
    course.published = published
    db.session.flush()


# Sessions


def trainers() -> list[User]:
    return db.session.scalars(
        select(User)
        .where(User.role.in_(("trainer", "staff")), User.active.is_(True))
        .order_by(User.name)
    ).all()


def courses() -> list[Course]:
    return db.session.scalars(select(Course).order_by(Course.title)).all()


def _session_clash(course_id: int, starts_at: datetime, session_id: int | None = None) -> bool:
    query = select(Session.id).where(Session.course_id == course_id, Session.starts_at == starts_at)
    if session_id is not None:
        query = query.where(Session.id != session_id)
    return db.session.scalar(query) is not None


def create_session(
    *,
    course_id: int,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    trainer_id: int | None,
    booking_deadline: datetime | None,
    venue_name: str,
    venue_address: str,
    online_url: str,
    notes: str,
) -> Session:
    """Add a dated run of a course."""
    if ends_at <= starts_at:
        raise InvalidField("ends", "The end time must be after the start time.")
    if _session_clash(course_id, starts_at):
        raise InvalidField("starts", "This course already has a session starting then.")
    session = Session(
        course_id=course_id,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        trainer_id=trainer_id or None,
        booking_deadline=booking_deadline,
        venue_name=venue_name,
        venue_address=venue_address,
        online_url=online_url,
        notes=notes,
    )
    db.session.add(session)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise InvalidField("starts", "This course already has a session starting then.") from exc
    return session


def update_session_details(
    session: Session,
    *,
    capacity: int,
    trainer_id: int | None,
    booking_deadline: datetime | None,
    notes: str,
) -> list[Booking]:
    """Change what does not move the session in time or place.

    Returns the waiting learners given a place because the session has more places now.
    """
    if capacity < session.seats_taken:
        raise InvalidField(
            "capacity",
            f"{session.seats_taken} places are already booked; "
            "the number of places cannot be lower.",
        )
    session.capacity = capacity
    session.trainer_id = trainer_id or None
    session.booking_deadline = booking_deadline
    session.notes = notes
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise InvalidField(
            "capacity", "More places are booked than that; the number cannot be lower."
        ) from exc
    # New places go to the waiting list first, in order, each learner told.
    promoted = fill_from_waiting_list(session.id)
    db.session.expire(session, ["seats_taken"])
    return promoted


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
        .where(Session.status == "scheduled", Session.starts_at > utcnow())
        .order_by(Session.starts_at)
    )
    if course_id:
        query = query.where(Session.course_id == course_id)
    if exclude_id:
        query = query.where(Session.id != exclude_id)
    return db.session.scalars(query).all()


def session_label(session: Session) -> str:
    return f"{session.course.title}: {timefmt.when(session.starts_at, session.ends_at)}"


# Bookings


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
    search = search.strip()
    if search:
        like = f"%{search.lower()}%"
        query = query.where(
            or_(
                func.lower(User.name).like(like),
                func.lower(User.email).like(like),
                func.lower(Booking.reference).like(like),
            )
        )
    return query


# Users


def users_query(search: str = "", role: str = "") -> Select:
    query = select(User).order_by(func.lower(User.name), User.id)
    search = search.strip()
    if search:
        like = f"%{search.lower()}%"
        query = query.where(
            or_(func.lower(User.name).like(like), func.lower(User.email).like(like))
        )
    if role in ROLES:
        query = query.where(User.role == role)
    return query


def set_role(user: User, role: str, by: User) -> None:
    if role not in ROLES:
        raise InvalidField("role", "Choose a role.")
    if user.id == by.id and role != "staff":
        raise InvalidField("role", "You cannot take away your own staff role.")
    user.role = role
    db.session.flush()


def set_active(user: User, active: bool, by: User) -> None:
    if user.id == by.id and not active:
        raise DomainError("You cannot deactivate your own account.")
    user.active = active
    db.session.flush()


# News


def news_posts() -> list[NewsPost]:
    return db.session.scalars(
        select(NewsPost).order_by(NewsPost.published_at.desc(), NewsPost.id.desc())
    ).all()


def save_news(
    *, title: str, body: str, published_at: datetime, published: bool, post: NewsPost | None = None
) -> NewsPost:
    post = post or NewsPost()
    post.title = title.strip()
    post.body = body
    post.published_at = published_at
    post.published = published
    db.session.add(post)
    db.session.flush()
    return post


def delete_news(post: NewsPost) -> None:
    db.session.delete(post)
    db.session.flush()


# Outbox


def _recipient_like(search: str):
    """Messages to addresses containing search (any case), or every message."""
    search = search.strip().lower()
    if not search:
        return true()
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(OutboxMessage.recipient).like(f"%{escaped}%", escape="\\")


def outbox_query(status: str, search: str = ""):
    """Messages of one status, newest first (sent ones by when they went out)."""
    newest = OutboxMessage.sent_at if status == "sent" else OutboxMessage.created_at
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


# Export

EXPORT_HEADER = [
    "Reference",
    "Status",
    "Course",
    "Session start",
    "Learner name",
    "Learner email",
    "Organisation",
    "Sector",
    "Price (GBP)",
    "Access needs",
    "Dietary needs",
    "Attended",
    "Booked at",
]


def _local_iso(instant: datetime | None) -> str:
    return timefmt.to_local(instant).isoformat(timespec="seconds") if instant else ""


def export_bookings_csv(date_from: date, date_to: date, course_id: int = 0) -> str:
    """Bookings for sessions starting on date_from to date_to (London dates) as CSV with a BOM."""
    start = timefmt.from_local(datetime.combine(date_from, time.min))
    end = timefmt.from_local(datetime.combine(date_to + timedelta(days=1), time.min))
    query = (
        select(Booking)
        .join(Booking.session)
        .options(
            selectinload(Booking.learner),
            selectinload(Booking.session).selectinload(Session.course),
        )
        .where(Session.starts_at >= start, Session.starts_at < end)
        .order_by(Session.starts_at, Booking.id)
    )
    if course_id:
        query = query.where(Session.course_id == course_id)
    return csv_text(
        EXPORT_HEADER,
        (
            [
                booking.reference,
                booking.status,
                booking.session.course.title,
                _local_iso(booking.session.starts_at),
                booking.learner.name,
                booking.learner.email,
                booking.organisation,
                SECTOR_LABELS.get(booking.sector, booking.sector),
                timefmt.pounds(booking.price_pence),
                booking.access_needs,
                booking.dietary_needs,
                {True: "yes", False: "no"}.get(booking.attended, ""),
                _local_iso(booking.created_at),
            ]
            for booking in db.session.scalars(query)
        ),
    )
