"""What the staff screens read: the dashboard and the lists of courses, sessions,
bookings, users, news and email."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Row, Select, func, or_, select, true, union
from sqlalchemy.orm import selectinload

from .. import timefmt
from ..enums import OUTBOX_STATUSES, ROLES, BookingStatus, OutboxStatus, Role, SessionStatus
from ..extensions import db
from ..models import Booking, Course, NewsPost, OutboxMessage, Session, User, utcnow
from ..paging import COUNT_LIMIT, count_up_to
from ..search import TextQuery
from ..substring import contains, ids_containing, indexed, like_pattern, matching, on_sqlite
from ..trainer.queries import SessionFill, waiting_counts, with_courses_and_trainers

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
    # Where a list holds more than it shows, the dashboard links to the full list.
    more_upcoming: bool = False
    more_at_risk: bool = False
    more_waiting: bool = False


def is_at_risk(session: Session, now: datetime) -> bool:
    """Under a third full and starting within a week."""
    return (
        session.is_scheduled
        and now < session.starts_at <= now + AT_RISK_WITHIN
        and session.seats_taken * 3 < session.capacity
    )


def _first(query: Select, limit: int) -> tuple[list, bool]:
    """Up to limit rows of the query, and whether there were more."""
    rows = db.session.scalars(query.limit(limit + 1)).all()
    return rows[:limit], len(rows) > limit


def dashboard(now: datetime | None = None) -> Dashboard:
    """The next sessions, those at risk and those with a waiting list (a bounded number
    of each), and the email trouble: every query here is limited, however big the data."""
    now = now or utcnow()
    scheduled = (
        select(Session)
        .where(Session.status == SessionStatus.SCHEDULED, Session.starts_at > now)
        .order_by(Session.starts_at, Session.id)
    )
    upcoming, more_upcoming = _first(scheduled, UPCOMING_SHOWN)
    at_risk, more_at_risk = _first(
        scheduled.where(
            Session.starts_at <= now + AT_RISK_WITHIN,
            Session.seats_taken * 3 < Session.capacity,
        ),
        UPCOMING_SHOWN,
    )
    has_waiting = (
        select(Booking.id)
        .where(Booking.session_id == Session.id, Booking.status == BookingStatus.WAITLISTED)
        .exists()
    )
    with_waiting, more_waiting = _first(scheduled.where(has_waiting), UPCOMING_SHOWN)
    shown = [*upcoming, *at_risk, *with_waiting]
    with_courses_and_trainers(shown)
    counts = waiting_counts([s.id for s in shown])

    def rows(sessions):
        return [SessionFill(s, counts.get(s.id, 0)) for s in sessions]

    failed_query = outbox_query(OutboxStatus.FAILED)
    pending_query = outbox_query(OutboxStatus.PENDING)
    return Dashboard(
        upcoming=rows(upcoming),
        at_risk=rows(at_risk),
        waiting=rows(with_waiting),
        failed_count=count_up_to(failed_query),
        pending_count=count_up_to(pending_query),
        failed=db.session.scalars(failed_query.limit(10)).all(),
        more_upcoming=more_upcoming,
        more_at_risk=more_at_risk,
        more_waiting=more_waiting,
    )


# Courses and sessions


def courses() -> list[Course]:
    return db.session.scalars(select(Course).order_by(Course.title)).all()


def course_titles() -> list:
    """(id, title) of every course, for the course pickers: rows, not whole courses."""
    return db.session.execute(select(Course.id, Course.title).order_by(Course.title)).all()


# The staff lists' course filter: staff type words of a title rather than pick from
# every course, so its cost is bounded by COURSE_MATCHES_SHOWN, not by the catalogue.
COURSE_MATCHES_SHOWN = 20
COURSE_TITLE_ORDER = (func.lower(Course.title), Course.id)  # ix_courses_title_lower
LARGEST_ID = 2**31 - 1


@dataclass
class CourseMatches:
    """The courses whose titles hold every word typed: the first few in title order,
    how many there are, and the one meant when the words mean one."""

    courses: list  # (id, title) rows, at most COURSE_MATCHES_SHOWN
    total: int  # counted no further than paging.COUNT_LIMIT + 1
    meant: Row | None = None

    @property
    def more_text(self) -> str:
        """How many match beyond those listed, in words ("" when none)."""
        if self.total > COUNT_LIMIT:
            return f"over {COUNT_LIMIT - len(self.courses):,}"
        more = self.total - len(self.courses)
        return f"{more:,}" if more > 0 else ""


def title_key(text: str) -> str:
    """A title as compared with one typed in full: in lower case, spaces collapsed."""
    return " ".join(text.split()).lower()


def course_title(course_id: int) -> Row | None:
    """(id, title) of one course, published or not; None when there is no such course."""
    if not 0 < course_id <= LARGEST_ID:
        return None
    return db.session.execute(
        select(Course.id, Course.title).where(Course.id == course_id)
    ).one_or_none()


def courses_matching(text: str, shown: int = COURSE_MATCHES_SHOWN) -> CourseMatches:
    """Courses, published or not, whose titles contain every word of text (any case).

    The one meant is the only match, or else the only course titled exactly text.
    At most three statements, each reading no more than a bounded number of rows.
    """
    words = TextQuery.parse(text).words
    if not words:
        return CourseMatches([], 0)
    query = (
        select(Course.id, Course.title)
        .where(*(contains(Course.title, like_pattern(word)) for word in words))
        .order_by(*COURSE_TITLE_ORDER)
    )
    rows = db.session.execute(query.limit(shown + 1)).all()
    if len(rows) <= 1:
        return CourseMatches(rows, len(rows), rows[0] if rows else None)
    titled = db.session.execute(
        select(Course.id, Course.title).where(func.lower(Course.title) == title_key(text)).limit(2)
    ).all()
    if len(titled) == 1:
        return CourseMatches(rows[:shown], len(rows), titled[0])
    total = len(rows) if len(rows) <= shown else count_up_to(query)
    return CourseMatches(rows[:shown], total)


def course_of_session(session_id: int) -> Row | None:
    """(id, title) of the course a session is of; None when there is no such session."""
    if not 0 < session_id <= LARGEST_ID:
        return None
    return db.session.execute(
        select(Course.id, Course.title).join(Session.course).where(Session.id == session_id)
    ).one_or_none()


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


def sessions_order(show: str = "upcoming") -> tuple:
    """Upcoming sessions soonest first; past ones latest first."""
    if show == "past":
        return (Session.starts_at.desc(), Session.id.desc())
    return (Session.starts_at, Session.id)


def sessions_query(course_id: int | None = None, show: str = "upcoming") -> Select:
    now = utcnow()
    query = select(Session).options(selectinload(Session.course), selectinload(Session.trainer))
    if course_id:
        query = query.where(Session.course_id == course_id)
    started = Session.starts_at <= now if show == "past" else Session.starts_at > now
    return query.where(started).order_by(*sessions_order(show))


def filter_sessions(course_id: int, limit: int = 200) -> list[Session]:
    """A course's sessions to pick from when filtering bookings, latest first."""
    return db.session.scalars(
        select(Session)
        .options(selectinload(Session.course))
        .where(Session.course_id == course_id)
        .order_by(Session.starts_at.desc(), Session.id.desc())
        .limit(limit)
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


# The order of the staff lists: each ends with the id so that it is total, and each
# has an index that matches it (migration 0010), so a page is an index range scan.
BOOKINGS_ORDER = (Booking.created_at.desc(), Booking.id.desc())
USERS_ORDER = (func.lower(User.name), User.id)


def bookings_query(
    *, course_id: int = 0, session_id: int = 0, status: str = "", search: str = ""
) -> Select:
    """Bookings, newest first, filtered; search finds the text (any case) in the
    reference, the organisation, or the learner's name or email address."""
    query = select(Booking).options(
        selectinload(Booking.learner),
        selectinload(Booking.session).selectinload(Session.course),
    )
    if course_id:
        of_course = select(Session.id).where(Session.course_id == course_id)
        query = query.where(Booking.session_id.in_(of_course))
    if session_id:
        query = query.where(Booking.session_id == session_id)
    if status:
        query = query.where(Booking.status == status)
    if search.strip():
        query = query.where(_booking_matches(search))
    return query.order_by(*BOOKINGS_ORDER)


def _booking_matches(search: str):
    """Bookings whose reference or organisation, or whose learner's name or email,
    contains the text: found from the trigram indexes (bookings/substring.py), the
    bookings found and those of the learners found, then the few found put in order.
    SQLite has no index for one or two characters: it reads the list in order and
    stops once a page is full."""
    if indexed(search):
        learners = ids_containing("user_substrings", search)
        found = union(
            ids_containing("booking_substrings", search),
            select(Booking.id).where(Booking.learner_id.in_(learners)),
        )
        return Booking.id.in_(found)
    like = like_pattern(search)
    if on_sqlite():
        learners = select(User.id).where(or_(contains(User.name, like), contains(User.email, like)))
        return or_(
            contains(Booking.reference, like),
            contains(Booking.organisation, like),
            Booking.learner_id.in_(learners),
        )
    # One branch per indexed column, so each is one trigram index scan (an OR of two
    # columns can lead the planner to read the table instead).
    found = union(
        select(Booking.id).where(contains(Booking.reference, like)),
        select(Booking.id).where(contains(Booking.organisation, like)),
        *(
            select(Booking.id).where(
                Booking.learner_id.in_(select(User.id).where(contains(column, like)))
            )
            for column in (User.name, User.email)
        ),
    )
    return Booking.id.in_(found)


def users_query(search: str = "", role: str = "") -> Select:
    query = select(User).order_by(*USERS_ORDER)
    if search.strip():
        query = query.where(matching(User.id, "user_substrings", (User.name, User.email), search))
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
    if not search.strip():
        return true()
    return matching(OutboxMessage.id, "outbox_substrings", (OutboxMessage.recipient,), search)


def outbox_order(status: str) -> tuple:
    """Newest first; sent ones by when they went out (when they were queued, for any
    sent before that was recorded)."""
    if status == OutboxStatus.SENT:
        newest = func.coalesce(OutboxMessage.sent_at, OutboxMessage.created_at)
    else:
        newest = OutboxMessage.created_at
    return (newest.desc(), OutboxMessage.id.desc())


def outbox_query(status: str, search: str = "") -> Select:
    """Messages of one status, newest first, to addresses matching search."""
    return (
        select(OutboxMessage)
        .where(OutboxMessage.status == status, _recipient_like(search))
        .order_by(*outbox_order(status))
    )


def outbox_counts(search: str = "") -> dict[str, int]:
    """How many messages there are of each status, to addresses matching search, each
    counted no further than paging.COUNT_LIMIT + 1 (see paging.count_text)."""
    return {status: count_up_to(outbox_query(status, search)) for status in OUTBOX_STATUSES}


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
