"""The staff feed of the whole programme: every session, with its trainer, place,
places booked against capacity and the waiting list.

Calendar apps fetch the whole feed on every change, and a programme runs to a
thousand sessions or more, so its events are written as content lines directly
(see lines.py) from rows, not models. The file's head (with the VTIMEZONE) is the
one every feed shares.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask import current_app
from sqlalchemy import Row

from ..enums import SessionStatus
from ..models.catalogue import place_line
from ..timefmt import local_zone
from .ics import END_CALENDAR, _common_name, _domain, _head, site_url
from .lines import address, fold, local, text, utc
from .teaching import places_line


class _Writer:
    """What every event of one feed shares: the zone, the organiser, the addresses."""

    def __init__(self):
        config = current_app.config
        self.tzid = config["TIMEZONE"]
        self.zone = local_zone()
        self.domain = _domain()
        self.site = site_url("")
        organizer = address("ORGANIZER", _common_name(config["ORG_NAME"]), config["ORG_EMAIL"])
        self.organizer = fold(organizer)

    def local(self, name: str, instant: datetime) -> bytes:
        return fold(local(name, instant, self.zone, self.tzid))

    def event(self, session: Row, waiting: int) -> bytes:
        """One session's VEVENT; session is a row of programme_sessions."""
        cancelled = session.status == SessionStatus.CANCELLED
        place = place_line(session.venue_name, session.venue_address, session.online_url)
        trainer = session.trainer_name
        edit = f"{self.site}/staff/sessions/{session.id}/edit"
        lines = [
            f"Trainer: {trainer} ({session.trainer_email})" if trainer else "Trainer: none yet",
            f"Where: {place}",
            places_line(session.seats_taken, session.capacity, waiting),
        ]
        if cancelled:
            lines.insert(0, "This session is cancelled.")
        if not session.published:
            lines.append("The course is not published: learners cannot see this session.")
        lines.append(f"Attendees: {self.site}/trainer/sessions/{session.id}")
        lines.append(f"Edit: {edit}")
        if cancelled:
            summary = f"Cancelled: {session.title}"
        else:
            who = trainer or "no trainer"
            summary = f"{session.title} ({session.seats_taken}/{session.capacity}, {who})"
        stamp = utc(session.updated_at)
        # As in a learner's file: a cancellation outranks the last update.
        sequence = session.revision + (1 if cancelled else 0)
        return b"".join(
            [
                f"BEGIN:VEVENT\r\nUID:session-{session.id}-programme@{self.domain}\r\n"
                f"DTSTAMP:{stamp}\r\nLAST-MODIFIED:{stamp}\r\nSEQUENCE:{sequence}\r\n".encode(),
                self.local("DTSTART", session.starts_at),
                self.local("DTEND", session.ends_at),
                fold(f"SUMMARY:{text(summary)}"),
                fold(f"LOCATION:{text(place)}"),
                fold(f"DESCRIPTION:{text(chr(10).join(lines))}"),
                fold(f"URL:{edit}"),
                b"STATUS:CANCELLED\r\n" if cancelled else b"STATUS:CONFIRMED\r\n",
                # Staff follow the programme; it does not make them busy.
                b"TRANSP:TRANSPARENT\r\n",
                self.organizer,
                b"END:VEVENT\r\n",
            ]
        )


def programme_feed(sessions: Iterable[Row], waiting: dict[int, int]) -> bytes:
    """The whole programme as one calendar file (PUBLISH)."""
    writer = _Writer()
    name = f"Training programme – {current_app.config['ORG_NAME']}"
    parts = [_head("PUBLISH", name)]
    parts.extend(writer.event(session, waiting.get(session.id, 0)) for session in sessions)
    parts.append(END_CALENDAR)
    return b"".join(parts)
