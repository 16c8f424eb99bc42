"""iCalendar files: booking invitations (REQUEST, CANCEL) and feeds (PUBLISH).

Times are written in the organisation's zone with TZID and a VTIMEZONE in the
usual form (one STANDARD and one DAYLIGHT component with yearly rules), which
Outlook, Google and Apple read alike. Long RDATE lists, as some generators write,
are misread by common clients.
"""

from __future__ import annotations

import calendar as month_calendar
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress

from .. import timefmt
from ..models import Booking, Session, User, utcnow

PRODID = "-//Training Bookings//EN"
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _domain() -> str:
    return current_app.config["ORG_EMAIL"].rpartition("@")[2] or "localhost"


def site_url(path: str) -> str:
    """An absolute link on the public site."""
    return current_app.config["SITE_URL"].rstrip("/") + path


def booking_uid(booking: Booking) -> str:
    """The UID of a booking's event: the same in every invitation, update and cancellation
    sent to one attendee. A substitute gets a new one, so the old attendee's calendar
    cancels its entry and the new attendee's adds theirs."""
    suffix = f"-{booking.substitutions}" if booking.substitutions else ""
    return f"booking-{booking.reference}{suffix}@{_domain()}"


def session_uid(session: Session) -> str:
    return f"session-{session.id}@{_domain()}"


@dataclass(frozen=True)
class _Transition:
    kind: str  # STANDARD or DAYLIGHT
    local_start: datetime  # wall-clock time before the change, as written in DTSTART
    offset_from: timedelta
    offset_to: timedelta
    name: str
    rule: str


def _yearly_rule(local: datetime) -> str:
    """FREQ=YEARLY;BYMONTH=m;BYDAY=nXX for the weekday of local within its month."""
    days_in_month = month_calendar.monthrange(local.year, local.month)[1]
    nth = -1 if local.day + 7 > days_in_month else (local.day - 1) // 7 + 1
    return f"FREQ=YEARLY;BYMONTH={local.month};BYDAY={nth}{WEEKDAYS[local.weekday()]}"


def _transitions(zone: ZoneInfo, year: int) -> list[_Transition]:
    """The zone's changes of offset during year, found hour by hour."""
    found = []
    instant = datetime(year, 1, 1, tzinfo=UTC)
    before = instant.astimezone(zone)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    while instant < end:
        instant += timedelta(hours=1)
        after = instant.astimezone(zone)
        if after.utcoffset() != before.utcoffset():
            # The exact minute: zones change on the hour or half hour.
            exact = instant - timedelta(hours=1)
            while exact.astimezone(zone).utcoffset() == before.utcoffset():
                exact += timedelta(minutes=30)
            wall = exact.replace(tzinfo=None) + before.utcoffset()
            kind = "DAYLIGHT" if after.dst() else "STANDARD"
            found.append(
                _Transition(
                    kind,
                    wall,
                    before.utcoffset(),
                    after.utcoffset(),
                    after.tzname(),
                    _yearly_rule(wall),
                )
            )
        before = after
    return found


@lru_cache(maxsize=8)
def _vtimezone_ical(tzid: str) -> bytes:
    zone = ZoneInfo(tzid)
    tz = Timezone()
    tz.add("TZID", tzid)
    # The current rules, stated from 1970 as clients expect.
    this_year = datetime.now(UTC).year
    transitions = _transitions(zone, this_year)
    if not transitions:
        offset = datetime(this_year, 1, 1, tzinfo=zone).utcoffset()
        standard = TimezoneStandard()
        standard.add("DTSTART", datetime(1970, 1, 1))
        standard.add("TZOFFSETFROM", offset)
        standard.add("TZOFFSETTO", offset)
        standard.add("TZNAME", datetime(this_year, 1, 1, tzinfo=zone).tzname())
        tz.add_component(standard)
        return tz.to_ical()
    for change in sorted(transitions, key=lambda t: t.kind):
        part = TimezoneDaylight() if change.kind == "DAYLIGHT" else TimezoneStandard()
        first = _first_occurrence(change.rule, 1970, change.local_start)
        part.add("DTSTART", first)
        part.add("RRULE", _rrule_dict(change.rule))
        part.add("TZOFFSETFROM", change.offset_from)
        part.add("TZOFFSETTO", change.offset_to)
        part.add("TZNAME", change.name)
        tz.add_component(part)
    return tz.to_ical()


def _rrule_dict(rule: str) -> dict:
    return dict(item.split("=", 1) for item in rule.split(";"))


