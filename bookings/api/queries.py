"""Read-only questions the API asks: a page of courses, a page of sessions.

Each page costs a fixed number of statements, whatever its length.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Integer, Row, bindparam, select

from ..enums import SessionStatus
from ..extensions import db
from ..models import Course, Session, utcnow


def course_page(page: int, per_page: int) -> list[Course]:
    """Published courses by title: one page, and one more when a next page exists."""
    return list(
        db.session.scalars(
            select(Course)
            .where(Course.published)
            .order_by(Course.title, Course.id)
            .limit(per_page + 1)
            .offset((page - 1) * per_page)
        )
    )


def upcoming_session_ids(course_ids: list[int]) -> dict[int, list[int]]:
    """Each course's scheduled sessions that have not started, soonest first, by course id."""
    upcoming: dict[int, list[int]] = defaultdict(list)
    if not course_ids:
        return upcoming
    for course_id, session_id in db.session.execute(
        select(Session.course_id, Session.id)
        .where(
            Session.course_id.in_(course_ids),
            Session.status == SessionStatus.SCHEDULED,
            Session.starts_at > utcnow(),
        )
        .order_by(Session.starts_at, Session.id)
    ):
        upcoming[course_id].append(session_id)
    return upcoming


# What a session item shows, read as plain rows: building Session and Course
# objects (every column) took a quarter of the request.
SESSION_COLUMNS = (
    Session.id,
    Session.starts_at,
    Session.ends_at,
    Session.venue_name,
    Session.venue_address,
    Session.online_url,
    Session.capacity,
    Session.seats_taken,
    Session.status,
    Course.slug,
    Course.title,
    Course.price_voluntary_pence,
    Course.price_private_pence,
)


@lru_cache(maxsize=4)
def _sessions_statement(before: bool, by_course: bool):
    """The page of sessions for one shape of filters, built once; values are bound."""
    instant = Session.starts_at.type
    conditions = [Course.published, Session.starts_at >= bindparam("from", type_=instant)]
    if before:
        conditions.append(Session.starts_at < bindparam("to", type_=instant))
    if by_course:
        conditions.append(Course.slug == bindparam("course"))
    return (
        select(*SESSION_COLUMNS)
        .join(Session.course)
        .where(*conditions)
        .order_by(Session.starts_at, Session.id)
        .limit(bindparam("limit", type_=Integer()))
        .offset(bindparam("offset", type_=Integer()))
    )


def session_rows(
    starts_from: datetime | None,
    starts_before: datetime | None,
    slug: str,
    page: int,
    per_page: int,
) -> list[Row]:
    """Sessions of published courses by start (SESSION_COLUMNS), from starts_from (now
    when None), before starts_before, of the course slug when given: one page, and one
    more row when a next page exists."""
    return db.session.execute(
        _sessions_statement(starts_before is not None, bool(slug)),
        {
            "from": starts_from or utcnow(),
            "to": starts_before,
            "course": slug,
            "limit": per_page + 1,
            "offset": (page - 1) * per_page,
        },
    ).all()
