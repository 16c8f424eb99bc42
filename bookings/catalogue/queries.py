"""Reading the catalogue: search, course pages, upcoming sessions, news.

Each function issues a fixed number of statements whatever the number of
courses, so the pages cost the same with 5 courses or 500.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Integer, and_, bindparam, exists, func, literal_column, or_, select
from sqlalchemy.orm import joinedload

from ..enums import SessionStatus
from ..extensions import db
from ..models import Course, NewsPost, Session, utcnow
from ..search import TextQuery, match_value, text_filter
from ..timefmt import from_local


@dataclass
class Page:
    """One page of results, with what the pagination macro needs."""

    items: list
    page: int
    per_page: int
    total: int
    titles_only: bool = False  # a one- or two-letter search, of title words

    @property
    def pages(self) -> int:
        return max(math.ceil(self.total / self.per_page), 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


@dataclass
class CatalogueSearch:
    """What a visitor asked the catalogue for; every part is optional."""

    q: str = ""
    category: str = ""
    month: tuple[int, int] | None = None  # (year, month) in local time
    available: bool = False


@dataclass(frozen=True, slots=True)
class SessionDate:
    """What a catalogue card shows of a session: when it runs and the places left.

    Read as plain rows: building full Session objects cost three times as much.
    """

    id: int
    course_id: int
    starts_at: datetime
    ends_at: datetime
    status: str
    capacity: int
    seats_taken: int

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED


@dataclass(frozen=True, slots=True)
class CourseSummary:
    """What a catalogue card shows of a course, read as a plain row."""

    id: int
    slug: str
    title: str
    summary: str
    category: str
    price_voluntary_pence: int
    price_private_pence: int

    price_for = Course.price_for


@dataclass(frozen=True, slots=True)
class CourseCard:
    """A course and its next dates: all a card shows, so a card's HTML is a function of it."""

    course: CourseSummary
    dates: tuple[SessionDate, ...] = ()


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """The UTC instants at which a local calendar month starts and ends."""
    start = from_local(datetime(year, month, 1))
    following = datetime(year + (month == 12), month % 12 + 1, 1)
    return start, from_local(following)


def clamp_page(value, pages: int | None = None) -> int:
    """A page number from a query string, never below 1 (nor above pages when known)."""
    try:
        page = int(value)
    except (TypeError, ValueError):
        page = 1
    page = max(page, 1)
    if pages is not None:
        page = min(page, pages)
    return page


_CATEGORIES = (
    select(Course.category)
    .where(Course.published, Course.category != "")
    .distinct()
    .order_by(Course.category)
)


def categories() -> list[str]:
    """The categories of published courses, in alphabetical order."""
    return list(db.session.scalars(_CATEGORIES))


def _upcoming(now: datetime):
    return and_(Session.status == SessionStatus.SCHEDULED, Session.starts_at > now)


CARD_DATES = 3  # the next dates a catalogue card shows


def search_courses(search: CatalogueSearch, page: int, per_page: int) -> Page:
    """Published courses matching search, each with its next dates (3 statements).

    Without words, the page is read along ix_courses_catalogue_order, so it costs the
    same however many courses there are; with words, ranking looks at every match.
    """
    dialect = db.session.get_bind().dialect.name
    text_query = TextQuery.parse(search.q) if search.q else None
    if text_query is not None and text_query.empty:
        return Page([], 1, per_page, 0)  # punctuation alone: nothing to look for
    short = bool(text_query and text_query.short)
    count, listing, dates = _search_statements(
        dialect,
        text_query is not None,
        short,
        bool(search.category),
        bool(search.month),
        bool(search.available),
    )
    values = {"now": utcnow(), "category": search.category, "per_course": CARD_DATES}
    if text_query is not None:
        values["match"] = match_value(dialect, text_query)
    if search.month:
        values["month_start"], values["month_end"] = month_bounds(*search.month)
    total = db.session.scalar(count, values)
    wider = text_query.widen() if text_query is not None and not total else None
    if wider is not None:  # no whole-word match: perhaps the last word was unfinished
        values["match"] = match_value(dialect, wider)
        total = db.session.scalar(count, values)
    page = min(page, max(math.ceil(total / per_page), 1))
    values.update(limit=per_page, offset=(page - 1) * per_page)
    rows = db.session.execute(listing, values).all() if total else []
    courses = [CourseSummary(*row) for row in rows]
    grouped: dict[int, list[SessionDate]] = defaultdict(list)
    if courses:
        values["course_ids"] = [c.id for c in courses]
        for row in db.session.execute(dates, values):
            grouped[row.course_id].append(SessionDate(*row[:-1]))  # all but position
    cards = [CourseCard(course, tuple(grouped.get(course.id, ()))) for course in courses]
    return Page(cards, page, per_page, total, titles_only=short)


