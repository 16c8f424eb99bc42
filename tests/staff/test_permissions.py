"""Who may open each trainer and staff page: visitor, learner, trainer, another trainer, staff."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import current_app

from bookings.extensions import db
from bookings.models import Brochure, NewsPost, OutboxMessage

from ..factories import make_booking, make_user
from .conftest import sign_in

OWN_SESSION = {"trainer": 200, "other_trainer": 403, "learner": 403, "staff": 200}
ANY_TRAINER = {"trainer": 200, "other_trainer": 200, "learner": 403, "staff": 200}
STAFF_ONLY = {"trainer": 403, "other_trainer": 403, "learner": 403, "staff": 200}
CERTIFICATE_OWNER = {"trainer": 403, "other_trainer": 403, "learner": 200, "staff": 200}


@pytest.fixture
def world(trainer, other_trainer, learner, staff, session_of, course):
    """One of everything each page needs, and the expected answer per role for each URL."""
    session = session_of(trainer, starts_in=timedelta(days=-3))
    booking = make_booking(session, learner, attended=True)
    upcoming = session_of(trainer, starts_in=timedelta(days=5))
    other_booking = make_booking(upcoming, make_user())
    news = NewsPost(title="Spring programme", body="New dates.")
    brochure = Brochure(sector="voluntary", stored_name="v.pdf", size_bytes=10)
    db.session.add_all([news, brochure])
    db.session.add(
        OutboxMessage(
            kind="test",
            message_id="<m1@example.org>",
            recipient="a@example.org",
            subject="Hello",
            body_text="Hi",
            status="failed",
            last_error="550 mailbox unavailable",
        )
    )
    db.session.commit()
    s, u = session.id, upcoming.id
    urls = {
        f"/trainer/sessions/{s}": OWN_SESSION,
        f"/trainer/sessions/{s}.csv": OWN_SESSION,
        f"/trainer/sessions/{s}/register": OWN_SESSION,
        f"/trainer/sessions/{s}/register?format=pdf": OWN_SESSION,
        f"/trainer/sessions/{s}/register.pdf": OWN_SESSION,
        "/trainer/sessions": ANY_TRAINER,
        f"/bookings/{booking.reference}/certificate.pdf": CERTIFICATE_OWNER,
        "/staff": STAFF_ONLY,
        "/staff/courses": STAFF_ONLY,
        "/staff/courses/new": STAFF_ONLY,
        f"/staff/courses/{course.id}/edit": STAFF_ONLY,
        "/staff/sessions": STAFF_ONLY,
        "/staff/sessions?show=past": STAFF_ONLY,
        "/staff/sessions/new": STAFF_ONLY,
        f"/staff/sessions/{u}/edit": STAFF_ONLY,
        f"/staff/sessions/{u}/reschedule": STAFF_ONLY,
        f"/staff/sessions/{u}/cancel": STAFF_ONLY,
        "/staff/bookings": STAFF_ONLY,
        "/staff/bookings/new": STAFF_ONLY,
        f"/staff/bookings/{other_booking.id}/cancel": STAFF_ONLY,
        f"/staff/bookings/{other_booking.id}/move": STAFF_ONLY,
        "/staff/users": STAFF_ONLY,
        f"/staff/users/{learner.id}": STAFF_ONLY,
        "/staff/news": STAFF_ONLY,
        "/staff/news/new": STAFF_ONLY,
        f"/staff/news/{news.id}/edit": STAFF_ONLY,
        f"/staff/news/{news.id}/delete": STAFF_ONLY,
        "/staff/outbox": STAFF_ONLY,
        "/staff/import": STAFF_ONLY,
        "/staff/exports": STAFF_ONLY,
        "/staff/exports?date_from=2020-01-01&date_to=2040-01-01&course=0": STAFF_ONLY,
        "/staff/brochures": STAFF_ONLY,
    }
    people = {
        "trainer": trainer,
        "other_trainer": other_trainer,
        "learner": learner,
        "staff": staff,
    }
    return urls, people, brochure


def test_matrix_covers_every_trainer_and_staff_page(app, world):
    urls, _, _ = world
    tested = {path.split("?")[0] for path in urls}
    adapter = app.url_map.bind("localhost")
    endpoints = {adapter.match(path)[0] for path in tested}
    pages = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and (rule.rule.startswith(("/staff", "/trainer")) or rule.endpoint == "trainer.certificate")
    }
    # The stored brochure file is checked on its own (the matrix's upload has no file).
    assert pages - endpoints == {"staff.brochure_file"}


@pytest.mark.parametrize("role", ["trainer", "other_trainer", "learner", "staff"])
def test_each_role_gets_what_it_should_from_every_page(client, world, role):
    urls, people, _ = world
    sign_in(client, people[role])
    answers = {path: client.get(path).status_code for path in urls}
    expected = {path: roles[role] for path, roles in urls.items()}
    assert answers == expected


def test_visitor_is_asked_to_sign_in_for_every_page(client, world):
    if "accounts.login" not in current_app.view_functions:
        pytest.skip("needs the sign-in page, accounts.login (merge)")
    urls, _, _ = world
    for path in urls:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/auth/login"), path


def test_stored_brochure_file_is_for_staff_only(client, world, staff, learner):
    _, _, brochure = world
    path = f"/staff/brochures/{brochure.id}.pdf"
    sign_in(client, learner)
    assert client.get(path).status_code == 403
    sign_in(client, staff)
    assert client.get(path).status_code == 404  # the matrix's record has no file behind it


def test_trainer_list_leaves_out_other_trainers_sessions(client, world, other_trainer):
    sign_in(client, other_trainer)
    html = client.get("/trainer/sessions").get_data(as_text=True)
    assert "Living with ADHD" not in html
    assert "No upcoming sessions" in html
