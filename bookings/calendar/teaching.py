"""Trainers' calendars: the invitation to teach a session, and the session as it stands
in the trainer's private feed.

A trainer's event has a UID of its own for each session and trainer, so it never
meets a learner's booking of the same session, and a change of trainer cancels one
event and creates another. The UID also carries the session's count of trainer
changes: a trainer given a session again after it was taken from them gets a new
event, since the old one was cancelled with a SEQUENCE no new invitation could pass.
As for learners, SEQUENCE is the session's revision (one more on CANCEL), so a
reschedule reaches the trainer as an update of the same event.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from icalendar import Event, vCalAddress

from ..models import Session, User, utcnow
from .ics import _calendar_file, _common_name, _domain, _local, _organizer, site_url

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
) -> Event:
    """The trainer's event; waiting is given in feeds, which say how full the session is
    (an invitation would soon be out of date)."""
    course = session.course
    page = site_url(f"/trainer/sessions/{session.id}")
    lines = [f"You are the trainer for this session of {course.title}."]
    if waiting is not None:
        lines.append(places_line(session.seats_taken, session.capacity, waiting))
    if session.online_url:
        lines.append(f"Joining link: {session.online_url}")
    lines.append(f"Attendees: {page}")
    lines.append(f"Register: {site_url(f'/trainer/sessions/{session.id}/register')}")
    event = Event()
    event.add("UID", teaching_uid(session, trainer.id))
    event.add("DTSTAMP", stamp)
    event.add("SEQUENCE", sequence)
    event.add("DTSTART", _local(session.starts_at))
    event.add("DTEND", _local(session.ends_at))
    event.add("SUMMARY", f"{CATEGORY}: {course.title}")
    # The trainer may see the joining link, whoever else may not.
    event.add("LOCATION", session.location)
    event.add("DESCRIPTION", "\n".join(lines))
    event.add("URL", page)
    event.add("CATEGORIES", [CATEGORY])
    event.add("STATUS", status)
    event.add("TRANSP", "OPAQUE" if status != "CANCELLED" else "TRANSPARENT")
    event.add("ORGANIZER", _organizer())
    attendee = vCalAddress(f"mailto:{trainer.email}")
    attendee.params["CN"] = _common_name(trainer.name)
    attendee.params["ROLE"] = "CHAIR"
    attendee.params["PARTSTAT"] = "DECLINED" if status == "CANCELLED" else "ACCEPTED"
    attendee.params["RSVP"] = "FALSE"
    event.add("ATTENDEE", attendee)
    return event


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
    return _calendar_file(method, [event]).decode("utf-8")


def teaching_events(
    sessions: Iterable[Session], trainer: User, waiting: dict[int, int]
) -> list[Event]:
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
