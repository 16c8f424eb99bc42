"""Staff pages: addresses built from the query string, links staff type in."""

from __future__ import annotations

import pytest

from ..conftest import login_as, post_form
from ..factories import make_booking, make_course, make_session


@pytest.fixture
def many_users(staff):
    """55 learners (more than a page), without passwords to keep this quick."""
    from bookings.extensions import db
    from bookings.models import User

    people = [User(email=f"person{n:02d}@example.org", name=f"Person {n:02d}") for n in range(55)]
    db.session.add_all(people)
    db.session.commit()
    return people


@pytest.mark.parametrize("path", ["/staff/users", "/staff/bookings"])
def test_page_links_keep_only_the_filters_not_url_for_options(client, staff, many_users, path):
    if path == "/staff/bookings":
        session = make_session(capacity=60)
        for n, person in enumerate(many_users):
            make_booking(session, person, commit=n == 54)
    login_as(client, staff)
    crafted = f"{path}?q=e&_external=1&_anchor=%250aalert(1)&_method=POST&endpoint=x&extra=1"
    response = client.get(crafted)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'rel="next" href="{path}?' in html  # a relative link, as normal
    assert "alert" not in html and "http://" not in html.split('rel="next"')[1][:80]
    assert "extra=1" not in html
    assert "q=e" in html.split('rel="next"')[1][:80]


def session_form(course_id: int, online_url: str) -> dict:
    return {
        "course_id": str(course_id),
        "day": "2031-03-14",
        "starts": "10:00",
        "ends": "13:00",
        "venue_name": "",
        "venue_address": "",
        "online_url": online_url,
        "capacity": "12",
        "trainer_id": "0",
    }


@pytest.mark.parametrize(
    "link",
    [
        "javascript://example.org/%0aalert(1)",
        "JavaScript://example.org/%0aalert(1)",
        "data://example.org/text/html,hi",
        "ftp://example.org/file",
    ],
)
def test_online_joining_link_must_be_a_web_address(client, staff, link):
    course = make_course()
    login_as(client, staff)
    response = post_form(client, "/staff/sessions/new", session_form(course.id, link))
    assert response.status_code == 400
    assert "starting with https://" in response.get_data(as_text=True)
    assert not course.sessions


def test_online_joining_link_takes_https(client, staff):
    course = make_course()
    login_as(client, staff)
    response = post_form(
        client, "/staff/sessions/new", session_form(course.id, "https://meet.example.org/abc")
    )
    assert response.status_code == 303
    assert course.sessions[0].online_url == "https://meet.example.org/abc"
