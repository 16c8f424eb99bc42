"""Who may open each trainer and staff page: visitor, learner, trainer, another trainer, staff."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import current_app
from sqlalchemy import func, select

from bookings.extensions import db
from bookings.models import (
    Brochure,
    CreditNote,
    Enquiry,
    FeedbackResponse,
    Invoice,
    NewsPost,
    OutboxMessage,
)
from bookings.payments import service as payments

from ..conftest import csrf_token, login_as
from ..factories import make_booking, make_user
from ..two_factor_helpers import turn_on

OWN_SESSION = {"trainer": 200, "other_trainer": 403, "learner": 403, "staff": 200}
ANY_TRAINER = {"trainer": 200, "other_trainer": 200, "learner": 403, "staff": 200}
STAFF_ONLY = {"trainer": 403, "other_trainer": 403, "learner": 403, "staff": 200}
# Anyone else gets "not found": a reference that is not yours is as good as unknown.
CERTIFICATE_OWNER = {"trainer": 404, "other_trainer": 404, "learner": 200, "staff": 200}


@pytest.fixture
def world(trainer, other_trainer, learner, staff, session_of, course):
    """One of everything each page needs, and the expected answer per role for each URL."""
    session = session_of(trainer, starts_in=timedelta(days=-3))
    booking = make_booking(session, learner, attended=True)
    upcoming = session_of(trainer, starts_in=timedelta(days=5))
    other_booking = make_booking(upcoming, make_user())
    # A place invoiced, then cancelled late so a charge is left to waive.
    invoice = payments.invoice_places([other_booking])
    other_booking.status = "cancelled"
    news = NewsPost(title="Spring programme", body="New dates.")
    brochure = Brochure(sector="voluntary", stored_name="v.pdf", size_bytes=10)
    enquiry = Enquiry(name="Ann", email="ann@example.org", subject="Dates?", message="When?")
    db.session.add_all([news, brochure, enquiry])
    db.session.add(
        FeedbackResponse(
            booking_id=booking.id,
            rating=4,
            confidence_before=2,
            confidence_after=4,
            do_differently="Ask before assuming.",
            recommend=True,
            quote_permitted=True,
        )
    )
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
        "/staff/invoices": STAFF_ONLY,
        "/staff/invoices?show=overdue": STAFF_ONLY,
        "/staff/invoices?format=xero": STAFF_ONLY,
        "/staff/invoices.csv": STAFF_ONLY,
        f"/staff/invoices/{invoice.number}": STAFF_ONLY,
        f"/staff/bookings/{other_booking.id}": STAFF_ONLY,
        f"/staff/sessions/{u}": STAFF_ONLY,
        "/staff/audit": STAFF_ONLY,
        "/staff/audit?who=sam&action=course.edited&date_from=2020-01-01": STAFF_ONLY,
        "/staff/audit.csv": STAFF_ONLY,
        f"/trainer/sessions/{s}/feedback": OWN_SESSION,
        f"/staff/sessions/{s}/outcomes": STAFF_ONLY,
        "/staff/feedback": STAFF_ONLY,
        f"/staff/feedback/courses/{course.id}": STAFF_ONLY,
        "/staff/reports": STAFF_ONLY,
        "/staff/reports?from=2020-01-01&to=2029-12-31": STAFF_ONLY,
        "/staff/reports.pdf": STAFF_ONLY,
        "/staff/reports.csv": STAFF_ONLY,
        "/staff/enquiries": STAFF_ONLY,
        "/staff/enquiries?show=spam": STAFF_ONLY,
        f"/staff/enquiries/{enquiry.id}": STAFF_ONLY,
        "/staff/interest": STAFF_ONLY,
        "/staff/interest.csv": STAFF_ONLY,
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
    login_as(client, people[role])
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
    login_as(client, learner)
    assert client.get(path).status_code == 403
    login_as(client, staff)
    assert client.get(path).status_code == 404  # the matrix's record has no file behind it


def test_trainer_list_leaves_out_other_trainers_sessions(client, world, other_trainer):
    login_as(client, other_trainer)
    html = client.get("/trainer/sessions").get_data(as_text=True)
    assert "Living with ADHD" not in html
    assert "No upcoming sessions" in html


def post_answers(client, people, role, posts) -> dict[str, int]:
    """What each change-making URL answers role, posting a valid CSRF token."""
    if role == "visitor":
        token = csrf_token(client, "/auth/login")
    else:
        login_as(client, people[role])
        token = csrf_token(client, "/account")
    return {path: client.post(path, data={"csrf_token": token}).status_code for path in posts}


@pytest.fixture
def posts(world, learner, course):
    """Every change-making trainer and staff URL, and who may use it."""
    urls, _, brochure = world
    session = next(int(p.split("/")[3]) for p in urls if p.startswith("/trainer/sessions/"))
    upcoming = next(int(p.split("/")[3]) for p in urls if p.endswith("/reschedule"))
    booking = next(int(p.split("/")[3]) for p in urls if p.endswith("/move"))
    news = next(int(p.split("/")[3]) for p in urls if p.endswith("/delete"))
    message = db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.kind == "test"))
    invoice = db.session.scalars(select(Invoice)).one()
    message = db.session.scalar(select(OutboxMessage.id))
    enquiry = db.session.scalar(select(Enquiry.id))
    staff_only = {
        "/staff/courses/new",
        f"/staff/courses/{course.id}/edit",
        f"/staff/courses/{course.id}/publish",
        "/staff/sessions/new",
        f"/staff/sessions/{upcoming}/edit",
        f"/staff/sessions/{upcoming}/reschedule",
        f"/staff/sessions/{upcoming}/cancel",
        "/staff/bookings/new",
        f"/staff/bookings/{booking}/cancel",
        f"/staff/bookings/{booking}/move",
        f"/staff/users/{learner.id}/role",
        f"/staff/users/{learner.id}/active",
        "/staff/news/new",
        f"/staff/news/{news}/edit",
        f"/staff/news/{news}/delete",
        f"/staff/outbox/{message}/retry",
        "/staff/outbox/retry-all",
        "/staff/import",
        "/staff/brochures",
        f"/staff/brochures/{brochure.id}/withdraw",
        f"/staff/invoices/{invoice.number}/paid",
        f"/staff/invoices/{invoice.number}/reminder",
        f"/staff/invoices/{invoice.number}/lines/{invoice.lines[0].id}/waive",
        f"/staff/sessions/{session}/outcomes",
        f"/staff/feedback/responses/{db.session.scalar(select(FeedbackResponse.id))}/quote",
        "/staff/brochures/introductions",
        *(f"/staff/enquiries/{enquiry}/{action}" for action in ("answered", "spam")),
    }
    return staff_only, f"/trainer/sessions/{session}/attendance"


def test_post_matrix_covers_every_change_making_trainer_and_staff_url(app, posts):
    staff_only, attendance = posts
    adapter = app.url_map.bind("localhost")
    tested = {adapter.match(path, method="POST")[0] for path in (*staff_only, attendance)}
    changes = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and rule.rule.startswith(("/staff", "/trainer"))
    }
    assert changes == tested


@pytest.mark.parametrize("role", ["learner", "trainer", "other_trainer"])
def test_only_staff_may_post_to_staff_urls_and_nothing_changes(client, world, posts, role):
    _, people, _ = world
    staff_only, attendance = posts
    before = snapshot()

    answers = post_answers(client, people, role, [*staff_only, attendance])

    expected = {path: 403 for path in staff_only}
    # Only the session's own trainer may take its register.
    expected[attendance] = 303 if role == "trainer" else 403
    assert answers == expected
    db.session.expire_all()
    assert snapshot() == before


def test_visitor_posting_is_asked_to_sign_in(client, world, posts):
    _, people, _ = world
    staff_only, attendance = posts
    answers = post_answers(client, people, "visitor", [*staff_only, attendance])
    assert set(answers.values()) == {302}


def test_staff_posts_without_a_csrf_token_change_nothing(client, world, posts, staff):
    staff_only, _ = posts
    login_as(client, staff)
    before = snapshot()
    for path in staff_only:
        assert client.post(path, data={}).status_code in (303, 400), path
    db.session.expire_all()
    assert snapshot() == before


def snapshot() -> tuple:
    """Everything a stray POST could change."""
    from bookings.models import Booking, BrochureIntroduction, Course, Session, User

    return (
        [(c.id, c.title, c.published) for c in db.session.scalars(select(Course))],
        [
            (s.id, s.status, s.capacity, s.revision, s.trainer_id)
            for s in db.session.scalars(select(Session))
        ],
        [(b.id, b.status, b.session_id, b.attended) for b in db.session.scalars(select(Booking))],
        [(u.id, u.role, u.active) for u in db.session.scalars(select(User))],
        [(n.id, n.title) for n in db.session.scalars(select(NewsPost))],
        [(m.id, m.status) for m in db.session.scalars(select(OutboxMessage))],
        [(b.id, b.withdrawn) for b in db.session.scalars(select(Brochure))],
        [
            (i.id, i.status, i.paid_on, i.reminder_sent_at, i.credited_pence)
            for i in db.session.scalars(select(Invoice))
        ],
        db.session.scalar(select(func.count()).select_from(CreditNote)),
        [(b.id, b.outcome) for b in db.session.scalars(select(Booking))],
        [(r.id, r.quote_shown) for r in db.session.scalars(select(FeedbackResponse))],
        [(i.sector, i.text) for i in db.session.scalars(select(BrochureIntroduction))],
        [(e.id, e.status) for e in db.session.scalars(select(Enquiry))],
    )


# Two-factor sign-in required by role (REQUIRE_2FA_ROLES)


@pytest.fixture
def require_two_factor(app):
    """Run with the roles that must use two-factor sign-in set as given (restored after)."""
    saved = app.config["REQUIRE_2FA_ROLES"]

    def require(roles):
        app.config["REQUIRE_2FA_ROLES"] = tuple(roles)

    yield require
    app.config["REQUIRE_2FA_ROLES"] = saved


def in_their_area(path: str) -> bool:
    return path.startswith(("/staff", "/trainer"))


def test_production_requires_two_factor_of_staff_and_development_of_nobody():
    import config

    assert config.ProductionConfig.REQUIRE_2FA_ROLES == ("staff",)
    assert config.DevelopmentConfig.REQUIRE_2FA_ROLES == ()
    assert config.TestConfig.REQUIRE_2FA_ROLES == ()


def test_in_production_staff_without_two_factor_are_sent_to_set_up_from_every_page(
    client, world, require_two_factor
):
    import config

    require_two_factor(config.ProductionConfig.REQUIRE_2FA_ROLES)
    urls, people, _ = world
    login_as(client, people["staff"])

    answers = {path: client.get(path) for path in urls}

    for path, response in answers.items():
        if in_their_area(path):
            assert response.status_code == 302, path
            where = urlsplit(response.headers["Location"])
            assert where.path == "/account/two-factor", path
            assert parse_qs(where.query)["next"] == [path]
        else:  # a learner's own pages are not the staff area
            assert response.status_code == 200, path
    set_up = client.get("/account/two-factor")
    assert set_up.status_code == 200
    assert "Your role needs two-factor sign-in" in set_up.get_data(as_text=True)


def test_in_production_staff_with_two_factor_get_every_page(client, world, require_two_factor):
    import config

    require_two_factor(config.ProductionConfig.REQUIRE_2FA_ROLES)
    urls, people, _ = world
    turn_on(people["staff"])
    login_as(client, people["staff"])
    answers = {path: client.get(path).status_code for path in urls}
    assert answers == {path: roles["staff"] for path, roles in urls.items()}


def test_in_production_trainers_and_learners_are_not_asked_for_two_factor(
    client, world, require_two_factor
):
    import config

    require_two_factor(config.ProductionConfig.REQUIRE_2FA_ROLES)
    urls, people, _ = world
    for role in ("trainer", "learner"):
        login_as(client, people[role])
        answers = {path: client.get(path).status_code for path in urls}
        assert answers == {path: roles[role] for path, roles in urls.items()}, role


def test_when_trainers_must_use_it_too_their_pages_send_them_to_set_up(
    client, world, require_two_factor
):
    require_two_factor(["staff", "trainer"])
    urls, people, _ = world
    login_as(client, people["trainer"])
    for path, roles in urls.items():
        response = client.get(path)
        if roles["trainer"] == 200 and in_their_area(path):
            assert response.status_code == 302, path
            assert response.headers["Location"].startswith("/account/two-factor?next="), path
        else:  # the others still get their refusal, and a certificate is not their area
            assert response.status_code == roles["trainer"], path


def test_in_production_staff_without_two_factor_cannot_post_changes(
    client, world, posts, require_two_factor
):
    import config

    require_two_factor(config.ProductionConfig.REQUIRE_2FA_ROLES)
    _, people, _ = world
    staff_only, attendance = posts
    before = snapshot()

    answers = post_answers(client, people, "staff", [*staff_only, attendance])

    assert set(answers.values()) == {302}
    db.session.expire_all()
    assert snapshot() == before
