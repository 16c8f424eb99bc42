"""A trainer's session that is over, its learners, and their feedback links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bookings.extensions import db
from bookings.feedback import tokens
from bookings.models import Booking, FeedbackResponse

from ..factories import make_booking, make_session, make_user
from ..mail.conftest import mail_config, smtp  # noqa: F401  (a real SMTP server)
from ..trainer.conftest import course, learner, other_trainer, staff, trainer  # noqa: F401


@pytest.fixture
def ended(course, trainer):  # noqa: F811
    """Tess's session of Living with ADHD, which ended yesterday."""
    start = (datetime.now(UTC) - timedelta(days=1, hours=4)).replace(second=0, microsecond=0)
    return make_session(course, starts_at=start, trainer=trainer)


def with_outcome(session, person=None, outcome="attended", **fields) -> Booking:
    """A confirmed booking (or a cancelled one, for a late cancellation) with its outcome."""
    booking = make_booking(session, person, **fields)
    booking.record_outcome(outcome)
    db.session.commit()
    return booking


@pytest.fixture
def attended(ended, learner):  # noqa: F811
    """Lena attended the session that ended yesterday."""
    return with_outcome(ended, learner)


def link(booking: Booking, days_ago: float = 0) -> str:
    """The path of booking's feedback link, made days_ago."""
    made = datetime.now(UTC) - timedelta(days=days_ago)
    return f"/feedback/{tokens.link_token(booking, made)}"


def answer(booking: Booking, *, days_ago: float = 0, **fields) -> FeedbackResponse:
    """Answers stored for booking as if given days_ago."""
    values = {
        "rating": 4,
        "confidence_before": 2,
        "confidence_after": 4,
        "do_differently": "Give people more time to answer.",
        "recommend": True,
        "quote_permitted": False,
    }
    values.update(fields)
    when = datetime.now(UTC) - timedelta(days=days_ago)
    response = FeedbackResponse(booking_id=booking.id, created_at=when, updated_at=when, **values)
    db.session.add(response)
    db.session.commit()
    return response


def learners(count: int, **fields) -> list:
    return [make_user(**fields) for _ in range(count)]
