"""The team booking and substitute pages: what an organiser sees and sends."""

from __future__ import annotations

from sqlalchemy import select

from bookings.extensions import db
from bookings.models import Booking, OutboxMessage, User

from ..conftest import login_as, post_form
from ..factories import make_course, make_session, make_user
from .conftest import booking_count


def team_form(*people, with_organiser=False, **extra) -> dict:
    data = {"consent": "y", **extra}
    if with_organiser:
        data["with_organiser"] = "y"
    for index, (name, email) in enumerate(people):
        data[f"attendees-{index}-name"] = name
        data[f"attendees-{index}-email"] = email
    return data


def post_team(client, session, data):
    path = f"/sessions/{session.id}/book/team"
    return post_form(client, path, data, form_page=path)


def free_session(**fields):
    return make_session(make_course(price_voluntary_pence=0, price_private_pence=0), **fields)


def test_the_booking_page_offers_a_team_booking_with_rows_for_people(client):
    session = free_session()
    login_as(client, make_user())
    assert "Book places for a team" in client.get(f"/sessions/{session.id}/book").text
    page = client.get(f"/sessions/{session.id}/book/team").text
    assert 'id="attendees-2-email"' in page and "I am coming too" in page
    more = post_team(client, session, {**team_form(("A", "a@example.org")), "add_row": "1"})
    assert more.status_code == 200 and 'id="attendees-3-email"' in more.text
    assert 'value="a@example.org"' in more.text
    assert booking_count() == 0


def test_an_organiser_books_for_themselves_and_two_colleagues(client):
    session = free_session(capacity=10)
    organiser = make_user(name="Volunteer Manager")
    login_as(client, organiser)
    response = post_team(
        client,
        session,
        team_form(
            ("Sam Lee", "sam@example.org"), ("Priya Shah", "priya@example.org"), with_organiser=True
        ),
    )
    assert response.status_code == 302
    rows = db.session.scalars(select(Booking).order_by(Booking.id)).all()
    assert [b.learner.email for b in rows] == [
        organiser.email,
        "sam@example.org",
        "priya@example.org",
    ]
    assert all(b.has_place and b.booked_by_id == organiser.id for b in rows)
    kinds = db.session.scalars(select(OutboxMessage.kind)).all()
    assert kinds.count("booking_confirmed") == 3 and kinds.count("team_booked") == 1
    mine = client.get("/account/bookings").text
    assert "Booked by me" in mine and "Sam Lee" in mine and "Priya Shah" in mine
    assert "Send someone else instead of Sam Lee" in mine


def test_too_few_places_are_said_before_confirming_then_the_rest_wait_in_order(client):
    session = free_session(capacity=2)
    login_as(client, make_user())
    people = [
        ("One", "one@example.org"),
        ("Two", "two@example.org"),
        ("Three", "three@example.org"),
    ]
    first = post_team(client, session, team_form(*people))
    assert first.status_code == 409 and "Not enough places for everyone" in first.text
    assert booking_count() == 0
    second = post_team(client, session, team_form(*people, confirm_waiting="y"))
    assert second.status_code == 302
    rows = db.session.scalars(select(Booking).order_by(Booking.id)).all()
    assert [(b.learner.email, b.status, b.waiting_position) for b in rows] == [
        ("one@example.org", "confirmed", None),
        ("two@example.org", "confirmed", None),
        ("three@example.org", "waitlisted", 1),
    ]


def test_the_same_email_twice_is_refused_beside_the_second_row(client):
    session = free_session()
    login_as(client, make_user())
    response = post_team(client, session, team_form(("A", "a@example.org"), ("B", "A@example.org")))
    assert response.status_code == 400
    assert 'id="attendees-1-email-error"' in response.text
    assert "given twice" in response.text
    assert booking_count() == 0


def test_someone_already_booked_is_refused_beside_their_row(client):
    session = free_session()
    booked = make_user(email="booked@example.org")
    login_as(client, booked)
    post_form(client, f"/sessions/{session.id}/book", {"consent": "y"})
    assert booking_count() == 1
    login_as(client, make_user())
    response = post_team(
        client, session, team_form(("New", "new@example.org"), ("Booked", "booked@example.org"))
    )
    assert response.status_code == 400
    assert 'id="attendees-1-email-error"' in response.text
    assert booking_count() == 1
    assert db.session.scalar(select(User).where(User.email == "new@example.org")) is None


def test_two_hundred_attendees_in_one_request_are_refused(client):
    session = free_session(capacity=500)
    login_as(client, make_user())
    people = [(f"P{n}", f"p{n}@example.org") for n in range(200)]
    response = post_team(client, session, team_form(*people))
    assert response.status_code == 400
    assert "at most 20 people" in response.text
    assert booking_count() == 0


def test_a_missing_email_is_a_message_beside_the_field(client):
    session = free_session()
    login_as(client, make_user())
    response = post_team(client, session, team_form(("No Address", "")))
    assert response.status_code == 400 and 'id="attendees-0-email-error"' in response.text
    assert booking_count() == 0


def test_the_organiser_sends_a_substitute_from_the_page(client):
    session = free_session(capacity=5)
    organiser = make_user()
    login_as(client, organiser)
    post_team(client, session, team_form(("Sam", "sam@example.org")))
    booking = db.session.scalars(select(Booking)).one()
    path = f"/bookings/{booking.reference}/substitute"
    assert "Send this person instead" in client.get(path).text
    response = post_form(client, path, {"name": "Priya", "email": "priya@example.org"})
    assert response.status_code == 302
    db.session.expire_all()
    moved = db.session.get(Booking, booking.id)
    assert moved.learner.email == "priya@example.org" and moved.reference == booking.reference
    kinds = db.session.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id)).all()
    assert kinds[-2:] == ["substituted_out", "substituted_in"]


def test_a_substitute_already_booked_is_refused_beside_the_email(client):
    session = free_session(capacity=5)
    organiser = make_user()
    login_as(client, organiser)
    post_team(client, session, team_form(("Sam", "sam@example.org"), ("Kim", "kim@example.org")))
    sam = db.session.scalars(select(Booking).order_by(Booking.id)).first()
    path = f"/bookings/{sam.reference}/substitute"
    response = post_form(client, path, {"name": "Kim", "email": "kim@example.org"})
    assert response.status_code == 400 and 'id="email-error"' in response.text
    db.session.expire_all()
    assert db.session.get(Booking, sam.id).learner.email == "sam@example.org"


def test_a_stranger_cannot_open_someone_elses_substitute_page(client):
    session = free_session(capacity=5)
    login_as(client, make_user())
    post_team(client, session, team_form(("Sam", "sam@example.org")))
    booking = db.session.scalars(select(Booking)).one()
    login_as(client, make_user())
    assert client.get(f"/bookings/{booking.reference}/substitute").status_code == 404


def test_staff_book_a_team_on_an_organisers_behalf(client):
    session = free_session(capacity=5)
    organiser = make_user(email="manager@example.org", organisation="Age UK")
    login_as(client, make_user("staff"))
    response = post_team(
        client,
        session,
        team_form(("Sam", "sam@example.org"), organiser_email="manager@example.org"),
    )
    assert response.status_code == 302
    booking = db.session.scalars(select(Booking)).one()
    assert booking.booked_by_id == organiser.id and booking.organisation == "Age UK"
