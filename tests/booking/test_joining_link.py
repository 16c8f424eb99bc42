"""The online joining link goes only to learners with a confirmed place (and to the
trainer and staff): never to the booking form, the waiting list or the public feeds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bookings.booking import service
from bookings.booking.schedule import reschedule_session
from bookings.calendar import ics
from bookings.extensions import db
from bookings.models import Booking, OutboxMessage

from ..conftest import login_as
from ..factories import make_booking, make_course, make_session, make_user
from ..ics_checks import events
from .conftest import book_via_form

LINK = "https://meet.example.org/adhd-secret-room"


@pytest.fixture
def online():
    course = make_course(title="Living with ADHD", slug="living-with-adhd")
    return make_session(course, capacity=1, venue_name="", venue_address="", online_url=LINK)


def _emails(booking: Booking) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.booking_id == booking.id)
            .order_by(OutboxMessage.id)
        )
    )


def _only_booking(learner) -> Booking:
    return db.session.scalar(select(Booking).where(Booking.learner_id == learner.id))


def test_booking_form_does_not_show_the_link_before_booking(client, online):
    login_as(client, make_user())
    html = client.get(f"/sessions/{online.id}/book").get_data(as_text=True)
    assert LINK not in html
    assert "joining link is sent when your place is confirmed" in html


def test_trainer_and_staff_see_the_link_on_the_booking_form(client, online):
    trainer = make_user("trainer")
    online.trainer = trainer
    db.session.commit()
    for person in (trainer, make_user("staff")):
        login_as(client, person)
        assert LINK in client.get(f"/sessions/{online.id}/book").get_data(as_text=True)


def test_waiting_learner_gets_no_link_by_page_email_or_calendar(client, online):
    make_booking(online)
    learner = make_user()
    login_as(client, learner)
    response = book_via_form(client, online.id)
    booking = _only_booking(learner)
    assert booking.status == "waitlisted"

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert LINK not in page and "joining link is sent when your place is confirmed" in page
    assert LINK not in client.get("/account/bookings").get_data(as_text=True)
    assert LINK not in client.get(f"/bookings/{booking.reference}/cancel").get_data(as_text=True)

    (email,) = _emails(booking)
    assert email.kind == "waitlisted"
    assert LINK not in email.body_text and LINK not in email.body_html
    assert "joining link is sent when your place is confirmed" in email.body_text

    assert LINK not in client.get(f"/bookings/{booking.reference}.ics").get_data(as_text=True)
    feed = client.get(f"/account/calendar/{learner.calendar_token}.ics")
    assert feed.status_code == 200 and LINK not in feed.get_data(as_text=True)
    assert LINK not in client.get("/account/export").get_data(as_text=True)


def test_confirmed_learner_keeps_the_link_everywhere(client, online):
    learner = make_user()
    login_as(client, learner)
    response = book_via_form(client, online.id)
    booking = _only_booking(learner)
    assert booking.status == "confirmed"

    assert LINK in client.get(response.headers["Location"]).get_data(as_text=True)
    assert LINK in client.get("/account/bookings").get_data(as_text=True)
    (email,) = _emails(booking)
    assert LINK in email.body_text and LINK in email.body_html and LINK in email.ics
    (event,) = events(client.get(f"/bookings/{booking.reference}.ics").data)
    assert str(event["LOCATION"]) == LINK
    feed = client.get(f"/account/calendar/{learner.calendar_token}.ics").get_data(as_text=True)
    assert LINK in feed


def test_promoted_learner_is_sent_the_link(online):
    first = make_booking(online)
    waiting = make_booking(online, status="waitlisted")
    assert LINK not in ics.invitation(waiting)
    service.cancel(first.id, first.learner)
    db.session.commit()
    promoted = _emails(waiting)[-1]
    assert promoted.kind == "promoted"
    assert LINK in promoted.body_text and LINK in promoted.ics


def test_public_feeds_and_api_do_not_publish_the_link(client, online):
    for path in ("/calendar.ics", "/courses/living-with-adhd/calendar.ics"):
        body = client.get(path).data
        (event,) = events(body)
        assert LINK not in body.decode()
        assert str(event["LOCATION"]).startswith("Online")
    for path in ("/api/v1/sessions", "/api/v1/courses", "/courses/living-with-adhd", "/"):
        assert LINK not in client.get(path).get_data(as_text=True)


def test_reschedule_tells_waiting_learners_without_the_link(online):
    confirmed = make_booking(online)
    waiting = make_booking(online, status="waitlisted")
    new_start = online.starts_at + timedelta(days=1)
    reschedule_session(
        online.id,
        starts_at=new_start,
        ends_at=new_start + timedelta(hours=3),
        venue_name="",
        venue_address="",
        online_url=LINK + "-new",
    )
    db.session.commit()
    told_waiting = _emails(waiting)[-1]
    assert told_waiting.kind == "session_rescheduled"
    assert LINK not in told_waiting.body_text + told_waiting.body_html + told_waiting.ics
    told_confirmed = _emails(confirmed)[-1]
    assert LINK + "-new" in told_confirmed.body_text and LINK in told_confirmed.body_text


def test_confirmed_learner_gets_the_joining_link_as_a_link(client, online):
    learner = make_user()
    login_as(client, learner)
    response = book_via_form(client, online.id)
    link = f'<a href="{LINK}">{LINK}</a>'
    assert link in client.get(response.headers["Location"]).get_data(as_text=True)
    assert link in client.get("/account/bookings").get_data(as_text=True)


def test_cancelled_online_booking_just_says_online(client, online):
    booking = make_booking(online)
    service.cancel(booking.id, booking.learner)
    db.session.commit()
    email = _emails(booking)[-1]
    assert email.kind == "booking_cancelled"
    assert "Where:     Online\n" in email.body_text
    assert "when your place is confirmed" not in email.body_text + email.body_html
    login_as(client, booking.learner)
    cancelled = client.get("/account/bookings").get_data(as_text=True).split('id="cancelled"')[1]
    assert "Online" in cancelled and "when your place is confirmed" not in cancelled
