"""Booking a place through the form: prices, rules, waiting list, confirmation page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bookings.booking import service
from bookings.booking.service import Needs
from bookings.errors import AlreadyBooked, BookingClosed, NoSuchRecord
from bookings.extensions import db
from bookings.models import REFERENCE_ALPHABET, Booking, Session, User

from ..conftest import login_as
from ..factories import make_booking, make_course, make_session, make_user
from .conftest import book_via_form, booking_count, outbox_kinds

REFERENCE_RE = re.compile(rf"^MVN-[{REFERENCE_ALPHABET}]{{6}}$")


def only_booking() -> Booking:
    return db.session.scalars(select(Booking)).one()


def test_visitor_is_asked_to_sign_in_first(client):
    session = make_session()
    response = client.get(f"/sessions/{session.id}/book")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/auth/login?next=%2Fsessions%2F{session.id}%2Fbook"
    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"/auth/register?next=/sessions/{session.id}/book" in login_page


def test_booking_form_shows_course_date_venue_and_the_learners_price(client):
    course = make_course(
        title="Living with ADHD", price_voluntary_pence=2500, price_private_pence=4500
    )
    start = datetime(2030, 10, 3, 9, 0, tzinfo=UTC)  # 10:00 in London (BST)
    session = make_session(course, starts_at=start, venue_name="Pentagon Centre")
    login_as(client, make_user(sector="private"))
    html = client.get(f"/sessions/{session.id}/book").get_data(as_text=True)
    assert "Living with ADHD" in html
    assert "Thu 3 Oct 2030, 10:00 to 13:00" in html
    assert "Pentagon Centre" in html
    assert "£45.00" in html and "£25.00" not in html
    assert "Book a place" in html
    assert "Keep my details for this course" in html


def test_booking_confirms_a_place_at_the_sector_price(client):
    course = make_course(price_voluntary_pence=2500, price_private_pence=4500)
    session = make_session(course, capacity=3)
    learner = make_user(sector="private", organisation="Acme Ltd")
    login_as(client, learner)
    response = book_via_form(
        client, session.id, {"access_needs": "Step-free access", "dietary_needs": "Vegan"}
    )
    booking = only_booking()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/bookings/{booking.reference}"
    assert REFERENCE_RE.match(booking.reference)
    assert booking.status == "confirmed" and booking.waiting_position is None
    assert (booking.sector, booking.organisation, booking.price_pence) == (
        "private",
        "Acme Ltd",
        4500,
    )
    assert (booking.access_needs, booking.dietary_needs, booking.consent) == (
        "Step-free access",
        "Vegan",
        True,
    )
    assert booking.confirmed_at is not None
    assert db.session.get(Session, session.id).seats_taken == 1
    assert outbox_kinds(booking.id) == ["booking_confirmed"]

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert booking.reference in page
    assert "Confirmed" in page
    assert f"/bookings/{booking.reference}.ics" in page
    assert "/account/bookings" in page


def test_price_charged_stays_what_it_was_at_booking_time(client):
    course = make_course(price_voluntary_pence=2500)
    session = make_session(course)
    login_as(client, make_user(sector="voluntary"))
    book_via_form(client, session.id)
    course.price_voluntary_pence = 9900
    db.session.commit()
    assert only_booking().price_pence == 2500


def test_full_session_offers_the_waiting_list_and_stores_the_position(client):
    session = make_session(capacity=1)
    make_booking(session)
    learner = make_user()
    login_as(client, learner)
    html = client.get(f"/sessions/{session.id}/book").get_data(as_text=True)
    assert "Join the waiting list" in html and "Book a place</button>" not in html
    response = book_via_form(client, session.id)
    booking = db.session.scalar(select(Booking).where(Booking.learner_id == learner.id))
    assert booking.status == "waitlisted" and booking.waiting_position == 1
    assert db.session.get(Session, session.id).seats_taken == 1
    assert outbox_kinds(booking.id) == ["waitlisted"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You are number 1 on the waiting list" in page


def test_second_booking_shows_the_existing_one(client):
    session = make_session()
    learner = make_user()
    login_as(client, learner)
    book_via_form(client, session.id)
    existing = only_booking()
    for response in (
        client.get(f"/sessions/{session.id}/book"),
        book_via_form(client, session.id, form_page="/account"),
    ):
        assert response.status_code == 302
        assert response.headers["Location"] == f"/bookings/{existing.reference}"
    assert booking_count() == 1
    assert db.session.get(Session, session.id).seats_taken == 1


def test_booking_twice_raises_already_booked_with_the_existing_booking():
    session = make_session()
    learner = make_user()
    first = service.book(session.id, learner, Needs(consent=True))
    db.session.commit()
    with pytest.raises(AlreadyBooked) as caught:
        service.book(session.id, learner, Needs(consent=True))
    assert caught.value.booking.id == first.id


def test_learner_may_book_again_after_cancelling():
    session = make_session()
    learner = make_user()
    first = service.book(session.id, learner, Needs(consent=True))
    db.session.commit()
    service.cancel(first.id, learner)
    db.session.commit()
    again = service.book(session.id, learner, Needs(consent=True))
    db.session.commit()
    assert again.status == "confirmed" and again.id != first.id


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"booking_deadline": datetime.now(UTC) - timedelta(hours=1)}, "Booking has closed"),
        ({"starts_at": datetime.now(UTC) - timedelta(minutes=30)}, "Booking has closed"),
        ({"status": "cancelled"}, "cancelled"),
        (
            # Moved to an earlier start than the deadline set before, and under way.
            {
                "starts_at": datetime.now(UTC) - timedelta(minutes=30),
                "booking_deadline": datetime.now(UTC) + timedelta(days=1),
            },
            "Booking has closed",
        ),
    ],
    ids=["deadline-passed", "started", "session-cancelled", "started-before-deadline"],
)
def test_closed_sessions_cannot_be_booked(client, fields, message):
    session = make_session(**fields)
    learner = make_user()
    login_as(client, learner)
    page = client.get(f"/sessions/{session.id}/book")
    assert message in page.get_data(as_text=True)
    assert "Book a place</button>" not in page.get_data(as_text=True)
    response = book_via_form(client, session.id, form_page="/account")
    assert response.status_code == 409
    assert message in response.get_data(as_text=True)
    assert booking_count() == 0
    with pytest.raises(BookingClosed):
        service.book(session.id, learner, Needs(consent=True))
    db.session.rollback()
    assert db.session.get(Session, session.id).seats_taken == 0


def test_staff_may_book_someone_after_the_deadline_until_the_start():
    session = make_session(booking_deadline=datetime.now(UTC) - timedelta(hours=1))
    booking = service.book(session.id, make_user(), Needs(), booked_by=make_user("staff"))
    db.session.commit()
    assert booking.status == "confirmed"


def test_unpublished_course_cannot_be_booked(client):
    session = make_session(make_course(published=False))
    learner = make_user()
    login_as(client, learner)
    assert client.get(f"/sessions/{session.id}/book").status_code == 404
    with pytest.raises(NoSuchRecord):
        service.book(session.id, learner, Needs())
    assert client.get("/sessions/9999/book").status_code == 404


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"consent": ""}, "consent", "Tick the box"),
        ({"access_needs": "x" * 2_000_000}, "access_needs", "1000 characters or fewer"),
        ({"dietary_needs": "y" * 1001}, "dietary_needs", "1000 characters or fewer"),
    ],
)
def test_bad_booking_form_gets_a_message_beside_the_field_and_saves_nothing(
    client, data, field, message
):
    session = make_session()
    login_as(client, make_user())
    response = book_via_form(client, session.id, data)
    assert response.status_code == 400
    error = re.search(rf'id="{field}-error">([^<]*)<', response.get_data(as_text=True))
    assert error and message in error.group(1)
    assert booking_count() == 0
    assert outbox_kinds() == []
    assert db.session.get(Session, session.id).seats_taken == 0


def test_booking_without_csrf_token_is_refused(client):
    session = make_session()
    login_as(client, make_user())
    response = client.post(f"/sessions/{session.id}/book", data={"consent": "y"})
    assert response.status_code == 400
    assert booking_count() == 0


def test_learner_without_a_sector_chooses_one_when_booking(client):
    course = make_course(price_voluntary_pence=2500, price_private_pence=4500)
    session = make_session(course)
    learner = make_user(sector=None)
    login_as(client, learner)
    assert "Which sector do you work in?" in client.get(f"/sessions/{session.id}/book").get_data(
        as_text=True
    )
    bad = book_via_form(client, session.id, {"sector": "public"})
    assert bad.status_code == 400 and booking_count() == 0
    book_via_form(client, session.id, {"sector": "private"})
    assert only_booking().price_pence == 4500
    assert db.session.get(User, learner.id).sector == "private"


def test_confirmation_page_is_for_the_owner_and_staff_only(client):
    booking = make_booking(make_session())
    login_as(client, make_user())
    assert client.get(f"/bookings/{booking.reference}").status_code == 404
    login_as(client, make_user("staff"))
    assert client.get(f"/bookings/{booking.reference}").status_code == 200
    login_as(client, booking.learner)
    assert client.get(f"/bookings/{booking.reference}").status_code == 200


def test_reference_uses_the_organisations_initials(app):
    old = app.config["ORG_NAME"]
    app.config["ORG_NAME"] = "Kent Community Action"
    try:
        booking = service.book(make_session().id, make_user(), Needs())
    finally:
        app.config["ORG_NAME"] = old
    assert booking.reference.startswith("KCA-")


def test_many_double_submits_leave_one_booking(concurrent_app):
    from .conftest import run_in_threads

    session_id = make_session(capacity=5).id
    learner_id = make_user().id

    def submit():
        me = db.session.get(User, learner_id)
        try:
            booking = service.book(session_id, me, Needs(consent=True))
            db.session.commit()
            return booking.id
        except AlreadyBooked as exc:
            db.session.rollback()
            return exc.booking.id

    results, errors = run_in_threads(concurrent_app, submit, [()] * 12)
    assert errors == []
    assert len(set(results)) == 1
    db.session.expire_all()
    assert booking_count() == 1
    assert db.session.get(Session, session_id).seats_taken == 1
