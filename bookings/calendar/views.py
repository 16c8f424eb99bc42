"""Calendar feeds and per-booking .ics files.

Calendar apps poll feeds often: every answer has an ETag (and a Last-Modified where
the feed can tell one), and a poll that sends them back gets 304 Not Modified
without a body.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime

from flask import Blueprint, Response, abort, current_app, request
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.http import is_resource_modified

from ..extensions import db
from ..models import Course, User, utcnow
from ..trainer.queries import waiting_counts
from . import ics, programme, queries, teaching

bp = Blueprint("calendar", __name__)

CONTENT_TYPE = "text/calendar; charset=utf-8"


def _headers(
    response: Response, etag: str, last_modified: datetime | None, filename: str, private: bool
) -> Response:
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.set_etag(etag)
    if last_modified is not None:
        response.last_modified = last_modified
    response.cache_control.no_cache = True
    if private:
        response.cache_control.private = True
    else:
        response.cache_control.public = True
    return response


def _calendar_response(
    body: bytes,
    last_modified: datetime | None,
    filename: str,
    *,
    private: bool = False,
    etag: str | None = None,
) -> Response:
    response = Response(body, content_type=CONTENT_TYPE)
    etag = etag or hashlib.sha256(body).hexdigest()[:32]
    _headers(response, etag, last_modified, filename, private)
    return response.make_conditional(request)


def _feed_fingerprint(course: Course | None) -> tuple:
    """Changes whenever the feed's content would: its sessions, and the settings it shows."""
    config = current_app.config
    return (
        course.id if course else None,
        *queries.feed_content_stamp(course),
        config["SITE_URL"],
        config["ORG_NAME"],
        config["TIMEZONE"],
    )


# Built feeds by fingerprint: a poll that finds nothing changed costs two small
# queries, and a full answer of an unchanged feed is not built again.
_feed_cache: OrderedDict[tuple, bytes] = OrderedDict()
_feed_cache_lock = threading.Lock()
FEED_CACHE_SIZE = 16


def _etag(key: tuple) -> str:
    return hashlib.sha256(repr(key).encode()).hexdigest()[:32]


def _cached_feed(key: tuple, build: Callable[[], bytes]) -> bytes:
    """The feed built for key, built now when this process has not built it yet."""
    with _feed_cache_lock:
        body = _feed_cache.get(key)
        if body is not None:
            _feed_cache.move_to_end(key)
            return body
    body = build()
    with _feed_cache_lock:
        _feed_cache[key] = body
        while len(_feed_cache) > FEED_CACHE_SIZE:
            _feed_cache.popitem(last=False)
    return body


def _sessions_response(name: str, filename: str, course: Course | None = None) -> Response:
    key = _feed_fingerprint(course)
    etag = _etag(key)
    changed = queries.latest(
        queries.sessions_changed_at(course), course.updated_at if course else None
    )
    if not is_resource_modified(request.environ, etag=etag, last_modified=changed):
        return _headers(Response(status=304), etag, changed, filename, private=False)
    body = _cached_feed(key, lambda: ics.sessions_feed(queries.upcoming_sessions(course), name))
    return _calendar_response(body, changed, filename, etag=etag)


@bp.get("/calendar.ics")
def public_feed():
    name = f"{current_app.config['ORG_NAME']} training"
    return _sessions_response(name, "calendar.ics")


@bp.get("/courses/<slug>/calendar.ics")
def course_feed(slug: str):
    course = db.first_or_404(select(Course).where(Course.slug == slug, Course.published))
    name = f"{course.title} – {current_app.config['ORG_NAME']}"
    return _sessions_response(name, f"{slug}.ics", course)


@bp.get("/account/calendar/<token>.ics")
def private_feed(token: str):
    """A person's own bookings and the sessions they teach; the token in the address is
    the key, so no sign-in."""
    user = db.first_or_404(select(User).where(User.calendar_token == token, User.active))
    bookings = queries.feed_bookings(user)
    for booking in bookings:
        booking.learner = user
    taught = queries.taught_sessions(user)
    waiting = waiting_counts([session.id for session in taught])
    body = ics.bookings_feed(bookings, user, teaching.teaching_events(taught, user, waiting))
    changed = queries.latest(queries.bookings_changed_at(user), queries.teaching_changed_at(user))
    return _calendar_response(body, changed, "my-training.ics", private=True)


@bp.get("/account/programme/<token>.ics")
def programme_feed(token: str):
    """The whole programme, for staff; the token in the address is the key.

    No Last-Modified: the feed shows trainers' names, which keep no time of change,
    so only the ETag (built from everything shown) can say nothing has changed.
    """
    if not queries.is_staff_feed_token(token):
        abort(404)
    now = utcnow()
    config = current_app.config
    key = (
        "programme",
        *queries.programme_stamp(now),
        config["SITE_URL"],
        config["ORG_NAME"],
        config["ORG_EMAIL"],
        config["TIMEZONE"],
    )
    etag = _etag(key)
    if not is_resource_modified(request.environ, etag=etag):
        return _headers(Response(status=304), etag, None, "programme.ics", private=True)
    body = _cached_feed(
        key,
        lambda: programme.programme_feed(
            queries.programme_sessions(now), queries.programme_waiting(now)
        ),
    )
    return _calendar_response(body, None, "programme.ics", private=True, etag=etag)


@bp.get("/bookings/<reference>.ics")
@login_required
def booking_file(reference: str):
    """The booking's calendar file, for its learner, the session's trainer and staff."""
    booking = queries.booking_with_session(reference)
    allowed = booking is not None and (
        booking.learner_id == current_user.id
        or booking.session.trainer_id == current_user.id
        or current_user.is_staff
    )
    if not allowed:
        # Not 403: a reference that is not yours is as good as unknown.
        abort(404)
    body = ics.booking_file(booking)
    changed = queries.latest(booking.updated_at, booking.session.updated_at)
    return _calendar_response(body, changed, f"{booking.reference}.ics", private=True)


def _span(delta) -> str:
    months = round(delta.days / 30.44)
    if months >= 12 and months % 12 == 0:
        return "a year" if months == 12 else f"{months // 12} years"
    return f"{months} months" if months > 1 else f"{delta.days} days"


@bp.app_template_global()
def feed_covers(kind: str = "public") -> str:
    """What a feed holds, for the text offering it: the window in queries."""
    past = queries.PERSONAL_PAST if kind == "personal" else queries.FEED_PAST
    return f"It holds sessions from {_span(past)} ago to {_span(queries.FEED_AHEAD)} ahead."


@bp.app_template_global()
def calendar_addresses(path: str) -> dict[str, str]:
    """A feed's full address (for Google Calendar) and its webcal:// form, which opens
    Apple Calendar or Outlook ready to subscribe."""
    url = ics.site_url(path)
    return {"url": url, "webcal": "webcal://" + url.partition("://")[2]}
