"""Staff changes: courses, sessions, users and news. Each adds to the current
transaction; the view's `committing` block commits it."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from .. import timefmt
from ..audit import service as audit
from ..booking.schedule import invite_trainer, set_trainer
from ..booking.service import fill_from_waiting_list
from ..certificates import service as certificates
from ..enums import ROLES, AuditAction, Role
from ..errors import DomainError, InvalidField
from ..extensions import db
from ..interest.service import notify_new_dates
from ..models import Booking, Course, NewsPost, Session, User
from .queries import outcome_bookings, session_clash, slug_taken

SLUG_TAKEN = "Another course already uses this web address name."
SESSION_CLASH = "This course already has a session starting then."


def _flush(field: str, message: str) -> None:
    """Write pending changes; a constraint the checks missed is refused beside field."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise InvalidField(field, message) from exc


# Courses


def save_course(values: dict, course: Course | None = None, by: User | None = None) -> Course:
    """Create a course, or update one, from form values."""
    if slug_taken(values["slug"], course.id if course else None):
        raise InvalidField("slug", SLUG_TAKEN)
    created = course is None
    before = {} if created else audit.snapshot(course, values)
    course = course or Course()
    for name, value in values.items():
        setattr(course, name, value)
    db.session.add(course)
    _flush("slug", SLUG_TAKEN)
    audit.record(
        AuditAction.COURSE_CREATED if created else AuditAction.COURSE_EDITED,
        by=by,
        subject=course,
        summary=audit.changes(before, values),
    )
    return course


def set_published(course: Course, published: bool, by: User | None = None) -> None:
    course.published = published
    db.session.flush()
    audit.record(
        AuditAction.COURSE_PUBLISHED if published else AuditAction.COURSE_UNPUBLISHED,
        by=by,
        subject=course,
    )


# Sessions


def create_session(
    *,
    course_id: int,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    trainer_id: int | None,
    booking_deadline: datetime | None,
    venue_name: str,
    venue_address: str,
    online_url: str,
    notes: str,
    by: User | None = None,
) -> Session:
    """Add a dated run of a course."""
    if ends_at <= starts_at:
        raise InvalidField("ends", "The end time must be after the start time.")
    if session_clash(course_id, starts_at):
        raise InvalidField("starts", SESSION_CLASH)
    session = Session(
        course_id=course_id,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        trainer_id=trainer_id or None,
        booking_deadline=booking_deadline,
        venue_name=venue_name,
        venue_address=venue_address,
        online_url=online_url,
        notes=notes,
    )
    db.session.add(session)
    _flush("starts", SESSION_CLASH)
    audit.record(
        AuditAction.SESSION_CREATED,
        by=by,
        subject=session,
        summary=(
            f"{timefmt.when(starts_at, ends_at)}, {session.location}; {capacity} places; "
            f"trainer: {session.trainer.name if session.trainer else 'none yet'}."
        ),
    )
    notify_new_dates([session])
    invite_trainer(session)
    return session


def update_session_details(
    session: Session,
    *,
    capacity: int,
    trainer_id: int | None,
    booking_deadline: datetime | None,
    notes: str,
    by: User | None = None,
) -> list[Booking]:
    """Change what does not move the session in time or place; a new trainer is sent an
    invitation and the one before a cancellation.

    Returns the waiting learners given a place because the session has more places now.
    """
    if capacity < session.seats_taken:
        raise InvalidField(
            "capacity",
            f"{session.seats_taken} places are already booked; "
            "the number of places cannot be lower.",
        )
    names = ("capacity", "trainer_id", "booking_deadline", "notes")
    before = audit.snapshot(session, names)
    session.capacity = capacity
    session.booking_deadline = booking_deadline
    session.notes = notes
    _flush("capacity", "More places are booked than that; the number cannot be lower.")
    set_trainer(session.id, trainer_id)
    # New places go to the waiting list first, in order, each learner told.
    promoted = fill_from_waiting_list(session.id)
    db.session.expire(session, ["seats_taken"])
    summary = audit.changes(before, audit.snapshot(session, names))
    if promoted:
        summary += f" {len(promoted)} waiting learner(s) given a place."
    audit.record(AuditAction.SESSION_EDITED, by=by, subject=session, summary=summary)
    return promoted


# Users


def set_role(user: User, role: str, by: User) -> None:
    if role not in ROLES:
        raise InvalidField("role", "Choose a role.")
    if user.id == by.id and role != Role.STAFF:
        raise InvalidField("role", "You cannot take away your own staff role.")
    was = user.role
    if user.is_staff and role != Role.STAFF:
        # A programme feed address handed out while staff must not work again later.
        user.staff_calendar_token = secrets.token_urlsafe(24)
    user.role = role
    db.session.flush()
    audit.record(AuditAction.ROLE_CHANGED, by=by, subject=user, summary=f"Role: {was} → {role}.")


def set_active(user: User, active: bool, by: User) -> None:
    if user.id == by.id and not active:
        raise DomainError("You cannot deactivate your own account.")
    user.active = active
    db.session.flush()
    audit.record(
        AuditAction.ACCOUNT_ACTIVATED if active else AuditAction.ACCOUNT_DEACTIVATED,
        by=by,
        subject=user,
    )


# News


def save_news(
    *,
    title: str,
    body: str,
    published_at: datetime,
    published: bool,
    post: NewsPost | None = None,
    by: User | None = None,
) -> NewsPost:
    created = post is None
    post = post or NewsPost()
    post.title = title.strip()
    post.body = body
    post.published_at = published_at
    post.published = published
    db.session.add(post)
    db.session.flush()
    audit.record(
        AuditAction.NEWS_SAVED,
        by=by,
        subject=post,
        summary=("Written" if created else "Edited")
        + (", published." if published else ", draft."),
    )
    return post


def delete_news(post: NewsPost, by: User | None = None) -> None:
    audit.record(AuditAction.NEWS_DELETED, by=by, subject=post)
    db.session.delete(post)
    db.session.flush()


# Attendance outcomes


def correct_outcomes(
    session: Session, outcomes: dict[int, str | None], by: User | None = None
) -> int:
    """Set the outcome of the session's bookings that had a place ({booking id: outcome
    or None}); returns how many changed. A refusal names the booking's form field."""
    changed = []
    for booking in outcome_bookings(session):
        if booking.id not in outcomes:
            continue
        refusal = booking.outcome_refusal(outcomes[booking.id])
        if refusal is not None:
            refusal.field = f"booking_{booking.id}"
            raise refusal
        if booking.record_outcome(outcomes[booking.id]):
            # Attendance changed back: the certificate stops confirming it (and returns
            # when the learner is marked attended again).
            certificates.attendance_changed(booking)
            changed.append(
                f"{booking.learner.name} ({booking.reference}): {booking.outcome_label.lower()}"
            )
    db.session.flush()
    if changed:
        audit.record(
            AuditAction.ATTENDANCE_MARKED,
            by=by,
            subject=session,
            summary="Corrected by staff: " + "; ".join(changed) + ".",
        )
    return len(changed)
