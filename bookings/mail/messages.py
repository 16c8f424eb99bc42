"""Build the emails the service sends, one function per event.

Each message has a plain-text and an HTML body from templates/mail/, and booking
messages carry the calendar file that keeps the learner's calendar right.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, render_template

from ..booking.queries import queue_place
from ..calendar import ics
from ..models import Booking, User


@dataclass
class Email:
    kind: str
    recipient: str
    subject: str
    body_text: str
    body_html: str = ""
    ics: str | None = None
    ics_method: str | None = None
    booking_id: int | None = None
    user_id: int | None = None


def _render(kind: str, **context) -> tuple[str, str]:
    context.setdefault("org_name", current_app.config["ORG_NAME"])
    context.setdefault("org_email", current_app.config["ORG_EMAIL"])
    context.setdefault("site_url", ics.site_url("/"))
    text = render_template(f"mail/{kind}.txt", **context)
    html = render_template(f"mail/{kind}.html", **context)
    return text.strip() + "\n", html


def _booking_email(
    kind: str,
    booking: Booking,
    subject: str,
    *,
    method: str | None,
    **context,
) -> Email:
    session = booking.session
    context.update(
        # How many are ahead, plus one: stored positions only grow, so they overstate it.
        queue_place=queue_place(booking),
        booking=booking,
        session=session,
        course=session.course,
        learner=booking.learner,
        manage_url=ics.site_url("/account/bookings"),
        course_url=ics.site_url(f"/courses/{session.course.slug}"),
        calendar_url=ics.site_url(f"/bookings/{booking.reference}.ics"),
        has_invite=method is not None,
    )
    text, html = _render(kind, **context)
    return Email(
        kind=kind,
        recipient=booking.learner.email,
        subject=f"{subject}: {session.course.title}",
        body_text=text,
        body_html=html,
        ics=ics.invitation(booking, method) if method else None,
        ics_method=method,
        booking_id=booking.id,
        user_id=booking.learner_id,
    )


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
    by_staff = by is not None and by.id != booking.learner_id
    return _booking_email(
        "booking_cancelled", booking, "Booking cancelled", method="CANCEL", by_staff=by_staff
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


def password_reset(user: User, link: str) -> Email:
    """A link to choose a new password."""
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    text, html = _render("password_reset", user=user, link=link, minutes=minutes)
    return Email(
        kind="password_reset",
        recipient=user.email,
        subject="Reset your password",
        body_text=text,
        body_html=html,
        user_id=user.id,
    )


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
