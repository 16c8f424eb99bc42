"""Read-only questions about feedback: one booking's answers, results per session and
per course, the comments, and the quotes a course page shows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Integer, Select, bindparam, case, func, select
from sqlalchemy.orm import selectinload

from ..enums import AttendanceOutcome, BookingStatus, SessionStatus
from ..extensions import db
from ..models import Booking, Course, FeedbackResponse, Session
from ..models.feedback import SCALE

QUOTES_SHOWN = 3


@dataclass
class Results:
    """What the answers for a session or a course add up to."""

    attended: int = 0
    responses: int = 0
    average_rating: float | None = None
    average_before: float | None = None
    average_after: float | None = None
    average_change: float | None = None
    recommend: int = 0
    spread: dict[int, int] = field(default_factory=lambda: dict.fromkeys(SCALE, 0))

    @property
    def response_rate(self) -> float | None:
        """Responses as a percentage of attended learners."""
        return 100 * self.responses / self.attended if self.attended else None

    @property
    def recommend_rate(self) -> float | None:
        return 100 * self.recommend / self.responses if self.responses else None

    def spread_percent(self, rating: int) -> float:
        return 100 * self.spread[rating] / self.responses if self.responses else 0.0


def _counted(query: Select) -> Select:
    """Only answers and bookings of learners who attended a session that ran."""
    return query.where(
        Booking.status == BookingStatus.CONFIRMED,
        Booking.outcome == AttendanceOutcome.ATTENDED,
        Session.status == SessionStatus.SCHEDULED,
    )


def _number(value) -> float | None:
    return None if value is None else float(value)


def results_by(key, *conditions) -> dict[int, Results]:
    """Results for each value of key (Session.id or Session.course_id), in two queries."""
    response = FeedbackResponse
    answered = _counted(
        select(
            key,
            func.count(response.id),
            func.avg(response.rating),
            func.avg(response.confidence_before),
            func.avg(response.confidence_after),
            func.avg(response.confidence_after - response.confidence_before),
            func.sum(case((response.recommend, 1), else_=0)),
            *[func.sum(case((response.rating == score, 1), else_=0)) for score in SCALE],
        )
        .select_from(response)
        .join(Booking, Booking.id == response.booking_id)
        .join(Session, Session.id == Booking.session_id)
        .where(*conditions)
        .group_by(key)
    )
    attended = _counted(
        select(key, func.count(Booking.id))
        .select_from(Booking)
        .join(Session, Session.id == Booking.session_id)
        .where(*conditions)
        .group_by(key)
    )
    results = {k: Results(attended=n) for k, n in db.session.execute(attended)}
    for row in db.session.execute(answered):
        key_value, count, rating, before, after, change, recommend, *spread = row
        result = results.setdefault(key_value, Results())
        result.responses = count
        result.average_rating = _number(rating)
        result.average_before = _number(before)
        result.average_after = _number(after)
        result.average_change = _number(change)
        result.recommend = int(recommend or 0)
        result.spread = {score: int(n or 0) for score, n in zip(SCALE, spread, strict=True)}
    return results


def session_results(session_id: int) -> Results:
    return results_by(Session.id, Session.id == session_id).get(session_id, Results())


def course_results(course_id: int) -> Results:
    return results_by(Session.course_id, Session.course_id == course_id).get(course_id, Results())


def course_sessions_results(course_id: int) -> list[tuple[Session, Results]]:
    """Each session of the course that anyone attended, latest first, with its results."""
    by_session = results_by(Session.id, Session.course_id == course_id)
    sessions = db.session.scalars(
        select(Session)
        .where(Session.id.in_(list(by_session)))
        .options(selectinload(Session.trainer))
        .order_by(Session.starts_at.desc())
    ).all()
    return [(s, by_session[s.id]) for s in sessions]


def courses_results() -> list[tuple[Course, Results]]:
    """Every course that anyone attended, by title, with its results."""
    by_course = results_by(Session.course_id)
    courses = db.session.scalars(
        select(Course).where(Course.id.in_(list(by_course))).order_by(Course.title)
    ).all()
    return [(c, by_course[c.id]) for c in courses]


COMMENTS_ORDER = (FeedbackResponse.created_at.desc(), FeedbackResponse.id.desc())


def comments_query(*, session_id: int | None = None, course_id: int | None = None) -> Select:
    """Answers to "What will you do differently?" that say something, newest first."""
    query = _counted(
        select(FeedbackResponse)
        .join(Booking, Booking.id == FeedbackResponse.booking_id)
        .join(Session, Session.id == Booking.session_id)
        .where(func.length(func.trim(FeedbackResponse.do_differently)) > 0)
        .options(selectinload(FeedbackResponse.booking).selectinload(Booking.session))
        .order_by(*COMMENTS_ORDER)
    )
    if session_id is not None:
        query = query.where(Session.id == session_id)
    if course_id is not None:
        query = query.where(Session.course_id == course_id)
    return query


# Built once: the course page asks on every visit, and only for the text.
_COURSE_QUOTES = (
    _counted(
        select(FeedbackResponse.do_differently)
        .join(Booking, Booking.id == FeedbackResponse.booking_id)
        .join(Session, Session.id == Booking.session_id)
    )
    .where(
        Session.course_id == bindparam("course_id"),
        FeedbackResponse.quote_shown,
        FeedbackResponse.quote_permitted,
        func.length(func.trim(FeedbackResponse.do_differently)) > 0,
    )
    .order_by(FeedbackResponse.created_at.desc(), FeedbackResponse.id.desc())
    .limit(bindparam("limit", type_=Integer()))
)


def course_quotes(course_id: int, limit: int = QUOTES_SHOWN) -> list[str]:
    """The comments staff picked to show on the course page, newest first."""
    rows = db.session.connection().execute(_COURSE_QUOTES, {"course_id": course_id, "limit": limit})
    return [text.strip() for text in rows.scalars()]


def response_for(booking_id: int) -> FeedbackResponse | None:
    return db.session.scalar(
        select(FeedbackResponse).where(FeedbackResponse.booking_id == booking_id)
    )


def responses_for(bookings: Iterable[Booking]) -> dict[int, FeedbackResponse]:
    """The answers given for any of bookings, by booking id."""
    ids = [b.id for b in bookings]
    if not ids:
        return {}
    rows = db.session.scalars(select(FeedbackResponse).where(FeedbackResponse.booking_id.in_(ids)))
    return {r.booking_id: r for r in rows}
