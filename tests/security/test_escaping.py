"""Text people type reaches pages, emails and spreadsheets as text, never as markup or formulas."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import select

from bookings.booking import service as booking_service
from bookings.extensions import db
from bookings.models import NewsPost, OutboxMessage, utcnow

from ..conftest import login_as, post_form
from ..factories import PASSWORD, make_booking, make_course, make_session, make_user
from .conftest import XSS


def assert_inert(html: str) -> None:
    assert "<script>" not in html
    assert "onerror=" not in html.replace("onerror=alert(1)&gt;", "")
    assert "<img" not in html


def test_course_text_and_markdown_are_sanitised(client):
    course = make_course(
        title=f"Title {XSS}",
        summary=f"Summary {XSS}",
    )
    course.description = (
        f"Intro {XSS}\n\n[click](javascript:alert(1)) "
        '<a href="javascript:alert(2)" onclick="x()">a</a> <iframe src="https://x"></iframe>'
        '\n\n<p style="color:red" onmouseover="alert(3)">styled</p>'
    )
    course.audience = XSS
    course.outcomes = XSS
    course.category = f"Cat{XSS}"
    db.session.commit()
    make_session(course)
    for path in ("/", "/courses", f"/courses/{course.slug}", "/courses?q=Title"):
        html = client.get(path).get_data(as_text=True)
        assert_inert(html)
        assert "javascript:" not in html
        assert "<iframe" not in html and "onclick" not in html and "onmouseover" not in html
        assert 'style="' not in html
    html = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert "&lt;script&gt;" in html  # shown as text


def test_news_body_markdown_is_sanitised(client):
    db.session.add(
        NewsPost(
            title=f"News {XSS}",
            body=f"Body {XSS} [x](javascript:alert(1)) <svg onload=alert(1)>",
            published_at=utcnow() - timedelta(hours=1),
            published=True,
        )
    )
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "News &lt;script&gt;" in html
    assert_inert(html)
    assert "javascript:" not in html and "<svg" not in html


def test_search_query_is_echoed_as_text(client):
    html = client.get("/courses", query_string={"q": f'"><{XSS}'}).get_data(as_text=True)
    assert_inert(html)
    assert '"><<script>' not in html
    assert "&#34;&gt;&lt;&lt;script&gt;" in html  # kept in the search box, as text


def test_names_organisations_and_needs_are_text_everywhere(client):
    staff = make_user("staff")
    trainer = make_user("trainer")
    learner = make_user(name=f"Eve {XSS}", organisation=f"Org {XSS}", email="eve@example.org")
    session = make_session(trainer=trainer)
    booking = make_booking(session, learner, access_needs=f"Needs {XSS}", dietary_needs=XSS)
    # Flash message naming the person at sign-in.
    response = post_form(
        client,
        "/auth/login",
        {"email": learner.email, "password": PASSWORD},
        follow_redirects=True,
    )
    assert "Signed in as Eve &lt;script&gt;" in response.get_data(as_text=True)
    assert_inert(response.get_data(as_text=True))
    for path in ("/account", "/account/bookings", f"/bookings/{booking.reference}"):
        assert_inert(client.get(path).get_data(as_text=True))
    login_as(client, trainer)
    assert_inert(client.get(f"/trainer/sessions/{session.id}").get_data(as_text=True))
    assert_inert(client.get(f"/trainer/sessions/{session.id}/register").get_data(as_text=True))
    login_as(client, staff)
    for path in (
        "/staff/users",
        f"/staff/users/{learner.id}",
        "/staff/bookings",
        f"/staff/bookings/{booking.id}/cancel",
        f"/staff/bookings/{booking.id}/move",
    ):
        assert_inert(client.get(path).get_data(as_text=True))


def test_html_emails_escape_what_people_typed():
    learner = make_user(name=f"Eve {XSS}")
    course = make_course(title=f"Course {XSS}")
    session = make_session(course)
    booking_service.book(
        session.id, learner, booking_service.Needs(access=f"Ramp {XSS}", dietary="", consent=True)
    )
    db.session.commit()
    emails = {m.kind: m for m in db.session.scalars(select(OutboxMessage))}
    # The confirmation, and the invoice for the priced place: both name the course and learner.
    assert set(emails) == {"booking_confirmed", "invoice_issued"}
    for message in emails.values():
        assert "Eve &lt;script&gt;" in message.body_html
        assert_inert(message.body_html)
    assert "Ramp &lt;script&gt;" in emails["booking_confirmed"].body_html


def read_csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def test_spreadsheets_never_start_a_typed_cell_with_a_formula(client):
    staff = make_user("staff")
    session = make_session(trainer=staff, starts_in=timedelta(days=3))
    for formula in FORMULAS:
        learner = make_user(name=formula, organisation=formula)
        make_booking(session, learner, access_needs=formula, dietary_needs=formula)
    login_as(client, staff)
    trainer_csv = client.get(f"/trainer/sessions/{session.id}.csv")
    today = utcnow().date()
    export = client.get(
        "/staff/exports",
        query_string={
            "date_from": today.isoformat(),
            "date_to": (today + timedelta(days=10)).isoformat(),
            "course": "0",
        },
    )
    for response in (trainer_csv, export):
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].startswith("attachment")
        cells = [c for row in read_csv(response.data)[1:] for c in row]
        assert cells
        for cell in cells:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
        assert '\'=HYPERLINK("http://x")' in cells