@lru_cache(maxsize=32)
def _search_statements(
    dialect: str, by_text: bool, short: bool, by_category: bool, by_month: bool, available: bool
):
    """The count, page and next-dates statements for one shape of search.

    Built once per shape, with the visitor's values as bound parameters: building
    a statement costs SQLAlchemy more than SQLite takes to run it.
    """
    instant = Session.starts_at.type
    now = bindparam("now", type_=instant)
    conditions = [Course.published]
    order = [Course.title, Course.id]
    source = None
    if by_text:
        matches, rank, source = text_filter(dialect, short)
        conditions.append(matches)
        if rank is not None:
            order.insert(0, rank)
    if by_category:
        conditions.append(Course.category == bindparam("category"))
    window = [Session.status == SessionStatus.SCHEDULED, Session.starts_at > now]
    if by_month:
        window = [
            Session.status == SessionStatus.SCHEDULED,
            Session.starts_at >= bindparam("month_start", type_=instant),
            Session.starts_at < bindparam("month_end", type_=instant),
        ]
        conditions.append(exists().where(Session.course_id == Course.id, *window))
    if available:
        # Written as ix_sessions_bookable's conditions (a literal status, not a bound
        # parameter), so the database may answer from that partial index.
        scheduled = literal_column(f"'{SessionStatus.SCHEDULED.value}'")
        conditions.append(
            exists().where(
                Session.course_id == Course.id,
                Session.status == scheduled,
                Session.starts_at > now,
                Session.seats_taken < Session.capacity,
            )
        )
    count = select(func.count(Course.id)).where(*conditions)
    listing = select(*(getattr(Course, name) for name in CourseSummary.__slots__))
    if source is not None:  # SQLite: the courses that the FTS5 table matches
        count = count.select_from(source).join(Course, Course.id == source.c.rowid)
        listing = listing.select_from(source).join(Course, Course.id == source.c.rowid)
    listing = (
        listing.where(*conditions)
        .order_by(*order)
        .limit(bindparam("limit", type_=Integer()))
        .offset(bindparam("offset", type_=Integer()))
    )
    # The first few dates within the window of each course on the page, in one query.
    position = (
        func.row_number()
        .over(partition_by=Session.course_id, order_by=(Session.starts_at, Session.id))
        .label("position")
    )
    numbered = (
        select(
            Session.id,
            Session.course_id,
            Session.starts_at,
            Session.ends_at,
            Session.status,
            Session.capacity,
            Session.seats_taken,
            position,
        )
        .where(Session.course_id.in_(bindparam("course_ids", expanding=True)), *window)
        .subquery()
    )
    dates = (
        select(numbered)
        .where(numbered.c.position <= bindparam("per_course", type_=Integer()))
        .order_by(numbered.c.starts_at, numbered.c.id)
    )
    return count, listing, dates


PAST_DATES = 5  # the most recent past dates a course page lists

_ANY_COURSE = select(Course).where(Course.slug == bindparam("slug"))
_PUBLISHED_COURSE = _ANY_COURSE.where(Course.published)
_past_ids = (
    select(Session.id)
    .where(Session.course_id == bindparam("course_id"), Session.starts_at <= bindparam("now"))
    .order_by(Session.starts_at.desc(), Session.id.desc())
    .limit(bindparam("past_limit", type_=Integer()))
)
# Upcoming sessions and the latest past ones, not a course's whole history.
_COURSE_SESSIONS = (
    select(Session)
    .where(
        Session.course_id == bindparam("course_id"),
        or_(Session.starts_at > bindparam("now"), Session.id.in_(_past_ids.scalar_subquery())),
    )
    .options(joinedload(Session.trainer))
    .order_by(Session.starts_at, Session.id)
)


def course_by_slug(slug: str, include_unpublished: bool = False) -> Course | None:
    """The course with this slug, if published (or include_unpublished, for staff)."""
    query = _ANY_COURSE if include_unpublished else _PUBLISHED_COURSE
    return db.session.scalar(query, {"slug": slug})


def course_sessions(course: Course, now: datetime | None = None, past_limit: int = PAST_DATES):
    """(upcoming, recent past) sessions of a course, with trainers; past ones newest first."""
    now = now or utcnow()
    sessions = db.session.scalars(
        _COURSE_SESSIONS, {"course_id": course.id, "now": now, "past_limit": past_limit}
    ).all()
    upcoming = [s for s in sessions if s.starts_at > now]
    past = [s for s in reversed(sessions) if s.starts_at <= now]
    return upcoming, past


def upcoming_with_places(limit: int = 6) -> list[Session]:
    """The next sessions that still have places, of published courses."""
    now = utcnow()
    return list(
        db.session.scalars(
            select(Session)
            .join(Session.course)
            .where(Course.published, _upcoming(now), Session.seats_taken < Session.capacity)
            .options(joinedload(Session.course))
            .order_by(Session.starts_at, Session.id)
            .limit(limit)
        )
    )


def latest_news(limit: int = 3) -> list[NewsPost]:
    return list(
        db.session.scalars(
            select(NewsPost)
            .where(NewsPost.published, NewsPost.published_at <= utcnow())
            .order_by(NewsPost.published_at.desc(), NewsPost.id.desc())
            .limit(limit)
        )
    )
