"""Trainers' calendars: the invitation to teach a session, and the session as it stands
in the trainer's private feed.

A trainer's event has a UID of its own for each session and trainer, so it never
meets a learner's booking of the same session, and a change of trainer cancels one
event and creates another. The UID also carries the session's count of trainer
changes: a trainer given a session again after it was taken from them gets a new
event, since the old one was cancelled with a SEQUENCE no new invitation could pass.
As for learners, SEQUENCE is the session's revision (one more on CANCEL), so a
reschedule reaches the trainer as an update of the same event. The events are
written as content lines (lines.py): an import may invite trainers to a thousand
sessions at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask import current_app

from ..models import Session, User, utcnow
from ..timefmt import local_zone
from . import lines
from .ics import END_CALENDAR, _common_name, _domain, _head, site_url

CATEGORY = "Teaching"


def teaching_uid(session: Session, trainer_id: int) -> str:
    """The UID of the trainer's event for the session, the same in every update."""
    return f"session-{session.id}-trainer-{trainer_id}-{session.trainer_changes}@{_domain()}"


def places_line(booked: int, capacity: int, waiting: int) -> str:
    """'Booked: 7 of 12 places, 2 waiting': how full the session is, in one line."""
    line = f"Booked: {booked} of {capacity} place{'s' if capacity != 1 else ''}"
    return line + (f", {waiting} waiting" if waiting else "")


def _teaching_event(
    session: Session,
    trainer: User,
    *,
    status: str,
    sequence: int,
    stamp: datetime,
    waiting: int | None = None,
) -> bytes:
    """The trainer's VEVENT; waiting is given in feeds, which say how full the session
    is (an invitation would soon be out of date)."""
    config = current_app.config
    zone, tzid = local_zone(), config["TIMEZONE"]
    course = session.course
    page = site_url(f"/trainer/sessions/{session.id}")
    about = [f"You are the trainer for this session of {course.title}."]
    if waiting is not None:
        about.append(places_line(session.seats_taken, session.capacity, waiting))
    if session.online_url:
        about.append(f"Joining link: {session.online_url}")
    about.append(f"Attendees: {page}")
    about.append(f"Register: {site_url(f'/trainer/sessions/{session.id}/register')}")
    cancelled = status == "CANCELLED"
    attendee = lines.address(
        "ATTENDEE",
        _common_name(trainer.name),
        trainer.email,
        ROLE="CHAIR",
        PARTSTAT="DECLINED" if cancelled else "ACCEPTED",
        RSVP="FALSE",
    )
    properties = [
        "BEGIN:VEVENT",
        f"UID:{teaching_uid(session, trainer.id)}",
        f"DTSTAMP:{lines.utc(stamp)}",
        f"SEQUENCE:{sequence}",
        lines.local("DTSTART", session.starts_at, zone, tzid),
        lines.local("DTEND", session.ends_at, zone, tzid),
        f"SUMMARY:{lines.text(f'{CATEGORY}: {course.title}')}",
        # The trainer may see the joining link, whoever else may not.
        f"LOCATION:{lines.text(session.location)}",
        f"DESCRIPTION:{lines.text(chr(10).join(about))}",
        f"URL:{page}",
        f"CATEGORIES:{CATEGORY}",
        f"STATUS:{status}",
        f"TRANSP:{'TRANSPARENT' if cancelled else 'OPAQUE'}",
        lines.address("ORGANIZER", _common_name(config["ORG_NAME"]), config["ORG_EMAIL"]),
        attendee,
        "END:VEVENT",
    ]
    return b"".join(lines.fold(line) for line in properties)


def teaching_invitation(session: Session, trainer: User, method: str = "REQUEST") -> str:
    """The calendar file sent to a trainer: REQUEST to add or update the session, CANCEL
    to take it away (the session cancelled, or given to another trainer)."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unknown method {method!r}")
    cancel = method == "CANCEL"
    event = _teaching_event(
        session,
        trainer,
        status="CANCELLED" if cancel else "CONFIRMED",
        sequence=session.revision + (1 if cancel else 0),
        stamp=utcnow(),
    )
    return b"".join([_head(method), event, END_CALENDAR]).decode("utf-8")


def teaching_events(
    sessions: Iterable[Session], trainer: User, waiting: dict[int, int]
) -> list[bytes]:
    """The sessions trainer teaches, for their private feed, with how full each is."""
    return [
        _teaching_event(
            session,
            trainer,
            status="CONFIRMED",
            sequence=session.revision,
            # Stable while the session is unchanged, so the feed's ETag is too.
            stamp=session.updated_at,
            waiting=waiting.get(session.id, 0),
        )
        for session in sessions
    ]
