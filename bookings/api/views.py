"""Read-only JSON API: published courses and their sessions.

Every list answers {"items": [...], "next": url-or-null}. Each page costs a fixed
number of statements, whatever its length.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from flask import Blueprint, current_app, jsonify, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from ..extensions import db
from ..models import Booking, Course, Session, utcnow
from ..timefmt import from_local, to_local
from .openapi import document

bp = Blueprint("api", __name__, url_prefix="/api")

PER_PAGE = 20
MAX_PER_PAGE = 100
FILTERS = ("course", "from", "to")


class BadParameter(Exception):
    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@bp.before_request
def refuse_nul_characters():
    for name, value in request.args.items(multi=True):
        if "\x00" in value:
            raise BadParameter(name, f"{name} contains a NUL character.")


@bp.errorhandler(BadParameter)
def bad_parameter(exc: BadParameter):
    return {"error": "Bad Request", "message": exc.message, "parameter": exc.parameter}, 400


def _whole_number(name: str, default: int) -> int:
    value = request.args.get(name, "")
    if value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise BadParameter(name, f"{name} must be a whole number.") from None
    if number < 1:
        raise BadParameter(name, f"{name} must be 1 or more.")
    return number


def _paging() -> tuple[int, int]:
    page = _whole_number("page", 1)
    per_page = min(_whole_number("per_page", PER_PAGE), MAX_PER_PAGE)
    if page > 1_000_000:
        raise BadParameter("page", "page is too large.")
    return page, per_page


def _instant(name: str, end_of_day: bool = False) -> datetime | None:
    """An ISO 8601 date or date-time from the query; local Europe/London when no offset."""
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            if end_of_day:
                day += timedelta(days=1)
            return from_local(datetime.combine(day, time()))
        return from_local(datetime.fromisoformat(value))
    except (ValueError, OverflowError):
        raise BadParameter(
            name, f"{name} must be an ISO 8601 date such as 2027-03-04 or a date and time."
        ) from None


def _absolute(path: str) -> str:
    return current_app.config["SITE_URL"].rstrip("/") + path


def _iso(instant: datetime) -> str:
    return to_local(instant).isoformat(timespec="seconds")


def _prices(course: Course) -> dict:
    return {"voluntary": course.price_voluntary_pence, "private": course.price_private_pence}


def _page_answer(items: list, rows: list, page: int, per_page: int, endpoint: str) -> dict:
    """The answer shape; rows holds one more than a page when a next page exists."""
    next_url = None
    if len(rows) > per_page:
        args = {k: request.args[k] for k in FILTERS if request.args.get(k)}
        next_url = _absolute(url_for(endpoint, page=page + 1, per_page=per_page, **args))
    return {"items": items, "next": next_url}


def session_item(session: Session, waiting: int) -> dict:
    course = session.course
    course_url = url_for("catalogue.course", slug=course.slug)
    return {
        "id": session.id,
        "course": course.slug,
        "title": course.title,
        "starts_at": _iso(session.starts_at),
        "ends_at": _iso(session.ends_at),
        "venue": (
            {"name": session.venue_name, "address": session.venue_address}
            if session.venue_name
            else None
        ),
        "online": bool(session.online_url),
        "capacity": session.capacity,
        "places_left": session.places_left,
        "waiting_list": waiting,
        "status": session.status,
        "url": _absolute(f"{course_url}#session-{session.id}"),
        "book_url": _absolute(f"/sessions/{session.id}/book"),
        "prices": _prices(course),
    }


def course_item(course: Course, session_ids: list[int]) -> dict:
    return {
        "slug": course.slug,
        "title": course.title,
        "summary": course.summary,
        "category": course.category,
        "duration": course.duration,
        "prices": _prices(course),
        "url": _absolute(url_for("catalogue.course", slug=course.slug)),
        "sessions": session_ids,
    }


@bp.get("/v1/courses")
def courses():
    page, per_page = _paging()
    rows = list(
        db.session.scalars(
            select(Course)
            .where(Course.published)
            .order_by(Course.title, Course.id)
            .limit(per_page + 1)
            .offset((page - 1) * per_page)
        )
    )
    shown = rows[:per_page]
    upcoming: dict[int, list[int]] = defaultdict(list)
    if shown:
        for course_id, session_id in db.session.execute(
            select(Session.course_id, Session.id)
            .where(
                Session.course_id.in_([c.id for c in shown]),
                Session.status == "scheduled",
                Session.starts_at > utcnow(),
            )
            .order_by(Session.starts_at, Session.id)
        ):
            upcoming[course_id].append(session_id)
    items = [course_item(c, upcoming.get(c.id, [])) for c in shown]
    return jsonify(_page_answer(items, rows, page, per_page, "api.courses"))


@bp.get("/v1/sessions")
def sessions():
    page, per_page = _paging()
    starts_from = _instant("from")
    starts_before = _instant("to", end_of_day=True)
    if starts_from and starts_before and starts_before <= starts_from:
        raise BadParameter("to", "to must be after from.")
    conditions = [Course.published, Session.starts_at >= (starts_from or utcnow())]
    if starts_before:
        conditions.append(Session.starts_at < starts_before)
    if slug := request.args.get("course", "").strip():
        conditions.append(Course.slug == slug)
    rows = list(
        db.session.scalars(
            select(Session)
            .join(Session.course)
            .where(*conditions)
            .options(contains_eager(Session.course))
            .order_by(Session.starts_at, Session.id)
            .limit(per_page + 1)
            .offset((page - 1) * per_page)
        )
    )
    shown = rows[:per_page]
    waiting: dict[int, int] = {}
    if shown:
        waiting = dict(
            db.session.execute(
                select(Booking.session_id, func.count(Booking.id))
                .where(
                    Booking.session_id.in_([s.id for s in shown]),
                    Booking.status == "waitlisted",
                )
                .group_by(Booking.session_id)
            ).all()
        )
    items = [session_item(s, waiting.get(s.id, 0)) for s in shown]
    return jsonify(_page_answer(items, rows, page, per_page, "api.sessions"))


@bp.get("/openapi.json")
def openapi():
    return jsonify(document(current_app.config["SITE_URL"]))
