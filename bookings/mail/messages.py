"""Build the emails the service sends, one function per event.

Each message has a plain-text and an HTML body from templates/mail/, and booking
messages carry the calendar file that keeps the learner's calendar right.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, render_template

from ..booking.queries import queue_place
from ..calendar import ics, teaching
from ..models import Booking, Session, User


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


def _trainer_email(
    kind: str, session: Session, trainer: User, subject: str, *, method: str, **context
) -> Email:
    """An email to the session's trainer (or its trainer until now) with their own
    calendar event for it: METHOD:REQUEST to add or update, METHOD:CANCEL to remove."""
    context.update(
        session=session,
        course=session.course,
        trainer=trainer,
        session_url=ics.site_url(f"/trainer/sessions/{session.id}"),
        register_url=ics.site_url(f"/trainer/sessions/{session.id}/register"),
    )
    text, html = _render(kind, **context)
    return Email(
        kind=kind,
        recipient=trainer.email,
        subject=f"{subject}: {session.course.title}",
        body_text=text,
        body_html=html,
        ics=teaching.teaching_invitation(session, trainer, method),
        ics_method=method,
        user_id=trainer.id,
    )


def trainer_assigned(session: Session, trainer: User) -> Email:
    """The trainer is to teach the session; the invitation puts it in their calendar."""
    return _trainer_email(
        "trainer_assigned", session, trainer, "You are teaching", method="REQUEST"
    )


def trainer_rescheduled(
    session: Session,
    trainer: User,
    old_starts_at: datetime,
    old_ends_at: datetime,
    old_location: str,
) -> Email:
    """The session the trainer teaches moved; the update keeps the UID, raises SEQUENCE."""
    return _trainer_email(
        "trainer_rescheduled",
        session,
        trainer,
        "Session changed",
        method="REQUEST",
        old_starts_at=old_starts_at,
        old_ends_at=old_ends_at,
        old_location=old_location,
    )


def trainer_unassigned(session: Session, trainer: User) -> Email:
    """Another trainer (or none yet) teaches the session now; it leaves their calendar."""
    return _trainer_email(
        "trainer_unassigned", session, trainer, "You are no longer teaching", method="CANCEL"
    )


def trainer_session_cancelled(session: Session, trainer: User, reason: str = "") -> Email:
    """The session the trainer was to teach is cancelled."""
    return _trainer_email(
        "trainer_session_cancelled",
        session,
        trainer,
        "Session cancelled",
        method="CANCEL",
        reason=reason,
    )
