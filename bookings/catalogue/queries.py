"""Reading the catalogue: search, course pages, upcoming sessions, news.

Each function issues a fixed number of statements whatever the number of
courses, so the pages cost the same with 5 courses or 500.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import Course, NewsPost, Session, utcnow
from ..timefmt import from_local


@dataclass
class Page:
    """One page of results, with what the pagination macro needs."""

    items: list
    page: int
    per_page: int
    total: int

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


@dataclass
class CourseCard:
    course: Course
    dates: list[Session] = field(default_factory=list)


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


def categories() -> list[str]:
    """The categories of published courses, in alphabetical order."""
    return list(
        db.session.scalars(
            select(Course.category)
            .where(Course.published, Course.category != "")
            .distinct()
            .order_by(Course.category)
        )
    )


def _upcoming(now: datetime):
    return and_(Session.status == "scheduled", Session.starts_at > now)


def search_courses(search: CatalogueSearch, page: int, per_page: int) -> Page:
    """Published courses matching search, each with its next dates (3 statements)."""
    now = utcnow()
    conditions = [Course.published]
    if search.q:
        needle = search.q.lower()
        conditions.append(
            or_(
                func.lower(Course.title).contains(needle, autoescape=True),
                func.lower(Course.summary).contains(needle, autoescape=True),
                func.lower(Course.category).contains(needle, autoescape=True),
            )
        )
    if search.category:
        conditions.append(Course.category == search.category)
    session_window = [_upcoming(now)]
    if search.month:
        start, end = month_bounds(*search.month)
        session_window = [
            Session.status == "scheduled",
            Session.starts_at >= start,
            Session.starts_at < end,
        ]
        conditions.append(exists().where(Session.course_id == Course.id, *session_window))
    if search.available:
        conditions.append(
            exists().where(
                Session.course_id == Course.id,
                _upcoming(now),
                Session.seats_taken < Session.capacity,
            )
        )

    total = db.session.scalar(select(func.count(Course.id)).where(*conditions))
    page = min(page, max(math.ceil(total / per_page), 1))
    courses = list(
        db.session.scalars(
            select(Course)
            .where(*conditions)
            .order_by(Course.title, Course.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    dates = _sessions_by_course([c.id for c in courses], session_window, per_course=3)
    cards = [CourseCard(course, dates.get(course.id, [])) for course in courses]
    return Page(cards, page, per_page, total)


def _sessions_by_course(course_ids: list[int], window, per_course: int) -> dict[int, list[Session]]:
    """The first per_course sessions within window of each course, in one query."""
    if not course_ids:
        return {}
    position = (
        func.row_number()
        .over(partition_by=Session.course_id, order_by=(Session.starts_at, Session.id))
        .label("position")
    )
    numbered = (
        select(Session.id.label("id"), position)
        .where(Session.course_id.in_(course_ids), *window)
        .subquery()
    )
    grouped: dict[int, list[Session]] = defaultdict(list)
    for session in db.session.scalars(
        select(Session)
        .join(numbered, numbered.c.id == Session.id)
        .where(numbered.c.position <= per_course)
        .order_by(Session.starts_at, Session.id)
    ):
        grouped[session.course_id].append(session)
    return grouped


def course_by_slug(slug: str, include_unpublished: bool = False) -> Course | None:
    """A course with all its sessions and their trainers loaded."""
    query = (
        select(Course)
        .where(Course.slug == slug)
        .options(selectinload(Course.sessions).joinedload(Session.trainer))
    )
    if not include_unpublished:
        query = query.where(Course.published)
    return db.session.scalar(query)


def split_sessions(course: Course, now: datetime | None = None, past_limit: int = 5):
    """(upcoming, recent past) sessions of a course; past ones newest first."""
    now = now or utcnow()
    upcoming = [s for s in course.sessions if s.starts_at > now]
    past = [s for s in reversed(course.sessions) if s.starts_at <= now][:past_limit]
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
