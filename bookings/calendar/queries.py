"""Read-only questions the calendar feeds ask: what is in a feed, and when it last changed."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Row, and_, case, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from ..enums import BookingStatus, Role, SessionStatus
from ..extensions import db
from ..models import Booking, Course, OutboxMessage, Session, User, utcnow


def latest(*stamps: datetime | None) -> datetime | None:
    known = [s for s in stamps if s is not None]
    return max(known) if known else None


# Every feed covers a bounded window of session starts, so a feed stays the same size
# however many years of sessions the database holds. The public and course feeds: from
# FEED_PAST ago (a session stays in subscribers' calendars for a month after it took
# place) to FEED_AHEAD ahead (18 months). The personal feeds and the staff programme
# keep a year of the past (PERSONAL_PAST), with the same FEED_AHEAD.
FEED_PAST = timedelta(days=30)
FEED_AHEAD = timedelta(days=548)  # 18 months
PERSONAL_PAST = timedelta(days=365)


def feed_window(now: datetime, past: timedelta = FEED_PAST) -> list:
    """The conditions on Session.starts_at that keep a feed to its window: a range on
    the indexed column, nothing computed from it."""
    return [Session.starts_at >= now - past, Session.starts_at < now + FEED_AHEAD]


def _window_edges(now: datetime, past: timedelta) -> tuple:
    """Aggregates for when a feed's window last moved past a session: the latest start
    already within FEED_AHEAD (it entered then), and the latest start more than past
    ago (it left then); see _edge_moments."""
    return (
        func.max(case((Session.starts_at < now + FEED_AHEAD, Session.starts_at))),
        func.max(case((Session.starts_at < now - past, Session.starts_at))),
    )


def _edge_moments(
    entered: datetime | None, left: datetime | None, past: timedelta
) -> tuple[datetime | None, datetime | None]:
    return (
        entered - FEED_AHEAD if entered else None,
        left + past if left else None,
    )


def _upcoming_filter(course: Course | None) -> list:
    conditions = [
        Session.status == SessionStatus.SCHEDULED,
        *feed_window(utcnow()),
        Course.published.is_(True),
    ]
    if course is not None:
        conditions.append(Session.course_id == course.id)
    return conditions


def upcoming_sessions(course: Course | None = None) -> list[Session]:
    """Scheduled sessions of published courses in the feed window, with their course."""
    query = (
        select(Session)
        .join(Session.course)
        .options(contains_eager(Session.course))
        .where(*_upcoming_filter(course))
        .order_by(Session.starts_at, Session.id)
    )
    return list(db.session.scalars(query))


def _greatest(column, *conditions):
    """The greatest value of column where conditions hold, as a scalar subquery that
    an index on column (after any equality in conditions) answers in one lookup."""
    return select(column).where(*conditions).order_by(column.desc()).limit(1).scalar_subquery()


def sessions_changed_at(course: Course | None = None) -> datetime | None:
    """When the feed last changed: the latest edit of any session or course in it,
    cancelled or unpublished ones included (they left the feed then), the latest
    start that has passed (its event then says so), the latest moment a session
    entered the window (FEED_AHEAD before its start) or left it (FEED_PAST after).

    Each is one index lookup (ix_sessions_updated_at, ix_courses_updated_at,
    ix_sessions_starts_at, or ix_sessions_course_starts for a course's feed), so a
    poll costs the same however many years of sessions there are. The public feed
    counts an edit of any course, with sessions or not: at worst a poll then fetches
    the same feed again."""
    now = utcnow()
    of_course = [Session.course_id == course.id] if course is not None else []
    row = db.session.execute(
        select(
            _greatest(Session.updated_at, *of_course),
            _greatest(Course.updated_at, *([Course.id == course.id] if course else [])),
            _greatest(Session.starts_at, Session.starts_at <= now, *of_course),
            _greatest(Session.starts_at, Session.starts_at < now + FEED_AHEAD, *of_course),
            _greatest(Session.starts_at, Session.starts_at < now - FEED_PAST, *of_course),
        )
    ).one()
    return latest(*row[:3], *_edge_moments(*row[3:], FEED_PAST))


def feed_content_stamp(course: Course | None) -> tuple:
    """One cheap aggregate that changes whenever the feed's sessions would: which
    sessions are in it, any edit to them or their course (updated_at), places taken,
    how many have started (their events then say so rather than offer places)."""
    now = utcnow()
    return tuple(
        db.session.execute(
            select(
                func.count(Session.id),
                func.coalesce(func.sum(Session.id), 0),
                func.max(Session.updated_at),
                func.max(Course.updated_at),
                func.coalesce(func.sum(Session.seats_taken), 0),
                func.coalesce(func.sum(Session.revision), 0),
                func.count(case((Session.starts_at <= now, Session.id))),
            )
            .join(Session.course)
            .where(*_upcoming_filter(course))
        ).one()
    )


def feed_bookings(user: User) -> list[Booking]:
    """A learner's active bookings of scheduled sessions in the personal window, with
    session and course, by start."""
    return list(
        db.session.scalars(
            select(Booking)
            .join(Booking.session)
            .options(
                contains_eager(Booking.session).joinedload(Session.course),
            )
            .where(
                Booking.learner_id == user.id,
                Booking.status != BookingStatus.CANCELLED,
                Session.status == SessionStatus.SCHEDULED,
                *feed_window(utcnow(), PERSONAL_PAST),
            )
            .order_by(Session.starts_at, Booking.id)
        )
    )


def bookings_changed_at(user: User) -> datetime | None:
    """The latest change to any of the learner's bookings or their sessions; cancelled
    bookings count too: they left the feed when they changed; or a session entering or
    leaving the window."""
    row = db.session.execute(
        select(
            func.max(Booking.updated_at),
            func.max(Session.updated_at),
            *_window_edges(utcnow(), PERSONAL_PAST),
        )
        .join(Booking.session)
        .where(Booking.learner_id == user.id)
    ).one()
    return latest(*row[:2], *_edge_moments(*row[2:], PERSONAL_PAST))


def booking_with_session(reference: str) -> Booking | None:
    """The booking with this reference, its session, course and learner loaded."""
    return db.session.scalar(
        select(Booking)
        .where(Booking.reference == reference.upper())
        .options(
            joinedload(Booking.session).joinedload(Session.course),
            joinedload(Booking.learner),
        )
    )


def taught_sessions(user: User) -> list[Session]:
    """The scheduled sessions user is the trainer of in the personal window, with their
    course, by start."""
    return list(
        db.session.scalars(
            select(Session)
            .options(joinedload(Session.course))
            .where(
                Session.trainer_id == user.id,
                Session.status == SessionStatus.SCHEDULED,
                *feed_window(utcnow(), PERSONAL_PAST),
            )
            .order_by(Session.starts_at, Session.id)
        )
    )


def teaching_changed_at(user: User) -> datetime | None:
    """The latest change to what user teaches: an edit of one of their sessions or its
    course, or a calendar email to them (sent too when a session is taken from them,
    which leaves no trace on the sessions they still have)."""
    told = (
        select(func.max(OutboxMessage.created_at))
        .where(OutboxMessage.user_id == user.id, OutboxMessage.ics.is_not(None))
        .scalar_subquery()
    )
    row = db.session.execute(
        select(
            func.max(Session.updated_at),
            func.max(Course.updated_at),
            told,
            *_window_edges(utcnow(), PERSONAL_PAST),
        )
        .select_from(Session)
        .join(Session.course)
        .where(Session.trainer_id == user.id)
    ).one()
    return latest(*row[:3], *_edge_moments(*row[3:], PERSONAL_PAST))


# The staff feed holds a year of past sessions and the next FEED_AHEAD (18 months); a
# cancelled session stays for 30 days after it was cancelled, marked so, then leaves.
PROGRAMME_PAST = PERSONAL_PAST
CANCELLED_KEPT = timedelta(days=30)


def _in_programme(now: datetime):
    cancelled_at = func.coalesce(Session.cancelled_at, Session.updated_at)
    return and_(
        Session.starts_at < now + FEED_AHEAD,
        or_(
            and_(
                Session.status == SessionStatus.SCHEDULED, Session.ends_at >= now - PROGRAMME_PAST
            ),
            and_(Session.status == SessionStatus.CANCELLED, cancelled_at >= now - CANCELLED_KEPT),
        ),
    )


def is_staff_feed_token(token: str) -> bool:
    """Whether token opens the programme feed: an active staff member's feed token."""
    return (
        db.session.scalar(
            select(User.id).where(
                User.staff_calendar_token == token,
                User.active.is_(True),
                User.role == Role.STAFF,
            )
        )
        is not None
    )


def programme_sessions(now: datetime) -> list[Row]:
    """Every session in the staff feed with its course's title and its trainer, by start:
    rows of the columns the feed shows, not models, as a thousand models take long to load."""
    return list(
        db.session.execute(
            select(
                Session.id,
                Session.starts_at,
                Session.ends_at,
                Session.venue_name,
                Session.venue_address,
                Session.online_url,
                Session.capacity,
                Session.seats_taken,
                Session.status,
                Session.revision,
                Session.updated_at,
                Course.title,
                Course.published,
                User.name.label("trainer_name"),
                User.email.label("trainer_email"),
            )
            .join(Course, Course.id == Session.course_id)
            .outerjoin(User, User.id == Session.trainer_id)
            .where(_in_programme(now))
            .order_by(Session.starts_at, Session.id)
        )
    )


def programme_waiting(now: datetime) -> dict[int, int]:
    """How many wait for each session in the staff feed that has anyone waiting."""
    return dict(
        db.session.execute(
            select(Booking.session_id, func.count(Booking.id))
            .join(Booking.session)
            .where(_in_programme(now), Booking.status == BookingStatus.WAITLISTED)
            .group_by(Booking.session_id)
        ).all()
    )


def programme_stamp(now: datetime) -> tuple:
    """Cheap aggregates that change whenever the staff feed would: which sessions are
    in it, any edit to them, places and revisions, the waiting lists and, a row per
    trainer, the trainers' names and addresses (which keep no time of change to
    compare); with them the latest edit of any course, which takes in more than the
    feed shows but costs at worst a poll answered in full. One statement."""
    in_feed = _in_programme(now)
    waiting = (
        select(Booking.id)
        .join(Booking.session)
        .where(in_feed, Booking.status == BookingStatus.WAITLISTED)
        .subquery()
    )
    by_trainer = (
        select(
            Session.trainer_id,
            User.name,
            User.email,
            func.count(Session.id),
            func.sum(Session.id),
            func.max(Session.updated_at),
            func.sum(Session.seats_taken),
            func.sum(Session.capacity),
            func.sum(Session.revision),
            func.sum(Session.trainer_changes),
            # Each computed once, not per row: none refers to the sessions outside.
            select(func.max(Course.updated_at)).scalar_subquery(),
            select(func.count(waiting.c.id)).scalar_subquery(),
            select(func.coalesce(func.sum(waiting.c.id), 0)).scalar_subquery(),
        )
        .outerjoin(User, User.id == Session.trainer_id)
        .where(in_feed)
        .group_by(Session.trainer_id, User.name, User.email)
        .order_by(Session.trainer_id.is_not(None), Session.trainer_id)
    )
    return tuple(tuple(row) for row in db.session.execute(by_trainer))
