"""Feedback: ask attended learners once, take their answers, let staff pick quotes.

Every function adds to the caller's transaction and never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError

from ..enums import AttendanceOutcome, BookingStatus, SessionStatus
from ..errors import FeedbackRefused, NoSuchRecord, Refusal
from ..extensions import db
from ..mail import messages, outbox
from ..models import Booking, FeedbackResponse, Session, utcnow
from . import tokens
from .queries import response_for, responses_for


@dataclass(frozen=True)
class Answers:
    """What the feedback form asks."""

    rating: int
    confidence_before: int
    confidence_after: int
    do_differently: str
    recommend: bool
    quote_permitted: bool


def link_days() -> int:
    return current_app.config["FEEDBACK_LINK_DAYS"]


def edit_days() -> int:
    return current_app.config["FEEDBACK_EDIT_DAYS"]


def refusal(booking: Booking, now: datetime | None = None) -> FeedbackRefused | None:
    """Why the booking's learner cannot give feedback at all now, or None when they can."""
    session = booking.session
    attended = booking.has_place and booking.outcome == AttendanceOutcome.ATTENDED
    if not attended or session.status != SessionStatus.SCHEDULED:
        return FeedbackRefused(Refusal.FEEDBACK_NOT_ATTENDED)
    if (now or utcnow()) < session.ends_at:
        return FeedbackRefused(Refusal.FEEDBACK_NOT_YET)
    return None


def closes_at(booking: Booking) -> datetime:
    """The last instant a first answer is taken: FEEDBACK_LINK_DAYS after the session."""
    return booking.session.ends_at + timedelta(days=link_days())


def answer_refusal(
    booking: Booking, response: FeedbackResponse | None, now: datetime | None = None
) -> FeedbackRefused | None:
    """Why answers cannot be given (or changed) now, or None when they can."""
    now = now or utcnow()
    refused = refusal(booking, now)
    if refused is not None:
        return refused
    if response is None:
        return FeedbackRefused(Refusal.FEEDBACK_CLOSED) if now > closes_at(booking) else None
    if now > response.editable_until(edit_days()):
        return FeedbackRefused(Refusal.FEEDBACK_EDIT_CLOSED.format(days=edit_days()))
    return None


def save_answers(booking: Booking, answers: Answers, now: datetime | None = None):
    """Store the learner's answers: the first time, or a change within the edit window.

    A changed comment, or permission withdrawn, takes the quote off the course page
    until staff pick it again. Raises FeedbackRefused.
    """
    now = now or utcnow()
    response = response_for(booking.id)
    refused = answer_refusal(booking, response, now)
    if refused is not None:
        raise refused
    if response is None:
        response = FeedbackResponse(booking_id=booking.id, created_at=now, quote_shown=False)
        try:
            # A second tab sending the form at the same moment meets the unique
            # booking_id and becomes an edit of the first answer.
            with db.session.begin_nested():
                _apply(response, answers)
                db.session.add(response)
                db.session.flush()
            return response
        except IntegrityError:
            response = response_for(booking.id)
            if response is None:
                raise
    if answers.do_differently != response.do_differently or not answers.quote_permitted:
        response.quote_shown = False
    _apply(response, answers)
    response.updated_at = now
    db.session.flush()
    return response


def _apply(response: FeedbackResponse, answers: Answers) -> None:
    response.rating = answers.rating
    response.confidence_before = answers.confidence_before
    response.confidence_after = answers.confidence_after
    response.do_differently = answers.do_differently
    response.recommend = answers.recommend
    response.quote_permitted = answers.quote_permitted


def show_quote(response_id: int, shown: bool) -> FeedbackResponse:
    """Staff put a permitted comment on its course page as an anonymous quote, or take
    it off."""
    response = db.session.get(FeedbackResponse, response_id)
    if response is None:
        raise NoSuchRecord("There is no such feedback.")
    if shown and not (response.quote_permitted and response.do_differently.strip()):
        raise FeedbackRefused(Refusal.QUOTE_NOT_PERMITTED)
    response.quote_shown = shown
    db.session.flush()
    return response


def queue_requests(now: datetime | None = None) -> int:
    """Queue a feedback request for each attended learner of a session that has ended
    (within FEEDBACK_LINK_DAYS), once per booking; the caller commits.

    Each booking is claimed with a conditional UPDATE, so two runs at once never
    queue the same request twice.
    """
    now = now or utcnow()
    due = db.session.scalars(
        select(Booking)
        .join(Booking.session)
        .where(
            Booking.status == BookingStatus.CONFIRMED,
            Booking.outcome == AttendanceOutcome.ATTENDED,
            Booking.feedback_sent_at.is_(None),
            # Answered already (from My bookings, before the email went): not asked again.
            ~exists().where(FeedbackResponse.booking_id == Booking.id),
            Session.status == SessionStatus.SCHEDULED,
            Session.ends_at <= now,
            Session.ends_at > now - timedelta(days=link_days()),
        )
        .order_by(Session.ends_at, Booking.id)
    ).all()
    queued = 0
    for booking in due:
        claimed = db.session.execute(
            update(Booking)
            .where(
                Booking.id == booking.id,
                Booking.feedback_sent_at.is_(None),
                Booking.outcome == AttendanceOutcome.ATTENDED,
            )
            .values(feedback_sent_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed:
            token = tokens.link_token(booking, now)
            outbox.enqueue(messages.feedback_request(booking, token))
            queued += 1
    return queued


@dataclass(frozen=True)
class Offer:
    """What My bookings offers for one past booking: a link to answer, or to change."""

    url: str | None
    answered: bool


def offers(bookings, now: datetime | None = None) -> dict[int, Offer]:
    """For each booking whose learner may give feedback, the link and whether they have.

    A link only while answers can be given or changed; an answer past changing shows
    as given, with no link.
    """
    now = now or utcnow()
    eligible = [b for b in bookings if refusal(b, now) is None]
    answered = responses_for(eligible)
    result = {}
    for booking in eligible:
        response = answered.get(booking.id)
        if answer_refusal(booking, response, now) is None:
            result[booking.id] = Offer(tokens.link_path(booking), response is not None)
        elif response is not None:
            result[booking.id] = Offer(None, True)
    return result
