"""Read-only JSON API: published courses and their sessions.

Every list answers {"items": [...], "next": url-or-null}. Each page costs a fixed
number of statements, whatever its length.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Blueprint, current_app, jsonify, request, url_for

from ..enums import Sector
from ..models import Course
from ..timefmt import from_local, to_local
from ..trainer.queries import waiting_counts
from . import queries
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


def _prices(priced) -> dict:
    """The price for each sector of priced, a Course or a row with its price columns."""
    return {
        Sector.VOLUNTARY: priced.price_voluntary_pence,
        Sector.PRIVATE: priced.price_private_pence,
    }


def _page_answer(items: list, rows: list, page: int, per_page: int, endpoint: str) -> dict:
    """The answer shape; rows holds one more than a page when a next page exists."""
    next_url = None
    if len(rows) > per_page:
        args = {k: request.args[k] for k in FILTERS if request.args.get(k)}
        next_url = _absolute(url_for(endpoint, page=page + 1, per_page=per_page, **args))
    return {"items": items, "next": next_url}


def session_item(row, waiting: int) -> dict:
    """One session as the API gives it; row holds the columns of queries.SESSION_COLUMNS."""
    course_url = url_for("catalogue.course", slug=row.slug)
    return {
        "id": row.id,
        "course": row.slug,
        "title": row.title,
        "starts_at": _iso(row.starts_at),
        "ends_at": _iso(row.ends_at),
        "venue": (
            {"name": row.venue_name, "address": row.venue_address} if row.venue_name else None
        ),
        "online": bool(row.online_url),
        "capacity": row.capacity,
        "places_left": max(row.capacity - row.seats_taken, 0),
        "waiting_list": waiting,
        "status": row.status,
        "url": _absolute(f"{course_url}#session-{row.id}"),
        "book_url": _absolute(f"/sessions/{row.id}/book"),
        "prices": _prices(row),
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
    rows = queries.course_page(page, per_page)
    shown = rows[:per_page]
    upcoming = queries.upcoming_session_ids([c.id for c in shown])
    items = [course_item(c, upcoming.get(c.id, [])) for c in shown]
    return jsonify(_page_answer(items, rows, page, per_page, "api.courses"))


@bp.get("/v1/sessions")
def sessions():
    page, per_page = _paging()
    starts_from = _instant("from")
    starts_before = _instant("to", end_of_day=True)
    if starts_from and starts_before and starts_before <= starts_from:
        raise BadParameter("to", "to must be after from.")
    slug = request.args.get("course", "").strip()
    rows = queries.session_rows(starts_from, starts_before, slug, page, per_page)
    shown = rows[:per_page]
    waiting = waiting_counts([r.id for r in shown])
    items = [session_item(r, waiting.get(r.id, 0)) for r in shown]
    return jsonify(_page_answer(items, rows, page, per_page, "api.sessions"))


@bp.get("/openapi.json")
def openapi():
    return jsonify(document(current_app.config["SITE_URL"]))
