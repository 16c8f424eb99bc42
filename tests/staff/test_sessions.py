"""Staff add and edit sessions in UK time; reschedule and cancel tell everyone booked."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bookings.extensions import db
from bookings.models import OutboxMessage, Session

from ..conftest import post_form
from ..factories import make_booking, make_course, make_session, make_user
from .conftest import field_error


def session_count() -> int:
    return db.session.scalar(select(func.count(Session.id)))


@pytest.fixture
def good(course, trainer):
    return {
        "course_id": str(course.id),
        "day": "2030-07-01",
        "starts": "10:00",
        "ends": "13:30",
        "venue_name": "Community Hub",
        "venue_address": "1 High Street, Chatham",
        "online_url": "",
        "capacity": "12",
        "trainer_id": str(trainer.id),
        "deadline_day": "2030-06-28",
        "deadline_time": "17:00",
        "notes": "",
    }


def test_new_session_times_are_read_as_uk_time(as_staff, good, trainer):
    response = post_form(as_staff, "/staff/sessions/new", good)

    assert response.status_code == 303
    session = db.session.scalars(select(Session)).one()
    assert session.starts_at == datetime(2030, 7, 1, 9, 0, tzinfo=UTC)  # BST
    assert session.ends_at == datetime(2030, 7, 1, 12, 30, tzinfo=UTC)
    assert session.booking_deadline == datetime(2030, 6, 28, 16, 0, tzinfo=UTC)
    assert session.capacity == 12
    assert session.trainer_id == trainer.id


def test_winter_session_is_on_greenwich_time(as_staff, good):
    post_form(
        as_staff,
        "/staff/sessions/new",
        {**good, "day": "2030-01-15", "deadline_day": "", "deadline_time": ""},
    )
    session = db.session.scalars(select(Session)).one()
    assert session.starts_at == datetime(2030, 1, 15, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ends": "09:00"}, "ends", "after the start"),
        ({"capacity": "-1"}, "capacity", "from 0 to 10000"),
        ({"capacity": "lots"}, "capacity", "integer"),
        ({"day": "31/02/2030"}, "day", "date"),
        ({"day": ""}, "day", "Enter the date"),
        ({"day": "9999-12-31"}, "day", "between 2000 and 2099"),
        ({"deadline_day": "0001-01-01"}, "deadline_day", "between 2000 and 2099"),
        ({"venue_name": "", "online_url": ""}, "venue_name", "Give a venue"),
        ({"online_url": "not a link"}, "online_url", "full web address"),
        ({"course_id": "999"}, "course_id", "Not a valid choice"),
        ({"deadline_day": "2030-07-02"}, "deadline_day", "before the session starts"),
        ({"deadline_time": ""}, "deadline_time", "both a date and a time"),
    ],
)
def test_bad_session_input_is_refused_beside_the_field(as_staff, good, changes, field, message):
    response = post_form(as_staff, "/staff/sessions/new", {**good, **changes})

    assert response.status_code == 400
    assert message in field_error(response.get_data(as_text=True), field)
    assert session_count() == 0


def test_second_session_of_a_course_at_the_same_start_is_refused(as_staff, good):
    assert post_form(as_staff, "/staff/sessions/new", good).status_code == 303
    response = post_form(as_staff, "/staff/sessions/new", good)

    assert response.status_code == 400
    assert "already has a session" in field_error(response.get_data(as_text=True), "starts")
    assert session_count() == 1


def test_edit_changes_places_trainer_and_notes(as_staff, course, trainer, other_trainer):
    session = make_session(course, trainer=trainer, capacity=10)
    response = post_form(
        as_staff,
        f"/staff/sessions/{session.id}/edit",
        {"capacity": "20", "trainer_id": str(other_trainer.id), "notes": "Bring a laptop"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    saved = db.session.get(Session, session.id)
    assert (saved.capacity, saved.trainer_id, saved.notes) == (
        20,
        other_trainer.id,
        "Bring a laptop",
    )


def test_places_cannot_drop_below_those_already_booked(as_staff, course):
    session = make_session(course, capacity=5)
    for _ in range(3):
        make_booking(session)
    response = post_form(
        as_staff, f"/staff/sessions/{session.id}/edit", {"capacity": "2", "trainer_id": "0"}
    )
    assert response.status_code == 400
    assert "3 places are already booked" in field_error(response.get_data(as_text=True), "capacity")
    db.session.expire_all()
    assert db.session.get(Session, session.id).capacity == 5


def test_reschedule_form_is_filled_with_the_current_uk_time(as_staff, course):
    session = make_session(course, starts_at=datetime(2030, 7, 1, 9, 0, tzinfo=UTC))
    html = as_staff.get(f"/staff/sessions/{session.id}/reschedule").get_data(as_text=True)
    assert 'value="2030-07-01"' in html
    assert 'value="10:00"' in html


def test_reschedule_with_end_before_start_is_refused_and_changes_nothing(as_staff, course):
    session = make_session(course, starts_at=datetime(2030, 7, 1, 9, 0, tzinfo=UTC))
    response = post_form(
        as_staff,
        f"/staff/sessions/{session.id}/reschedule",
        {"day": "2030-07-08", "starts": "14:00", "ends": "13:00", "venue_name": "Hall"},
    )
    assert response.status_code == 400
    assert "after the start" in field_error(response.get_data(as_text=True), "ends")
    db.session.expire_all()
    assert db.session.get(Session, session.id).starts_at == datetime(2030, 7, 1, 9, 0, tzinfo=UTC)


def test_cancel_needs_the_confirmation_ticked(as_staff, course):
    session = make_session(course)
    response = post_form(as_staff, f"/staff/sessions/{session.id}/cancel", {"reason": "Ill"})
    assert response.status_code == 400
    assert "Tick the box" in field_error(response.get_data(as_text=True), "confirm")
    db.session.expire_all()
    assert db.session.get(Session, session.id).status == "scheduled"


def test_reschedule_from_staff_screen_sends_updates_with_higher_sequence(as_staff, course):
    session = make_session(course, starts_at=datetime(2030, 7, 1, 9, 0, tzinfo=UTC), capacity=2)
    booked = [make_booking(session, make_user()) for _ in range(2)]
    booked.append(make_booking(session, make_user(), status="waitlisted"))
    response = post_form(
        as_staff,
        f"/staff/sessions/{session.id}/reschedule",
        {
            "day": "2030-07-08",
            "starts": "14:00",
            "ends": "16:00",
            "venue_name": "Town Hall",
            "venue_address": "Rochester",
        },
    )
    assert response.status_code == 303
    db.session.expire_all()
    saved = db.session.get(Session, session.id)
    assert saved.starts_at == datetime(2030, 7, 8, 13, 0, tzinfo=UTC)
    assert saved.venue_name == "Town Hall"
    assert saved.revision == 1
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.booking_id.in_([b.id for b in booked]))
    ).all()
    assert {m.recipient for m in messages} == {b.learner.email for b in booked}
    for message in messages:
        assert message.ics_method == "REQUEST"
        assert "METHOD:REQUEST" in message.ics
        assert "SEQUENCE:1" in message.ics
        assert "DTSTART;TZID=Europe/London:20300708T140000" in message.ics


def test_cancelling_from_staff_screen_tells_everyone_booked_or_waiting(as_staff, course):
    session = make_session(course, capacity=1)
    confirmed = make_booking(session, make_user())
    waiting = make_booking(session, make_user(), status="waitlisted")
    response = post_form(
        as_staff,
        f"/staff/sessions/{session.id}/cancel",
        {"reason": "Trainer unwell", "confirm": "y"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Session, session.id).status == "cancelled"
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert {m.recipient for m in messages} == {confirmed.learner.email, waiting.learner.email}
    confirmed_message = next(m for m in messages if m.recipient == confirmed.learner.email)
    assert confirmed_message.ics_method == "CANCEL"
    assert "METHOD:CANCEL" in confirmed_message.ics
    assert "Trainer unwell" in confirmed_message.body_text


def test_more_places_go_to_the_waiting_list_in_order_with_emails(as_staff, course):
    from bookings.models import Booking

    session = make_session(course, capacity=1)
    make_booking(session)
    first = make_booking(session, status="waitlisted")
    second = make_booking(session, status="waitlisted")
    third = make_booking(session, status="waitlisted")

    response = post_form(
        as_staff, f"/staff/sessions/{session.id}/edit", {"capacity": "3", "trainer_id": "0"}
    )

    assert response.status_code == 303
    assert "2 learners on the waiting list" in as_staff.get("/staff/sessions").get_data(
        as_text=True
    )
    db.session.expire_all()
    statuses = {b.id: b.status for b in db.session.scalars(select(Booking))}
    assert statuses[first.id] == statuses[second.id] == "confirmed"
    assert statuses[third.id] == "waitlisted"
    assert db.session.get(Session, session.id).seats_taken == 3
    promoted = db.session.scalars(
        select(OutboxMessage.booking_id).where(OutboxMessage.kind == "promoted")
    ).all()
    assert sorted(promoted) == sorted([first.id, second.id])


@pytest.fixture
def two_courses(course):
    """A session of Living with ADHD and one of an unpublished Safeguarding Adults."""
    adhd = make_session(course, venue_name="ADHD hall")
    adults = make_session(
        make_course(title="Safeguarding Adults", published=False), venue_name="Adults hall"
    )
    return adhd, adults


def halls(html: str) -> set[str]:
    return {hall for hall in ("ADHD hall", "Adults hall") if hall in html}


def test_sessions_filter_by_words_of_the_course_title(as_staff, two_courses):
    adhd, adults = two_courses
    response = as_staff.get("/staff/sessions?course_q=adults")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert halls(html) == {"Adults hall"}
    assert 'value="Safeguarding Adults"' in html
    assert 'href="/staff/sessions">Any course</a>' in html


def test_sessions_course_link_filters_and_shows_the_title(as_staff, two_courses, course):
    html = as_staff.get(f"/staff/sessions?course={course.id}").get_data(as_text=True)
    assert halls(html) == {"ADHD hall"}
    assert 'value="Living with ADHD"' in html


def test_sessions_list_the_matching_courses_to_choose_from(as_staff, two_courses):
    make_course(title="Safeguarding Children")
    response = as_staff.get("/staff/sessions?course_q=safeguarding&show=past")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    links = re.findall(r'<li><a href="/staff/sessions\?course=\d+&amp;show=past">([^<]+)<', html)
    assert links == ["Safeguarding Adults", "Safeguarding Children"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("course_q=nothing+like+it", "No course matches &#39;nothing like it&#39;."),
        ("course=424242", "That course was not found: type words of its title."),
        ("course=garbage", "That course was not found: type words of its title."),
    ],
)
def test_sessions_course_filter_that_finds_no_course_is_refused(
    as_staff, two_courses, query, message
):
    response = as_staff.get(f"/staff/sessions?{query}")
    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True), "course_q") == message
