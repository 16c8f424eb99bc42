"""Read calendar files back with two independent readers: icalendar and vobject."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import vobject

LONDON = ZoneInfo("Europe/London")


def next_date(month: int, day: int, hour: int) -> datetime:
    """The next month/day at hour UTC at least a month away: within a year, so inside
    every calendar feed's window (18 months ahead), whatever the date the tests run."""
    soon = datetime.now(UTC) + timedelta(days=31)
    at = datetime(soon.year, month, day, hour, tzinfo=UTC)
    return at if at >= soon else at.replace(year=soon.year + 1)


def read(text: str | bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(text)


def events(text: str | bytes) -> list[icalendar.Event]:
    return list(read(text).walk("VEVENT"))


def only_event(text: str | bytes) -> icalendar.Event:
    found = events(text)
    assert len(found) == 1, f"expected one VEVENT, found {len(found)}"
    return found[0]


def icalendar_starts(text: str | bytes) -> dict[str, datetime]:
    """UID -> local start in Europe/London as icalendar reads it."""
    return {str(e["UID"]): e.decoded("DTSTART").astimezone(LONDON) for e in events(text)}


def vobject_starts(text: str | bytes) -> dict[str, datetime]:
    """UID -> local start in Europe/London as vobject reads it (using the VTIMEZONE)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    calendar = vobject.readOne(text)
    found = {}
    for event in calendar.vevent_list:
        start = event.dtstart.value
        assert start.tzinfo is not None, "vobject read a floating time"
        found[event.uid.value] = start.astimezone(LONDON)
    return found


def assert_readers_agree(text: str | bytes) -> dict[str, datetime]:
    """Both readers give the same local start for every event; returns them."""
    first = icalendar_starts(text)
    second = vobject_starts(text)
    assert first == second
    for uid, start in first.items():
        assert start.utcoffset() == second[uid].utcoffset()
        assert (start.hour, start.minute) == (second[uid].hour, second[uid].minute)
    return first


def assert_london_vtimezone(text: str | bytes) -> None:
    """One VTIMEZONE for Europe/London: one STANDARD, one DAYLIGHT, yearly rules, no RDATE."""
    zones = list(read(text).walk("VTIMEZONE"))
    assert len(zones) == 1
    zone = zones[0]
    assert str(zone["TZID"]) == "Europe/London"
    standard = list(zone.walk("STANDARD"))
    daylight = list(zone.walk("DAYLIGHT"))
    assert len(standard) == 1 and len(daylight) == 1
    for part, month, name, offset_from, offset_to in (
        (standard[0], 10, "GMT", 1, 0),
        (daylight[0], 3, "BST", 0, 1),
    ):
        assert "RDATE" not in part
        rule = part["RRULE"]
        assert rule["FREQ"] == ["YEARLY"]
        assert rule["BYMONTH"] == [month]
        assert [str(d) for d in rule["BYDAY"]] == ["-1SU"]
        assert str(part["TZNAME"]) == name
        assert part.decoded("TZOFFSETFROM").total_seconds() == offset_from * 3600
        assert part.decoded("TZOFFSETTO").total_seconds() == offset_to * 3600
