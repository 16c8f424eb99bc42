"""What each email says."""

from __future__ import annotations

from datetime import UTC, datetime

from bookings.mail import messages

from ..factories import make_booking, make_course, make_session, make_user
from ..ics_checks import only_event

SUMMER = datetime(2030, 7, 18, 9, 0, tzinfo=UTC)


def _session(**fields):
    course = make_course(title="First Aid at Work", price_private_pence=9500)
    return make_session(course, starts_at=SUMMER, **fields)


def test_waiting_list_email_has_no_invitation_and_says_so():
    session = _session(capacity=0)
    booking = make_booking(session, status="waitlisted")
    email = messages.added_to_waiting_list(booking)
    assert email.ics is None and email.ics_method is None
    assert "no calendar invitation" in email.body_text
    assert "number 1 in line" in email.body_text
    assert "Thu 18 Jul 2030, 10:00 to 13:00" in email.body_text
    assert "leave the waiting list" in email.body_text
    assert email.subject == "On the waiting list: First Aid at Work"


def test_promotion_carries_a_request_with_the_session_revision():
    session = _session(revision=3)
    booking = make_booking(session)
    email = messages.promoted(booking)
    assert email.ics_method == "REQUEST"
    event = only_event(email.ics)
    assert event["SEQUENCE"] == 3
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "it is now yours" in email.body_text


def test_price_is_the_one_charged_at_booking():
    booking = make_booking(_session(), make_user(sector="private"))
    email = messages.booking_confirmed(booking)
    assert "£95.00" in email.body_text and "£95.00" in email.body_html


def test_free_course_says_free():
    course = make_course(price_voluntary_pence=0, price_private_pence=0)
    booking = make_booking(make_session(course, starts_at=SUMMER))
    assert "Price:     Free" in messages.booking_confirmed(booking).body_text


def test_reminder_gives_time_place_and_calendar_link():
    booking = make_booking(_session())
    email = messages.reminder(booking)
    assert email.kind == "reminder"
    assert email.ics is None
    assert "Thu 18 Jul 2030, 10:00 to 13:00" in email.body_text
    assert f"http://localhost/bookings/{booking.reference}.ics" in email.body_text
    assert "http://localhost/account/bookings" in email.body_text


def test_learner_text_in_html_is_escaped():
    learner = make_user(name="<b>Ann</b> & co")
    booking = make_booking(_session(), learner)
    email = messages.booking_confirmed(booking)
    assert "&lt;b&gt;Ann&lt;/b&gt; &amp; co" in email.body_html
    assert "<b>Ann</b> & co" in email.body_text


def test_password_reset_gives_the_link():
    user = make_user(name="Ann Smith")
    email = messages.password_reset(user, "http://localhost/auth/reset/abc")
    assert email.recipient == user.email
    assert "http://localhost/auth/reset/abc" in email.body_text
    assert 'href="http://localhost/auth/reset/abc"' in email.body_html
    assert "60 minutes" in email.body_text
