"""Feedback links: personal, signed, for one booking, for FEEDBACK_LINK_DAYS days; answers
can be changed for FEEDBACK_EDIT_DAYS days, then are refused politely."""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta

from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from bookings.accounts.service import reset_token
from bookings.extensions import db
from bookings.feedback import tokens
from bookings.models import FeedbackResponse

from ..conftest import post_form
from ..factories import make_booking, make_session, make_user
from .conftest import answer, link, with_outcome

GOOD = {
    "rating": "5",
    "confidence_before": "2",
    "confidence_after": "4",
    "do_differently": "Ask people what helps before I plan a session.",
    "recommend": "yes",
    "quote_permitted": "y",
}


def send(client, path, form_page=None, **changes):
    """Post answers to path, with a CSRF token from its form (or the sign-in page's)."""
    return post_form(client, path, {**GOOD, **changes}, form_page)


def responses() -> int:
    return db.session.scalar(select(func.count(FeedbackResponse.id)))


def test_a_token_answers_its_own_booking_and_no_other(client, ended, attended):
    other = with_outcome(ended, make_user(name="Olga Other"))
    token = tokens.link_token(attended)

    # The id inside the token changed to another booking's: the signature no longer fits.
    payload, _, signature = token.partition(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["booking"] = other.id
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    response = client.get(f"/feedback/{forged}.{signature}")

    assert response.status_code == 404
    assert "This feedback link is not one of ours" in response.get_data(as_text=True)
    assert send(client, f"/feedback/{forged}.{signature}", link(attended)).status_code == 404

    # The genuine link stores answers for its own booking only.
    assert send(client, f"/feedback/{token}").status_code == 303
    stored = db.session.scalars(select(FeedbackResponse)).one()
    assert stored.booking_id == attended.id
    assert stored.booking_id != other.id


def test_links_signed_for_something_else_or_with_another_key_are_refused(
    client, app, attended, learner
):
    password_reset = reset_token(learner)
    other_key = URLSafeSerializer("not our key", salt=tokens.SALT).dumps(
        {"booking": attended.id, "made": 2_000_000_000}
    )
    for token in (password_reset, other_key, "nonsense", "e30.e30"):
        response = client.get(f"/feedback/{token}")
        assert response.status_code == 404, token
        assert "not one of ours" in response.get_data(as_text=True)
        assert response.headers["Content-Type"].startswith("text/html")


def test_a_link_works_for_feedback_link_days_then_expires(client, app, attended):
    assert app.config["FEEDBACK_LINK_DAYS"] == 30
    assert client.get(link(attended, days_ago=29)).status_code == 200

    expired = client.get(link(attended, days_ago=31))

    assert expired.status_code == 410
    page = expired.get_data(as_text=True)
    assert "This feedback link has expired" in page
    assert "My bookings" in page
    assert send(client, link(attended, days_ago=31), "/auth/login").status_code == 410
    assert responses() == 0


def test_answers_can_be_changed_within_seven_days(client, attended):
    answer(attended, days_ago=6, rating=2)

    page = client.get(link(attended)).get_data(as_text=True)
    response = send(client, link(attended), rating="5")

    assert "You can change them until" in page
    assert re.search(r'<input checked[^>]*name="rating"[^>]*value="2"', page)
    assert response.status_code == 303
    stored = db.session.scalars(select(FeedbackResponse)).one()
    assert stored.rating == 5


def test_a_change_after_seven_days_is_refused_politely_and_nothing_changes(client, app, attended):
    assert app.config["FEEDBACK_EDIT_DAYS"] == 7
    answer(attended, days_ago=8, rating=2, do_differently="Slow down.")

    shown = client.get(link(attended))
    refused = send(
        client, link(attended), "/auth/login", rating="5", do_differently="Something else"
    )

    assert shown.status_code == 200
    text = shown.get_data(as_text=True)
    assert "can no longer be changed" in text and "7 days" in text
    assert "Slow down." in text and "<form" not in text.split("<main", 1)[1]
    assert refused.status_code == 403
    assert "can no longer be changed" in refused.get_data(as_text=True)
    db.session.expire_all()
    stored = db.session.scalars(select(FeedbackResponse)).one()
    assert (stored.rating, stored.do_differently) == (2, "Slow down.")


def test_only_learners_marked_attended_of_sessions_now_over_may_answer(client, ended, course):
    absent = with_outcome(ended, make_user(), "absent")
    unknown = make_booking(ended, make_user())
    late = with_outcome(ended, make_user(), "late_cancellation", status="cancelled")
    running = with_outcome(make_session(course, starts_in=timedelta(hours=-1)), make_user())

    for booking in (absent, unknown, late):
        response = client.get(link(booking))
        assert response.status_code == 403
        assert "learners who attended" in response.get_data(as_text=True)
    response = send(client, link(running), "/auth/login")
    assert response.status_code == 403
    assert "once the session is over" in response.get_data(as_text=True)
    assert responses() == 0


def test_first_answers_are_taken_until_feedback_link_days_after_the_session(
    client, course, learner
):
    long_ago = make_session(course, starts_in=timedelta(days=-31))
    booking = with_outcome(long_ago, learner)

    response = client.get(link(booking))  # a fresh link, as My bookings would make

    assert response.status_code == 410
    assert "Feedback for this session has closed." in response.get_data(as_text=True)
