"""Learners can download what we hold about them and close their account."""

import json
from datetime import timedelta

from sqlalchemy import select

from bookings.booking import service
from bookings.booking.service import Needs
from bookings.extensions import db
from bookings.models import Booking, OutboxMessage, User

from ..conftest import login_as, post_form
from ..factories import PASSWORD, make_booking, make_course, make_session, make_user


def test_export_holds_profile_and_every_booking(client):
    learner = make_user(name="Ann Example", organisation="Carers Trust")
    booking = make_booking(
        make_session(make_course(title="Living with ADHD")), learner, access_needs="Step-free"
    )
    login_as(client, learner)

    response = client.get("/account/export")

    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["account"]["name"] == "Ann Example"
    assert data["account"]["email"] == learner.email
    assert data["bookings"][0]["reference"] == booking.reference
    assert data["bookings"][0]["course"] == "Living with ADHD"
    assert data["emails"] == []
    assert data["bookings"][0]["access_needs"] == "Step-free"


def test_export_needs_sign_in(client):
    response = client.get("/account/export")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_closing_account_cancels_upcoming_places_promotes_waiter_and_erases_details(client):
    learner = make_user(name="Ann Example", email="ann@example.org")
    session = make_session(capacity=1)
    upcoming = make_booking(session, learner, dietary_needs="Vegan")
    waiter = make_booking(session, status="waitlisted")
    past = make_booking(make_session(starts_in=timedelta(days=-10)), learner, attended=True)
    login_as(client, learner)

    response = post_form(client, "/account/erase", {"password": PASSWORD, "understood": "y"})

    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, learner.id)
    assert user.name == "Erased account"
    assert "ann@example.org" not in user.email
    assert not user.active and user.password_hash is None
    assert db.session.get(Booking, upcoming.id).status == "cancelled"
    assert db.session.get(Booking, waiter.id).status == "confirmed"
    kept = db.session.get(Booking, past.id)
    assert kept.status == "confirmed" and kept.attended is True
    assert all(b.dietary_needs == "" for b in db.session.scalars(select(Booking)))
    cancellation = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "booking_cancelled")
    ).one()
    assert cancellation.recipient == "ann@example.org"
    assert client.get("/account").status_code == 302


def test_closing_account_needs_the_right_password_and_changes_nothing_otherwise(client):
    learner = make_user(name="Ann Example")
    booking = make_booking(make_session(), learner)
    login_as(client, learner)

    response = post_form(client, "/account/erase", {"password": "wrong", "understood": "y"})

    assert response.status_code == 400
    assert "That password is not right." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, learner.id).name == "Ann Example"
    assert db.session.get(Booking, booking.id).status == "confirmed"


def test_staff_account_is_not_closed_from_the_account_page(client):
    staff = make_user("staff", name="Sue Staff")
    login_as(client, staff)

    post_form(client, "/account/erase", {"password": PASSWORD, "understood": "y"})

    db.session.expire_all()
    assert db.session.get(User, staff.id).name == "Sue Staff"


def test_trainer_with_upcoming_sessions_is_asked_to_hand_them_over_first(client):
    trainer = make_user("trainer", name="Tom Trainer")
    session = make_session(trainer=trainer)
    make_session(trainer=trainer, starts_in=timedelta(days=-10))  # past: no matter
    login_as(client, trainer)

    response = post_form(client, "/account/erase", {"password": PASSWORD, "understood": "y"})

    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "trainer for 1 upcoming session." in page
    db.session.expire_all()
    assert db.session.get(User, trainer.id).name == "Tom Trainer"
    assert db.session.get(User, trainer.id).active

    session.trainer = None
    db.session.commit()
    post_form(client, "/account/erase", {"password": PASSWORD, "understood": "y"})
    db.session.expire_all()
    assert db.session.get(User, trainer.id).name == "Erased account"


def test_export_lists_the_emails_we_keep(client):
    learner = make_user()
    booking = service.book(
        make_session(make_course(title="First Aid", price_voluntary_pence=0)).id,
        learner,
        Needs(consent=True),
    )
    db.session.commit()
    login_as(client, learner)

    data = json.loads(client.get("/account/export").data)

    (email,) = data["emails"]
    assert email["subject"] == "Booking confirmed: First Aid"
    assert email["to"] == learner.email and email["status"] == "pending"
    assert booking.reference in {b["reference"] for b in data["bookings"]}
