"""Calendar feeds and per-booking .ics files.

Calendar apps poll feeds often: every answer has an ETag and Last-Modified, and a
poll that sends them back gets 304 Not Modified without a body.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from datetime import datetime

from flask import Blueprint, Response, abort, current_app, request
from flask_login import current_user, login_required
from sqlalchemy import case, func, select
from sqlalchemy.orm import contains_eager, joinedload
from werkzeug.http import is_resource_modified

from ..extensions import db
from ..models import Booking, Course, Session, User, utcnow
from . import ics

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


def _upcoming_filter(course: Course | None) -> list:
    conditions = [
        Session.status == "scheduled",
        Session.starts_at > utcnow(),
        Course.published.is_(True),
    ]
    if course is not None:
        conditions.append(Session.course_id == course.id)
    return conditions


def _upcoming_sessions(course: Course | None = None) -> list[Session]:
    """Scheduled sessions of published courses that have not started, with their course."""
    query = (
        select(Session)
        .join(Session.course)
        .options(contains_eager(Session.course))
        .where(*_upcoming_filter(course))
        .order_by(Session.starts_at, Session.id)
    )
    return list(db.session.scalars(query))


def _latest(*stamps: datetime | None) -> datetime | None:
    known = [s for s in stamps if s is not None]
    return max(known) if known else None


def _sessions_changed_at(course: Course | None = None) -> datetime | None:
    """When the feed last changed: the latest edit of any session or course in it,
    cancelled or unpublished ones included (they left the feed then), or the latest
    start that has passed (the session left the feed at that moment)."""
    now = utcnow()
    query = select(
        func.max(Session.updated_at),
        func.max(Course.updated_at),
        func.max(case((Session.starts_at <= now, Session.starts_at))),
    ).join(Session.course)
    if course is not None:
        query = query.where(Session.course_id == course.id)
    return _latest(*db.session.execute(query).one())


def _feed_fingerprint(course: Course | None) -> tuple:
    """One cheap aggregate that changes whenever the feed's content would: which
    sessions are in it, any edit to them or their course (updated_at), places taken."""
    row = db.session.execute(
        select(
            func.count(Session.id),
            func.coalesce(func.sum(Session.id), 0),
            func.max(Session.updated_at),
            func.max(Course.updated_at),
            func.coalesce(func.sum(Session.seats_taken), 0),
            func.coalesce(func.sum(Session.revision), 0),
        )
        .join(Session.course)
        .where(*_upcoming_filter(course))
    ).one()
    config = current_app.config
    return (
        course.id if course else None,
        *row,
        config["SITE_URL"],
        config["ORG_NAME"],
        config["TIMEZONE"],
    )


# Built feeds by fingerprint: a poll that finds nothing changed costs two small
# queries, and a full answer of an unchanged feed is not built again.
_feed_cache: OrderedDict[tuple, bytes] = OrderedDict()
_feed_cache_lock = threading.Lock()
FEED_CACHE_SIZE = 16


def _sessions_response(name: str, filename: str, course: Course | None = None) -> Response:
    key = _feed_fingerprint(course)
    etag = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
    changed = _latest(_sessions_changed_at(course), course.updated_at if course else None)
    if not is_resource_modified(request.environ, etag=etag, last_modified=changed):
        return _headers(Response(status=304), etag, changed, filename, private=False)
    with _feed_cache_lock:
        body = _feed_cache.get(key)
        if body is not None:
            _feed_cache.move_to_end(key)
    if body is None:
        body = ics.sessions_feed(_upcoming_sessions(course), name)
        with _feed_cache_lock:
            _feed_cache[key] = body
            while len(_feed_cache) > FEED_CACHE_SIZE:
                _feed_cache.popitem(last=False)
    return _calendar_response(body, changed, filename, etag=etag)


@bp.get("/calendar.ics")
def public_feed():
    name = f"{current_app.config['ORG_NAME']} training"
    return _sessions_response(name, "calendar.ics")


@bp.get("/courses/<slug>/calendar.ics")
def course_feed(slug: str):
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None or not course.published:
        abort(404)
    name = f"{course.title} – {current_app.config['ORG_NAME']}"
    return _sessions_response(name, f"{slug}.ics", course)


@bp.get("/account/calendar/<token>.ics")
def private_feed(token: str):
    """A learner's own bookings; the token in the address is the key, so no sign-in."""
    user = db.session.scalar(select(User).where(User.calendar_token == token))
    if user is None or not user.active:
        abort(404)
    bookings = list(
        db.session.scalars(
            select(Booking)
            .join(Booking.session)
            .options(
                contains_eager(Booking.session).joinedload(Session.course),
            )
            .where(
                Booking.learner_id == user.id,
                Booking.status != "cancelled",
                Session.status == "scheduled",
            )
            .order_by(Session.starts_at, Booking.id)
        )
    )
    for booking in bookings:
        booking.learner = user
    body = ics.bookings_feed(bookings, user)
    # Cancelled bookings count too: they left the feed when they changed.
    row = db.session.execute(
        select(func.max(Booking.updated_at), func.max(Session.updated_at))
        .join(Booking.session)
        .where(Booking.learner_id == user.id)
    ).one()
    return _calendar_response(body, _latest(*row), "my-training.ics", private=True)


@bp.get("/bookings/<reference>.ics")
@login_required
def booking_file(reference: str):
    """The booking's calendar file, for its learner, the session's trainer and staff."""
    booking = db.session.scalar(
        select(Booking)
        .where(Booking.reference == reference.upper())
        .options(
            joinedload(Booking.session).joinedload(Session.course),
            joinedload(Booking.learner),
        )
    )
    allowed = booking is not None and (
        booking.learner_id == current_user.id
        or booking.session.trainer_id == current_user.id
        or current_user.is_staff
    )
    if not allowed:
        # Not 403: a reference that is not yours is as good as unknown.
        abort(404)
    body = ics.booking_file(booking)
    changed = _latest(booking.updated_at, booking.session.updated_at)
    return _calendar_response(body, changed, f"{booking.reference}.ics", private=True)
