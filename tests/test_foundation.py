"""The app starts, its database answers, and the schema guards the invariants."""

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import TooManyRequests

from bookings.extensions import db
from bookings.models import Session

from .conftest import login_as, post_form
from .factories import make_booking, make_course, make_session, make_user


def test_healthz_answers_when_database_is_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_unknown_page_gets_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_course_slug_is_unique():
    make_course(slug="first-aid")
    with pytest.raises(IntegrityError):
        make_course(slug="first-aid")
    db.session.rollback()


def test_email_is_unique_regardless_of_case():
    make_user(email="Ann@Example.org")
    with pytest.raises(IntegrityError):
        make_user(email="ann@example.ORG")
    db.session.rollback()


def test_session_must_end_after_it_starts():
    start = datetime.now(UTC) + timedelta(days=3)
    with pytest.raises(IntegrityError):
        make_session(starts_at=start, ends_at=start - timedelta(hours=1))
    db.session.rollback()


def test_capacity_cannot_be_negative():
    with pytest.raises(IntegrityError):
        make_session(capacity=-1)
    db.session.rollback()


def test_seats_taken_cannot_exceed_capacity():
    session = make_session(capacity=1)
    session.seats_taken = 2
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_one_active_booking_per_learner_per_session():
    session = make_session()
    learner = make_user()
    first = make_booking(session, learner)
    with pytest.raises(IntegrityError):
        make_booking(session, learner)
    db.session.rollback()
    first = db.session.get(type(first), first.id)
    first.status = "cancelled"
    first.session.seats_taken -= 1
    db.session.commit()
    make_booking(db.session.get(Session, session.id), learner)


def test_instants_come_back_as_aware_utc():
    start = datetime(2027, 7, 1, 9, 0, tzinfo=UTC)
    session = make_session(starts_at=start)
    db.session.expire_all()
    loaded = db.session.get(Session, session.id)
    assert loaded.starts_at == start
    assert loaded.starts_at.tzinfo is not None


# Page structure ------------------------------------------------------------


class PageOutline(HTMLParser):
    """What a page offers assistive technology: title, headings, labels and fields."""

    def __init__(self):
        super().__init__()
        self.title = ""
        self.h1 = 0
        self.labels: dict[str, str] = {}
        self.fields: list[str] = []
        self.landmarks: set[str] = set()
        self._label_for = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("header", "nav", "main", "footer"):
            self.landmarks.add(tag)
        if tag == "h1":
            self.h1 += 1
        if tag == "label":
            self._label_for = attrs.get("for", "")
            self.labels[self._label_for] = ""
        if tag in ("input", "select", "textarea") and attrs.get("type") not in (
            "hidden",
            "submit",
        ):
            self.fields.append(attrs.get("id", ""))

    def handle_endtag(self, tag):
        if tag == "label":
            self._label_for = None

    def handle_data(self, data):
        if self._label_for is not None:
            self.labels[self._label_for] += data


def outline(response) -> PageOutline:
    html = response.get_data(as_text=True)
    parser = PageOutline()
    parser.feed(html)
    # The title element holds text only; browsers show any markup in it as typed.
    parser.title = re.search(r"<title>(.*?)</title>", html, re.DOTALL).group(1)
    return parser


def test_public_and_learner_pages_have_one_h1_a_plain_title_and_labelled_fields(client):
    course = make_course(slug="first-aid", title="First Aid")
    session = make_session(course)
    learner = make_user()
    booking = make_booking(session=session, learner=learner)
    visitor_pages = ["/", "/courses", "/courses?month=2037-13", "/courses/first-aid"]
    visitor_pages += ["/brochures", "/auth/register", "/auth/login", "/auth/reset", "/nope"]
    other = make_session(course, starts_in=timedelta(days=20))
    learner_pages = [f"/sessions/{other.id}/book", "/account/bookings"]
    learner_pages += ["/account", "/account/erase", f"/bookings/{booking.reference}"]
    learner_pages += [f"/bookings/{booking.reference}/cancel", "/staff"]
    for path in visitor_pages + ["login"] + learner_pages:
        if path == "login":
            login_as(client, learner)
            continue
        page = outline(client.get(path))
        assert page.h1 == 1, path
        assert "<" not in page.title and page.title.endswith("Medway Volunteer Network"), path
        assert page.landmarks == {"header", "nav", "main", "footer"}, path
        for field_id in page.fields:
            assert page.labels.get(field_id, "").strip(), f"{path}: #{field_id} has no label"


def test_required_marker_is_part_of_the_fields_label(client):
    page = outline(client.get("/auth/register"))
    assert page.labels["name"].split() == ["Full", "name", "(required)"]
    assert "(required)" not in page.labels["organisation"]


def test_huge_ids_in_urls_are_not_found_rather_than_a_server_error(client):
    login_as(client, make_user("staff"))
    for path in ("/sessions/99999999999999999999/book", "/trainer/sessions/99999999999999999999"):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/sessions/{2**31 - 1}/book").status_code == 404


def test_form_sent_without_its_security_token_gets_a_plain_explanation(client):
    response = client.post("/auth/login", data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Your form expired" in page and "reload the page" in page
    assert "CSRF" not in page


def test_too_many_attempts_page_says_to_wait(app):
    with app.test_request_context("/auth/login", method="POST"):
        response = app.make_response(app.handle_user_exception(TooManyRequests()))
    assert response.status_code == 429
    assert "Please wait a few minutes" in response.get_data(as_text=True)


def test_waiting_learner_is_offered_to_leave_the_list_not_cancel_a_booking(client):
    session = make_session(capacity=0)
    booking = make_booking(session, status="waitlisted")
    login_as(client, booking.learner)
    confirmation = client.get(f"/bookings/{booking.reference}").get_data(as_text=True)
    assert "Leave the waiting list</a>" in confirmation
    page = client.get(f"/bookings/{booking.reference}/cancel").get_data(as_text=True)
    assert "<h1>Leave the waiting list?</h1>" in page
    assert "Leave the waiting list</button>" in page and "Cancel booking" not in page


def test_unexpected_error_gets_a_friendly_page_or_json_under_the_api(app):
    with app.test_request_context("/courses"):
        response = app.make_response(app.handle_user_exception(RuntimeError("boom")))
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Sorry, something went wrong" in page and "boom" not in page
    with app.test_request_context("/api/v1/courses"):
        response = app.make_response(app.handle_user_exception(RuntimeError("boom")))
    assert response.status_code == 500 and response.json["error"] == "Internal Server Error"


def test_unticked_required_box_is_marked_invalid_and_points_at_its_error(client):
    login_as(client, make_user())
    session = make_session()
    response = post_form(client, f"/sessions/{session.id}/book", {"access_needs": ""})
    assert response.status_code == 400
    box = re.search(r"<input[^>]*id=\"consent\"[^>]*>", response.get_data(as_text=True)).group(0)
    assert 'aria-invalid="true"' in box and "consent-error" in box
