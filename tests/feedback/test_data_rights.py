"""Feedback is the learner's data: in their export, and its words erased with the account."""

from __future__ import annotations

import json

from bookings.extensions import db
from bookings.models import FeedbackResponse

from ..conftest import login_as, post_form
from ..factories import PASSWORD
from .conftest import answer


def test_export_holds_the_feedback_given(client, attended, learner):
    answer(attended, rating=5, do_differently="Pause more.", quote_permitted=True)
    login_as(client, learner)

    data = json.loads(client.get("/account/export").data)

    (given,) = data["feedback"]
    assert given["booking"] == attended.reference
    assert (given["rating"], given["do_differently"], given["may_quote"]) == (
        5,
        "Pause more.",
        True,
    )
    assert data["bookings"][0]["attended"] is True


def test_closing_the_account_erases_what_was_written_and_keeps_the_rating(
    client, attended, learner
):
    response = answer(attended, rating=5, do_differently="At Acme I will...", quote_permitted=True)
    response.quote_shown = True
    db.session.commit()
    login_as(client, learner)

    post_form(client, "/account/erase", {"password": PASSWORD, "understood": "y"})

    db.session.expire_all()
    kept = db.session.get(FeedbackResponse, response.id)
    assert kept.rating == 5
    assert (kept.do_differently, kept.quote_permitted, kept.quote_shown) == ("", False, False)
    assert "At Acme" not in client.get("/courses/living-with-adhd").get_data(as_text=True)