def _first_occurrence(rule: str, year: int, like: datetime) -> datetime:
    """The first date in year that rule names, at like's wall-clock time."""
    parts = _rrule_dict(rule)
    month = int(parts["BYMONTH"])
    nth, weekday = int(parts["BYDAY"][:-2]), WEEKDAYS.index(parts["BYDAY"][-2:])
    days = [
        d
        for d in range(1, month_calendar.monthrange(year, month)[1] + 1)
        if month_calendar.weekday(year, month, d) == weekday
    ]
    day = days[nth - 1] if nth > 0 else days[nth]
    return datetime(year, month, day, like.hour, like.minute)


END_CALENDAR = b"END:VCALENDAR\r\n"


def _head(method: str, name: str | None = None) -> bytes:
    """The start of a calendar file: BEGIN:VCALENDAR, its properties, the VTIMEZONE."""
    return _head_for_zone(method, name, current_app.config["TIMEZONE"])


@lru_cache(maxsize=64)
def _head_for_zone(method: str, name: str | None, tzid: str) -> bytes:
    """Written once per process and copied in as bytes: parsing the VTIMEZONE and
    writing it all again took half the time of building a booking's invitation."""
    cal = Calendar()
    cal.add("PRODID", PRODID)
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("METHOD", method)
    if name:
        cal.add("X-WR-CALNAME", name)
        cal.add("X-WR-TIMEZONE", tzid)
    empty = cal.to_ical()
    return empty[: -len(END_CALENDAR)] + _vtimezone_ical(tzid)


def _calendar_file(method: str, events: Iterable[Event], name: str | None = None) -> bytes:
    """A whole calendar file: the head, each event, END:VCALENDAR."""
    return b"".join([_head(method, name), *(event.to_ical() for event in events), END_CALENDAR])


def _local(instant: datetime) -> datetime:
    return timefmt.to_local(instant)


def _organizer() -> vCalAddress:
    organizer = vCalAddress(f"mailto:{current_app.config['ORG_EMAIL']}")
    organizer.params["CN"] = _common_name(current_app.config["ORG_NAME"])
    return organizer


def _place(session: Session, *, with_link: bool) -> str:
    """The LOCATION: the joining link only for a learner with a confirmed place."""
    if session.venue_name or not with_link:
        return session.public_location
    return session.online_url or "To be confirmed"


def _common_name(name: str) -> str:
    """A name as a CN parameter every reader takes alike: one line, no double quotes
    (quoted with RFC 6868's ^', which Outlook and vobject show as it stands)."""
    return " ".join(name.split()).replace('"', "'")


def _booking_event(booking: Booking, *, status: str, sequence: int, stamp: datetime) -> Event:
    session = booking.session
    course = session.course
    manage = site_url("/account/bookings")
    event = Event()
    event.add("UID", booking_uid(booking))
    event.add("DTSTAMP", stamp)
    event.add("SEQUENCE", sequence)
    event.add("DTSTART", _local(session.starts_at))
    event.add("DTEND", _local(session.ends_at))
    event.add("SUMMARY", course.title)
    event.add(
        "LOCATION", _place(session, with_link=True) if booking.has_place else booking.location
    )
    lines = [f"Booking reference: {booking.reference}"]
    if booking.is_waiting:
        lines.append("You are on the waiting list for this session.")
    if session.online_url and booking.has_place:
        lines.append(f"Joining link: {session.online_url}")
    lines.append(f"View or cancel your booking: {manage}")
    event.add("DESCRIPTION", "\n".join(lines))
    event.add("URL", manage)
    event.add("STATUS", status)
    event.add("TRANSP", "OPAQUE" if status != "CANCELLED" else "TRANSPARENT")
    event.add("ORGANIZER", _organizer())
    learner = booking.learner
    attendee = vCalAddress(f"mailto:{learner.email}")
    attendee.params["CN"] = _common_name(learner.name)
    attendee.params["ROLE"] = "REQ-PARTICIPANT"
    attendee.params["PARTSTAT"] = {
        "CONFIRMED": "ACCEPTED",
        "TENTATIVE": "TENTATIVE",
        "CANCELLED": "DECLINED",
    }[status]
    attendee.params["RSVP"] = "FALSE"
    event.add("ATTENDEE", attendee)
    return event


def booking_status(booking: Booking) -> str:
    """The event STATUS for a booking as it stands."""
    if booking.is_cancelled or booking.session.is_cancelled:
        return "CANCELLED"
    return "TENTATIVE" if booking.is_waiting else "CONFIRMED"


