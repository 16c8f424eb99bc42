"""Public pages are kept a few seconds for visitors who are not signed in, and only then."""

from __future__ import annotations

import time

import pytest

from bookings.extensions import db
from bookings.pagecache import pages

from .conftest import login_as
from .factories import make_booking, make_course, make_session, make_user
from .statements import counting_statements


@pytest.fixture
def cache_seconds(app):
    """Turn the cache on for the test (the test config has it off), empty."""
    pages.clear()
    app.config["PUBLIC_PAGE_CACHE_SECONDS"] = 30
    yield app.config
    app.config["PUBLIC_PAGE_CACHE_SECONDS"] = 0
    pages.clear()


def places_text(client, slug: str) -> str:
    return client.get(f"/courses/{slug}").get_data(as_text=True)


def test_a_visitor_is_given_the_page_kept_without_asking_the_database(app, cache_seconds):
    course = make_course(title="Living with ADHD")
    session = make_session(course, capacity=10)
    path = f"/courses/{course.slug}"
    first = app.test_client().get(path)
    assert first.status_code == 200 and "10 places left" in first.get_data(as_text=True)

    make_booking(session)  # one place fewer, within the cache's seconds
    with counting_statements() as statements:
        again = app.test_client().get(path)
    assert statements == []
    assert again.get_data() == first.get_data()
    # The headers every answer carries are set afresh on a kept page too.
    assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert again.mimetype == "text/html"


def test_a_kept_page_is_built_again_once_its_seconds_have_passed(app, cache_seconds):
    cache_seconds["PUBLIC_PAGE_CACHE_SECONDS"] = 0.2
    course = make_course()
    session = make_session(course, capacity=10)
    assert "10 places left" in places_text(app.test_client(), course.slug)
    make_booking(session)
    time.sleep(0.3)
    assert "9 places left" in places_text(app.test_client(), course.slug)


def test_signed_in_users_always_get_a_page_built_for_them(app, client, cache_seconds):
    course = make_course()
    session = make_session(course, capacity=10)
    assert "10 places left" in places_text(app.test_client(), course.slug)
    make_booking(session)
    login_as(client, make_user())
    assert "9 places left" in places_text(client, course.slug)


def test_a_page_with_a_form_for_the_visitor_is_not_kept(app, cache_seconds):
    # Nothing to book, so the page offers the new-dates form with the visitor's own
    # CSRF token: another visitor must not be given it.
    course = make_course()
    make_booking(make_session(course, capacity=1))
    first = app.test_client().get(f"/courses/{course.slug}")
    second = app.test_client().get(f"/courses/{course.slug}")
    assert 'name="csrf_token"' in first.get_data(as_text=True)
    assert "session=" in second.headers.get("Set-Cookie", "")
    assert first.get_data() != second.get_data()  # each its own token


def test_a_visitor_whose_session_has_a_token_does_not_pass_it_on(app, cache_seconds):
    # Their session already holds a CSRF token, so the form's token is drawn from it
    # without writing the session: the page still must not be kept for others.
    course = make_course()
    make_booking(make_session(course, capacity=1))  # nothing to book: the form shows
    first = app.test_client()
    first.get("/contact")  # a form page: the session now holds a token
    mine = first.get(f"/courses/{course.slug}")
    assert 'name="csrf_token"' in mine.get_data(as_text=True)
    theirs = app.test_client().get(f"/courses/{course.slug}")
    assert theirs.get_data() != mine.get_data()


def test_each_address_is_kept_apart_and_errors_are_not_kept(app, cache_seconds):
    make_course(title="Autism Awareness")
    make_course(title="First Aid at Work")
    visitor = app.test_client()
    autism = visitor.get("/courses?q=autism").get_data(as_text=True)
    first_aid = visitor.get("/courses?q=first+aid").get_data(as_text=True)
    assert "Autism Awareness" in autism and "First Aid at Work" not in autism
    assert "First Aid at Work" in first_aid and "Autism Awareness" not in first_aid
    assert visitor.get("/courses?month=not-a-month").status_code == 400
    assert visitor.get("/courses/no-such-course").status_code == 404
    make_course(slug="no-such-course")
    db.session.commit()
    assert visitor.get("/courses/no-such-course").status_code == 200
