"""The staff feed of the whole programme: every session, with its trainer, place,
places booked against capacity and the waiting list.

Calendar apps fetch the whole feed on every change, and a programme runs to a
thousand sessions or more, so its events are written here as content lines
directly (RFC 5545 escaping and folding) rather than built as icalendar objects,
which costs ten times as much. The tests read every event back with icalendar and
vobject. The file's head (with the VTIMEZONE) is the one every feed shares.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from flask import current_app

from ..models import Session
from ..timefmt import local_zone
from .ics import END_CALENDAR, _common_name, _domain, _head, site_url
from .teaching import places_line

LINE_OCTETS = 75


def _text(value: str) -> str:
    """A TEXT value with its backslashes, separators and line breaks escaped."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> bytes:
    """One content line, folded at 75 octets without splitting a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= LINE_OCTETS:
        return data + b"\r\n"
    parts = []
    start, limit = 0, LINE_OCTETS
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:
            end -= 1
        parts.append(data[start:end])
        # A continuation line starts with a space, which counts towards its 75.
        start, limit = end, LINE_OCTETS - 1
    return b"\r\n ".join(parts) + b"\r\n"


def _utc(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


class _Writer:
    """What every event of one feed shares: the zone, the organiser, the domain."""

    def __init__(self):
        config = current_app.config
        self.tzid = config["TIMEZONE"]
        self.zone = local_zone()
        self.domain = _domain()
        name = _common_name(config["ORG_NAME"])
        self.organizer = _fold(f'ORGANIZER;CN="{name}":mailto:{config["ORG_EMAIL"]}')

    def local(self, name: str, instant: datetime) -> bytes:
        wall = instant.astimezone(self.zone).strftime("%Y%m%dT%H%M%S")
        return _fold(f"{name};TZID={self.tzid}:{wall}")

    def event(self, session: Session, waiting: int) -> bytes:
        course = session.course
        trainer = session.trainer
        cancelled = session.is_cancelled
        edit = site_url(f"/staff/sessions/{session.id}/edit")
        lines = [
            f"Trainer: {trainer.name} ({trainer.email})" if trainer else "Trainer: none yet",
            f"Where: {session.location}",
            places_line(session.seats_taken, session.capacity, waiting),
        ]
        if cancelled:
            lines.insert(0, "This session is cancelled.")
        if not course.published:
            lines.append("The course is not published: learners cannot see this session.")
        lines.append(f"Attendees: {site_url(f'/trainer/sessions/{session.id}')}")
        lines.append(f"Edit: {edit}")
        if cancelled:
            summary = f"Cancelled: {course.title}"
        else:
            who = trainer.name if trainer else "no trainer"
            summary = f"{course.title} ({session.seats_taken}/{session.capacity}, {who})"
        stamp = _utc(session.updated_at)
        return b"".join(
            [
                b"BEGIN:VEVENT\r\n",
                _fold(f"UID:session-{session.id}-programme@{self.domain}"),
                f"DTSTAMP:{stamp}\r\nLAST-MODIFIED:{stamp}\r\n".encode(),
                # As in a learner's file: a cancellation outranks the last update.
                f"SEQUENCE:{session.revision + (1 if cancelled else 0)}\r\n".encode(),
                self.local("DTSTART", session.starts_at),
                self.local("DTEND", session.ends_at),
                _fold(f"SUMMARY:{_text(summary)}"),
                _fold(f"LOCATION:{_text(session.location)}"),
                _fold(f"DESCRIPTION:{_text(chr(10).join(lines))}"),
                _fold(f"URL:{edit}"),
                b"STATUS:CANCELLED\r\n" if cancelled else b"STATUS:CONFIRMED\r\n",
                # Staff follow the programme; it does not make them busy.
                b"TRANSP:TRANSPARENT\r\n",
                self.organizer,
                b"END:VEVENT\r\n",
            ]
        )


def programme_feed(sessions: Iterable[Session], waiting: dict[int, int]) -> bytes:
    """The whole programme as one calendar file (PUBLISH)."""
    writer = _Writer()
    name = f"Training programme – {current_app.config['ORG_NAME']}"
    parts = [_head("PUBLISH", name)]
    parts.extend(writer.event(session, waiting.get(session.id, 0)) for session in sessions)
    parts.append(END_CALENDAR)
    return b"".join(parts)
