"""Build the emails the service sends, one function per event.

Each message has a plain-text and an HTML body from templates/mail/, and booking
messages carry the calendar file that keeps the learner's calendar right.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import formataddr

from flask import current_app, render_template

from ..booking.queries import queue_place
from ..calendar import ics
from ..models import (
    Booking,
    Course,
    CourseInterest,
    CreditNote,
    Enquiry,
    Invoice,
    Session,
    User,
    utcnow,
)


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
    # A document to attach when the email is sent, e.g. "invoice:INV-2026-00001".
    attachment: str | None = None
    reply_to: str = ""
    unsubscribe_url: str = ""


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
        account_url=ics.site_url("/auth/reset"),
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


# Invoices and credit notes: each email carries its document as a PDF, built when sent.


def _invoice_email(kind: str, invoice: Invoice, subject: str, attachment: str, **context) -> Email:
    text, html = _render(
        kind,
        invoice=invoice,
        payment_details=current_app.config["INVOICE_PAYMENT_DETAILS"],
        invoices_url=ics.site_url("/account/invoices"),
        **context,
    )
    return Email(
        kind=kind,
        recipient=invoice.buyer_email,
        subject=subject,
        body_text=text,
        body_html=html,
        user_id=invoice.user_id,
        attachment=attachment,
    )


def invoice_issued(invoice: Invoice) -> Email:
    """A new invoice, to whoever pays: the organisation's invoice address or the learner."""
    return _invoice_email(
        "invoice_issued",
        invoice,
        f"Invoice {invoice.number} from {invoice.seller_name}",
        f"invoice:{invoice.number}",
    )


def credit_note_issued(note: CreditNote) -> Email:
    """Money given back against an invoice, to whoever the invoice went to."""
    invoice = note.invoice
    return _invoice_email(
        "credit_note_issued",
        invoice,
        f"Credit note {note.number} for invoice {invoice.number}",
        f"credit_note:{note.number}",
        note=note,
    )


def invoice_reminder(invoice: Invoice) -> Email:
    """The invoice is past its due date and still unpaid."""
    return _invoice_email(
        "invoice_reminder",
        invoice,
        f"Reminder: invoice {invoice.number} is overdue",
        f"invoice:{invoice.number}",
    )


def _security_notice(kind: str, user: User, subject: str, **context) -> Email:
    text, html = _render(
        kind,
        user=user,
        reset_url=ics.site_url("/auth/reset"),
        two_factor_url=ics.site_url("/account/two-factor"),
        changed_at=utcnow(),
        **context,
    )
    return Email(
        kind=kind,
        recipient=user.email,
        subject=subject,
        body_text=text,
        body_html=html,
        user_id=user.id,
    )


def password_changed(user: User) -> Email:
    """The password changed: if it was not them, they can act at once."""
    return _security_notice("password_changed", user, "Your password has been changed")


def two_factor_changed(user: User, change: str) -> Email:
    """Two-factor sign-in was turned on or off, or given new recovery codes."""
    return _security_notice(
        "two_factor_changed", user, "Your two-factor sign-in has changed", change=change
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


def enquiry_received(enquiry: Enquiry) -> Email:
    """An enquiry from the contact form, to the organisation; replies go to the sender."""
    text, html = _render(
        "enquiry_received",
        enquiry=enquiry,
        inbox_url=ics.site_url(f"/staff/enquiries/{enquiry.id}"),
    )
    return Email(
        kind="enquiry",
        recipient=current_app.config["ORG_EMAIL"],
        subject=f"Enquiry: {enquiry.subject}",
        body_text=text,
        body_html=html,
        reply_to=formataddr((enquiry.name, enquiry.email)),
    )


def enquiry_acknowledged(enquiry: Enquiry) -> Email:
    """To the sender: we have your message.

    It repeats nothing the sender typed, not even their name: anyone can give
    someone else's address, and this must not carry their words to that inbox.
    """
    text, html = _render("enquiry_acknowledged")
    return Email(
        kind="enquiry_acknowledgement",
        recipient=enquiry.email,
        subject=f"We have your message: {current_app.config['ORG_NAME']}",
        body_text=text,
        body_html=html,
    )


def interest_confirmation(interest: CourseInterest, course: Course) -> Email:
    """Double opt-in: the link that confirms a visitor wants to hear about new dates."""
    text, html = _render(
        "interest_confirm",
        course=course,
        confirm_url=ics.site_url(f"/interest/confirm/{interest.token}"),
        course_url=ics.site_url(f"/courses/{course.slug}"),
    )
    return Email(
        kind="interest_confirm",
        recipient=interest.email,
        subject=f"Please confirm: new dates for {course.title}",
        body_text=text,
        body_html=html,
    )


def new_dates(email: str, news: list[tuple[CourseInterest, list[Session]]]) -> Email:
    """New dates of the courses one person follows, each with a one-click unsubscribe."""
    courses = [
        {
            "course": interest.course,
            "course_url": ics.site_url(f"/courses/{interest.course.slug}"),
            "unsubscribe_url": ics.site_url(f"/interest/unsubscribe/{interest.token}"),
            "sessions": [
                {"session": s, "book_url": ics.site_url(f"/sessions/{s.id}/book")} for s in sessions
            ],
        }
        for interest, sessions in news
    ]
    tokens = ".".join(interest.token for interest, _ in news)
    unsubscribe_all = ics.site_url(f"/interest/unsubscribe/{tokens}")
    text, html = _render("new_dates", courses=courses, unsubscribe_all=unsubscribe_all)
    if len(courses) == 1:
        subject = f"New dates: {courses[0]['course'].title}"
    else:
        subject = f"New dates for {len(courses)} courses you asked about"
    return Email(
        kind="new_dates",
        recipient=email,
        subject=subject,
        body_text=text,
        body_html=html,
        user_id=next((i.user_id for i, _ in news if i.user_id), None),
        unsubscribe_url=unsubscribe_all,
    )
