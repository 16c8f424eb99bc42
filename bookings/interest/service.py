"""'Tell me about new dates': sign up, confirm, unsubscribe, and the one email per
person when staff add dates. Each adds to the caller's transaction."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..mail import messages, outbox
from ..models import Course, CourseInterest, Session, User, utcnow
from . import queries

MAX_TOKENS = 50  # sign-ups one unsubscribe link may end


def _address(email: str) -> str:
    return email.strip().lower()


def sign_up(course: Course, *, user: User | None = None, email: str = "") -> CourseInterest:
    """Add an address to the course's list.

    A signed-in user's own address is confirmed at once. A visitor's is emailed a
    link to confirm it (again, if they ask again before confirming); until then it
    gets nothing else.
    """
    address = _address(user.email if user is not None else email)
    interest = queries.interest_in(course.id, address)
    if interest is None:
        interest = CourseInterest(course_id=course.id, email=address)
        try:
            with db.session.begin_nested():
                db.session.add(interest)
        except IntegrityError:
            # Someone signed the same address up a moment ago.
            interest = queries.interest_in(course.id, address)
    if interest.is_confirmed:
        return interest
    if user is not None:
        interest.confirmed_at = utcnow()
        interest.user_id = user.id
    else:
        outbox.enqueue(messages.interest_confirmation(interest, course))
    db.session.flush()
    return interest


def confirm(token: str) -> CourseInterest | None:
    """The address behind the link is confirmed (once is enough); None for a dead link."""
    interest = queries.by_token(token)
    if interest is not None and not interest.is_confirmed:
        interest.confirmed_at = utcnow()
        db.session.flush()
    return interest


def split_tokens(tokens: str) -> list[str]:
    return [token for token in tokens.split(".") if token][:MAX_TOKENS]


def unsubscribe(tokens: str) -> int:
    """Remove the sign-ups the link names; a second click finds nothing left to remove."""
    names = split_tokens(tokens)
    if not names:
        return 0
    result = db.session.execute(
        delete(CourseInterest)
        .where(CourseInterest.token.in_(names))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def notify_new_dates(sessions: Iterable[Session]) -> int:
    """Email each confirmed person once about the new dates of the courses they follow.

    Called once per operation that adds dates (a session added by staff, a CSV
    import), so an import of five dates sends each person one email listing all five.
    Only dates a learner can book now are announced. Returns the emails queued.
    """
    now = utcnow()
    by_course: dict[int, list[Session]] = defaultdict(list)
    for session in sessions:
        if session.course.published and session.is_open_for_booking(now):
            by_course[session.course_id].append(session)
    if not by_course:
        return 0
    by_person: dict[str, list[CourseInterest]] = defaultdict(list)
    for interest in queries.confirmed_for(by_course):
        by_person[interest.email].append(interest)
    for email, interests in by_person.items():
        news = [
            (interest, sorted(by_course[interest.course_id], key=lambda s: s.starts_at))
            for interest in interests
        ]
        outbox.enqueue(messages.new_dates(email, news))
        for interest in interests:
            interest.last_notified_at = now
    db.session.flush()
    return len(by_person)
