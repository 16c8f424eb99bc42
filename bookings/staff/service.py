"""Staff changes: courses, sessions, users and news. Each adds to the current
transaction; the view's `committing` block commits it."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from ..booking.schedule import invite_trainer, set_trainer
from ..booking.service import fill_from_waiting_list
from ..enums import ROLES, Role
from ..errors import DomainError, InvalidField
from ..extensions import db
from ..models import Booking, Course, NewsPost, Session, User
from .queries import session_clash, slug_taken

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


def save_course(values: dict, course: Course | None = None) -> Course:
    """Create a course, or update one, from form values."""
    if slug_taken(values["slug"], course.id if course else None):
        raise InvalidField("slug", SLUG_TAKEN)
    course = course or Course()
    for name, value in values.items():
        setattr(course, name, value)
    db.session.add(course)
    _flush("slug", SLUG_TAKEN)
    return course


def set_published(course: Course, published: bool) -> None:
    course.published = published
    db.session.flush()


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
    invite_trainer(session)
    return session


def update_session_details(
    session: Session,
    *,
    capacity: int,
    trainer_id: int | None,
    booking_deadline: datetime | None,
    notes: str,
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
    session.capacity = capacity
    session.booking_deadline = booking_deadline
    session.notes = notes
    _flush("capacity", "More places are booked than that; the number cannot be lower.")
    set_trainer(session.id, trainer_id)
    # New places go to the waiting list first, in order, each learner told.
    promoted = fill_from_waiting_list(session.id)
    db.session.expire(session, ["seats_taken"])
    return promoted


# Users


def set_role(user: User, role: str, by: User) -> None:
    if role not in ROLES:
        raise InvalidField("role", "Choose a role.")
    if user.id == by.id and role != Role.STAFF:
        raise InvalidField("role", "You cannot take away your own staff role.")
    if user.is_staff and role != Role.STAFF:
        # A programme feed address handed out while staff must not work again later.
        user.staff_calendar_token = secrets.token_urlsafe(24)
    user.role = role
    db.session.flush()


def set_active(user: User, active: bool, by: User) -> None:
    if user.id == by.id and not active:
        raise DomainError("You cannot deactivate your own account.")
    user.active = active
    db.session.flush()


# News


def save_news(
    *, title: str, body: str, published_at: datetime, published: bool, post: NewsPost | None = None
) -> NewsPost:
    post = post or NewsPost()
    post.title = title.strip()
    post.body = body
    post.published_at = published_at
    post.published = published
    db.session.add(post)
    db.session.flush()
    return post


def delete_news(post: NewsPost) -> None:
    db.session.delete(post)
    db.session.flush()
