"""The feedback form: what it asks, bad answers refused beside their field, one answer
per booking, and the link on My bookings."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from bookings.extensions import db
from bookings.models import FeedbackResponse

from ..conftest import login_as
from .conftest import link
from .test_links import GOOD, send


def error_beside(page: str, field_id: str) -> str:
    """The message shown beside a field (the macro's <p id="FIELD-error">)."""
    match = re.search(rf'<p class="error-message" id="{field_id}-error">([^<]*)</p>', page)
    assert match, f"no error beside {field_id}"
    return match.group(1)


def responses() -> int:
    return db.session.scalar(select(func.count(FeedbackResponse.id)))


def test_the_form_asks_every_question_with_labels(client, attended):
    page = client.get(link(attended)).get_data(as_text=True)

    for question in (
        "Overall, how would you rate the course?",
        "How confident were you in the subject before the course?",
        "How confident are you in the subject now?",
        "What will you do differently?",
        "Would you recommend the course to others?",
        "You may quote my answer anonymously",
    ):
        assert question in page
    assert page.count('name="rating"') == 5
    assert "1 (poor)" in page and "5 (excellent)" in page
    assert '<button type="submit">Send feedback</button>' in page


def test_answers_are_stored_once_per_booking(client, attended):
    first = send(client, link(attended))
    again = send(client, link(attended), rating="3", quote_permitted="")

    assert first.status_code == again.status_code == 303
    stored = db.session.scalars(select(FeedbackResponse)).one()
    assert stored.booking_id == attended.id
    assert (stored.rating, stored.confidence_before, stored.confidence_after) == (3, 2, 4)
    assert stored.recommend is True and stored.quote_permitted is False
    assert stored.do_differently == GOOD["do_differently"]
    thanks = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Thank you for your feedback" in thanks


def test_a_rating_of_0_or_6_is_refused_beside_the_field_and_the_rest_is_kept(client, attended):
    for bad in ("0", "6", "five", "-1", "99999999999999999999"):
        response = send(client, link(attended), rating=bad)
        page = response.get_data(as_text=True)
        assert response.status_code == 400, bad
        assert error_beside(page, "rating") == "Choose a rating from 1 (poor) to 5 (excellent)."
        assert GOOD["do_differently"] in page  # nothing typed is lost
    assert responses() == 0


def test_confidence_outside_the_scale_is_refused_beside_its_field(client, attended):
    page = send(client, link(attended), confidence_before="0", confidence_after="6").get_data(
        as_text=True
    )

    assert error_beside(page, "confidence_before").startswith("Choose how confident you were")
    assert error_beside(page, "confidence_after").startswith("Choose how confident you are now")
    assert responses() == 0


def test_a_10_kb_comment_is_refused_beside_the_field_and_kept_for_editing(client, attended):
    comment = "I will listen more carefully. " * 350  # about 10 KB
    assert len(comment.encode()) > 10_000

    response = send(client, link(attended), do_differently=comment)

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert error_beside(page, "do_differently") == "Keep your answer to 2,000 characters or fewer."
    assert comment.strip() in page
    assert responses() == 0


def test_missing_answers_are_asked_for_beside_their_fields(client, attended):
    response = send(client, link(attended), rating="", recommend="maybe")

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert error_beside(page, "rating") == "Choose a rating from 1 (poor) to 5 (excellent)."
    assert error_beside(page, "recommend").startswith("Say whether you would recommend")
    assert responses() == 0


def test_my_bookings_links_to_the_form_then_to_change_it(client, attended, learner):
    login_as(client, learner)
    page = client.get("/account/bookings").get_data(as_text=True)
    (path,) = re.findall(r'href="(/feedback/[^"]+)">Give feedback', page)

    assert send(client, path).status_code == 303

    page = client.get("/account/bookings").get_data(as_text=True)
    assert "Give feedback" not in page
    assert re.search(r'href="/feedback/[^"]+">Change your feedback', page)
