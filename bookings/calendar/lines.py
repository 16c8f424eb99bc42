"""Calendar content lines written directly (RFC 5545): escaping, folding, times.

The staff feed holds a thousand events, and an import may invite trainers to a
thousand sessions at once; their events are written here rather than built as
icalendar objects, which cost ten times as much. The tests read every one back
with icalendar and vobject.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

OCTETS = 75
_NEEDS_ESCAPING = re.compile(r"[\\;,\r\n]")


def text(value: str) -> str:
    """A TEXT value with its backslashes, separators and line breaks escaped
    (RFC 5545 3.3.11); most values need none, so they are only looked at."""
    if not _NEEDS_ESCAPING.search(value):
        return value
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> bytes:
    """One content line, folded at 75 octets without splitting a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= OCTETS:
        return data + b"\r\n"
    parts = []
    start, limit = 0, OCTETS
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:
            end -= 1
        parts.append(data[start:end])
        # A continuation line starts with a space, which counts towards its 75.
        start, limit = end, OCTETS - 1
    return b"\r\n ".join(parts) + b"\r\n"


def _wall(t: datetime) -> str:
    """Date and time as iCalendar writes them (what strftime gives, in a third of the time)."""
    return f"{t.year:04d}{t.month:02d}{t.day:02d}T{t.hour:02d}{t.minute:02d}{t.second:02d}"


def utc(instant: datetime) -> str:
    """A UTC DATE-TIME value, as DTSTAMP takes."""
    return _wall(instant.astimezone(UTC)) + "Z"


def local(name: str, instant: datetime, zone: ZoneInfo, tzid: str) -> str:
    """A property in the zone's wall-clock time with its TZID (the file's VTIMEZONE)."""
    return f"{name};TZID={tzid}:{_wall(instant.astimezone(zone))}"


def address(name: str, common_name: str, email: str, **params: str) -> str:
    """ORGANIZER or ATTENDEE: a mailto address with its CN (quoted) and parameters."""
    extra = "".join(f";{key.replace('_', '-')}={value}" for key, value in params.items())
    return f'{name};CN="{common_name}"{extra}:mailto:{email}'
