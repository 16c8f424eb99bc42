"""Build the emails the service sends, one function per event."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from .. import timefmt
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


def _booking_email(kind: str, booking: Booking, subject: str, opening: str) -> Email:
    session = booking.session
    course = session.course
    text = "\n".join(
        [
            f"Dear {booking.learner.name},",
            "",
            opening,
            "",
            f"Reference: {booking.reference}",
            f"Course: {course.title}",
            f"When: {timefmt.when(session.starts_at, session.ends_at)}",
            f"Where: {session.location}",
            f"Price: {timefmt.money(booking.price_pence)}",
            "",
            current_app.config["ORG_NAME"],
        ]
    )
    return Email(
        kind=kind,
        recipient=booking.learner.email,
        subject=f"{subject}: {course.title}",
        body_text=text,
        booking_id=booking.id,
        user_id=booking.learner_id,
    )


def booking_confirmed(booking: Booking) -> Email:
    return _booking_email(
        "booking_confirmed", booking, "Booking confirmed", "Your place is booked."
    )


def added_to_waiting_list(booking: Booking) -> Email:
    return _booking_email(
        "waitlisted",
        booking,
        "On the waiting list",
        "The session is full; you are on the waiting list.",
    )


def promoted(booking: Booking) -> Email:
    return _booking_email(
        "promoted", booking, "A place is yours", "A place came free and it is now yours."
    )


def booking_cancelled(booking: Booking) -> Email:
    return _booking_email(
        "booking_cancelled", booking, "Booking cancelled", "Your booking is cancelled."
    )


def password_reset(user: User, link: str) -> Email:
    text = (
        f"Dear {user.name},\n\nTo choose a new password, open this link within an hour:\n{link}\n"
    )
    return Email(
        kind="password_reset",
        recipient=user.email,
        subject="Reset your password",
        body_text=text,
        user_id=user.id,
    )