def invitation(booking: Booking, method: str = "REQUEST") -> str:
    """The calendar file sent with a booking email.

    REQUEST carries SEQUENCE equal to the session's revision; CANCEL carries one
    more, so a client that holds the latest version still accepts it.
    """
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unknown method {method!r}")
    session = booking.session
    if method == "CANCEL":
        event = _booking_event(
            booking, status="CANCELLED", sequence=session.revision + 1, stamp=utcnow()
        )
    else:
        status = "TENTATIVE" if booking.is_waiting else "CONFIRMED"
        event = _booking_event(booking, status=status, sequence=session.revision, stamp=utcnow())
    return _calendar_file(method, [event]).decode("utf-8")


def booking_file(booking: Booking) -> bytes:
    """The booking as a downloadable calendar file (PUBLISH, the booking as it stands)."""
    status = booking_status(booking)
    sequence = booking.session.revision + (1 if status == "CANCELLED" else 0)
    event = _booking_event(booking, status=status, sequence=sequence, stamp=booking.updated_at)
    return _calendar_file("PUBLISH", [event])


def _price_line(course) -> str:
    if course.price_voluntary_pence or course.price_private_pence:
        return (
            f"Voluntary sector {timefmt.money(course.price_voluntary_pence)}, "
            f"private sector {timefmt.money(course.price_private_pence)}"
        )
    return "Free"


# Each session's VEVENT, by everything it is built from: rebuilding a feed after one
# booking builds one event, not a thousand (folding lines is what costs).
_event_cache: OrderedDict[tuple, bytes] = OrderedDict()
_event_cache_lock = threading.Lock()
EVENT_CACHE_SIZE = 20_000


def _session_event(session: Session, organizer: vCalAddress, price_line: str) -> bytes:
    course = session.course
    config = current_app.config
    key = (
        session.id,
        session.updated_at,
        session.revision,
        session.seats_taken,
        session.capacity,
        session.starts_at,
        session.ends_at,
        course.id,
        course.updated_at,
        config["SITE_URL"],
        config["ORG_EMAIL"],
        config["ORG_NAME"],
        config["TIMEZONE"],
        session.starts_at <= utcnow(),
    )
    with _event_cache_lock:
        cached = _event_cache.get(key)
        if cached is not None:
            _event_cache.move_to_end(key)
            return cached
    link = site_url(f"/courses/{course.slug}")
    places = session.places_left
    lines = [
        course.summary,
        "Fully booked: join the waiting list"
        if places == 0
        else f"{places} place{'s' if places != 1 else ''} left",
        price_line,
        f"Book: {link}",
    ]
    if key[-1]:
        # Past sessions stay in the feed for a while (queries.FEED_PAST): no places to offer.
        lines = [course.summary, f"Other dates: {link}"]
    event = Event()
    event.add("UID", session_uid(session))
    # Stable while the session is unchanged, so the feed's ETag is too.
    event.add("DTSTAMP", session.updated_at)
    event.add("LAST-MODIFIED", session.updated_at)
    event.add("SEQUENCE", session.revision)
    event.add("DTSTART", _local(session.starts_at))
    event.add("DTEND", _local(session.ends_at))
    event.add("SUMMARY", course.title)
    # A public feed: the joining link goes only to learners with a place.
    event.add("LOCATION", _place(session, with_link=False))
    event.add("DESCRIPTION", "\n".join(line for line in lines if line))
    event.add("URL", link)
    event.add("STATUS", "CONFIRMED")
    event.add("ORGANIZER", organizer)
    built = event.to_ical()
    with _event_cache_lock:
        _event_cache[key] = built
        while len(_event_cache) > EVENT_CACHE_SIZE:
            _event_cache.popitem(last=False)
    return built


def sessions_feed(sessions: Iterable[Session], name: str) -> bytes:
    """A public feed of sessions with the places left in each description."""
    organizer = _organizer()
    prices: dict[int, str] = {}
    parts = [_head("PUBLISH", name)]
    for session in sessions:
        course = session.course
        if course.id not in prices:
            prices[course.id] = _price_line(course)
        parts.append(_session_event(session, organizer, prices[course.id]))
    parts.append(END_CALENDAR)
    return b"".join(parts)


def bookings_feed(bookings: Iterable[Booking], user: User, teaching: Iterable[bytes] = ()) -> bytes:
    """A person's private feed: their active bookings, then the sessions they teach
    (VEVENTs already written, see teaching.py)."""
    events = []
    for booking in bookings:
        status = booking_status(booking)
        event = _booking_event(
            booking, status=status, sequence=booking.session.revision, stamp=booking.updated_at
        )
        if booking.is_waiting:
            event["SUMMARY"] = f"Waiting list: {booking.session.course.title}"
        events.append(event)
    name = f"My training – {current_app.config['ORG_NAME']}"
    return b"".join(
        [_head("PUBLISH", name), *(event.to_ical() for event in events), *teaching, END_CALENDAR]
    )
