"""Emails to learners about their bookings: confirmed, waiting, promoted, changed, feedback."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from ...calendar import ics
from ...models import (
    Booking,
    User,
)
from .base import Email, _booking_email, _render


def booking_confirmed(booking: Booking) -> Email:
    """Your place is booked; the invitation puts the session in the calendar."""
    return _booking_email("booking_confirmed", booking, "Booking confirmed", method="REQUEST")


def added_to_waiting_list(booking: Booking) -> Email:
    """The session is full; no invitation until a place is confirmed."""
    return _booking_email("waitlisted", booking, "On the waiting list", method=None)


def promoted(booking: Booking) -> Email:
    """A place came free and the first waiting learner has it."""
    return _booking_email("promoted", booking, "A place is now yours", method="REQUEST")


def booking_cancelled(booking: Booking, by: User | None = None) -> Email:
    """The booking is cancelled, by the learner or (when by is someone else) by staff."""
    by_other = by is not None and by.id != booking.learner_id
    return _booking_email(
        "booking_cancelled",
        booking,
        "Booking cancelled",
        method="CANCEL",
        by_staff=by_other and by.is_staff,
        by_organiser=by if by_other and not by.is_staff else None,
    )


def session_rescheduled(
    booking: Booking,
    old_starts_at: datetime,
    old_ends_at: datetime,
    old_location: str,
) -> Email:
    """The session moved; the update carries the new time and place with the same UID."""
    return _booking_email(
        "session_rescheduled",
        booking,
        "Session changed",
        method="REQUEST",
        old_starts_at=old_starts_at,
        old_ends_at=old_ends_at,
        old_location=old_location,
    )


def session_cancelled(booking: Booking, reason: str = "") -> Email:
    """The whole session is cancelled; the learner's booking with it."""
    return _booking_email(
        "session_cancelled", booking, "Session cancelled", method="CANCEL", reason=reason
    )


def reminder(booking: Booking) -> Email:
    """The session is coming up within two days."""
    return _booking_email("reminder", booking, "Reminder", method=None)


def team_booked(organiser: User, bookings: list[Booking]) -> Email:
    """One summary for whoever booked a group: who has a place, who is waiting."""
    session = bookings[0].session
    text, html = _render(
        "team_booked",
        organiser=organiser,
        bookings=bookings,
        session=session,
        course=session.course,
        manage_url=ics.site_url("/account/bookings"),
    )
    return Email(
        kind="team_booked",
        recipient=organiser.email,
        subject=f"Places booked for your team: {session.course.title}",
        body_text=text,
        body_html=html,
        user_id=organiser.id,
    )


def substituted_out(booking: Booking, newcomer: User, by: User | None) -> Email:
    """The attendee is no longer coming: someone else has their place; CANCEL their entry."""
    return _booking_email(
        "substituted_out",
        booking,
        "Your place has passed to someone else",
        method="CANCEL",
        newcomer=newcomer,
        by_someone_else=by is None or by.id != booking.learner_id,
    )


def substituted_in(booking: Booking) -> Email:
    """The new attendee has the place: a fresh invitation with a UID of their own."""
    return _booking_email("substituted_in", booking, "A place is booked for you", method="REQUEST")


def feedback_request(booking: Booking, token: str) -> Email:
    """After a session attended: a personal link to say how it went."""
    return _booking_email(
        "feedback_request",
        booking,
        "How was it?",
        method=None,
        feedback_url=ics.site_url(f"/feedback/{token}"),
        link_days=current_app.config["FEEDBACK_LINK_DAYS"],
        edit_days=current_app.config["FEEDBACK_EDIT_DAYS"],
    )
