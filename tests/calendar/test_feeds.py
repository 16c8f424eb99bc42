"""Calendar feeds and booking files: what they hold, who may have them, cheap polling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from bookings.booking.schedule import cancel_session
from bookings.extensions import db

from ..conftest import login_as
from ..factories import make_booking, make_course, make_session, make_user
from ..ics_checks import (
    LONDON,
    assert_london_vtimezone,
    assert_readers_agree,
    events,
    next_date,
    read,
)

WINTER = next_date(1, 17, 10)  # 10:00 GMT, within the feeds' window
SUMMER = next_date(7, 18, 9)  # 10:00 BST, within the feeds' window


@pytest.fixture
def catalogue():
    adhd = make_course(title="Living with ADHD", slug="living-with-adhd")
    first_aid = make_course(title="First Aid at Work", slug="first-aid")
    hidden = make_course(title="Draft course", slug="draft", published=False)
    sessions = {
        "winter": make_session(adhd, starts_at=WINTER, capacity=10),
        "summer": make_session(adhd, starts_at=SUMMER, capacity=2),
        "first_aid": make_session(first_aid, starts_at=SUMMER + timedelta(days=1)),
        "past": make_session(adhd, starts_in=timedelta(days=-3)),
        "long_past": make_session(adhd, starts_in=timedelta(days=-45)),
        "cancelled": make_session(first_aid, starts_at=WINTER, status="cancelled"),
        "hidden": make_session(hidden, starts_at=WINTER),
    }
    make_booking(sessions["summer"])
    return sessions


def _uids(body: bytes) -> set[str]:
    return {str(e["UID"]) for e in events(body)}


def _uid(session) -> str:
    return f"session-{session.id}@medwayvolunteers.org.uk"


def test_public_feed_lists_the_sessions_of_published_courses_in_its_window(client, catalogue):
    response = client.get("/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.data
    assert str(read(body)["METHOD"]) == "PUBLISH"
    # A session that took place in the last 30 days stays; one 45 days ago has gone.
    assert _uids(body) == {
        _uid(catalogue["winter"]),
        _uid(catalogue["summer"]),
        _uid(catalogue["first_aid"]),
        _uid(catalogue["past"]),
    }
    assert_london_vtimezone(body)
    by_uid = {str(e["UID"]): e for e in events(body)}
    summer = by_uid[_uid(catalogue["summer"])]
    assert "1 place left" in str(summer["DESCRIPTION"])
    assert "10 places left" in str(by_uid[_uid(catalogue["winter"])]["DESCRIPTION"])
    assert str(summer["SUMMARY"]) == "Living with ADHD"
    past = str(by_uid[_uid(catalogue["past"])]["DESCRIPTION"])
    assert "left" not in past and "Book:" not in past
    assert "Other dates: http://localhost/courses/living-with-adhd" in past
    assert str(summer["URL"]) == "http://localhost/courses/living-with-adhd"
    assert summer["DTSTART"].params["TZID"] == "Europe/London"
    # GMT and BST sessions both read as 10:00 local in two independent readers.
    starts = assert_readers_agree(body)
    assert starts[_uid(catalogue["winter"])] == WINTER.astimezone(LONDON)
    assert starts[_uid(catalogue["winter"])].strftime("%H:%M %Z") == "10:00 GMT"
    assert starts[_uid(catalogue["summer"])].strftime("%H:%M %Z") == "10:00 BST"


def test_session_uid_stays_the_same_between_polls(client, catalogue):
    first = _uids(client.get("/calendar.ics").data)
    make_session(starts_at=SUMMER + timedelta(days=40))
    second = _uids(client.get("/calendar.ics").data)
    assert first < second


def test_course_feed_has_only_that_course(client, catalogue):
    response = client.get("/courses/living-with-adhd/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert _uids(response.data) == {
        _uid(catalogue["winter"]),
        _uid(catalogue["summer"]),
        _uid(catalogue["past"]),
    }
    assert_readers_agree(response.data)


def test_course_feed_of_unknown_or_unpublished_course_is_not_found(client, catalogue):
    assert client.get("/courses/no-such-course/calendar.ics").status_code == 404
    assert client.get("/courses/draft/calendar.ics").status_code == 404


def test_unchanged_feed_answers_304_to_etag_and_date(client, catalogue):
    first = client.get("/calendar.ics")
    etag = first.headers["ETag"]
    assert etag and first.headers["Last-Modified"]

    again = client.get("/calendar.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    since = client.get(
        "/calendar.ics", headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert since.status_code == 304

    # A booking changes the places left: the feed changes and says so.
    make_booking(catalogue["winter"])
    changed = client.get("/calendar.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert "9 places left" in changed.get_data(as_text=True)


def test_cancelled_session_leaves_feed_and_changes_last_modified(client, catalogue):
    first = client.get("/calendar.ics")
    cancel_session(catalogue["first_aid"].id)
    # Make sure the change lands in a later second than the first answer.
    catalogue["first_aid"].updated_at = datetime.now(UTC) + timedelta(seconds=2)
    db.session.commit()
    response = client.get(
        "/calendar.ics", headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert response.status_code == 200
    assert _uid(catalogue["first_aid"]) not in _uids(response.data)


def test_feed_queries_do_not_grow_with_sessions(client, app):
    def count_queries(path: str) -> int:
        statements = []

        def record(*args):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert client.get(path).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    course = make_course()
    make_session(course, starts_at=SUMMER)
    few = count_queries("/calendar.ics")
    for day in range(1, 25):
        make_session(make_course(), starts_at=SUMMER + timedelta(days=day))
    assert count_queries("/calendar.ics") == few


def test_private_feed_has_my_active_bookings(client, catalogue):
    learner = make_user(name="Ann Smith")
    mine = make_booking(catalogue["winter"], learner)
    waiting = make_booking(
        make_session(starts_at=SUMMER + timedelta(days=3), capacity=0),
        learner,
        status="waitlisted",
    )
    cancelled = make_booking(catalogue["first_aid"], learner)
    cancelled.status = "cancelled"
    db.session.commit()
    make_booking(catalogue["summer"])  # someone else's

    response = client.get(f"/account/calendar/{learner.calendar_token}.ics")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response.headers["Cache-Control"]
    body = response.data
    found = {str(e["UID"]): e for e in events(body)}
    assert set(found) == {
        f"booking-{mine.reference}@medwayvolunteers.org.uk",
        f"booking-{waiting.reference}@medwayvolunteers.org.uk",
    }
    assert str(found[f"booking-{waiting.reference}@medwayvolunteers.org.uk"]["STATUS"]) == (
        "TENTATIVE"
    )
    starts = assert_readers_agree(body)
    assert starts[f"booking-{mine.reference}@medwayvolunteers.org.uk"].strftime("%H:%M") == (
        "10:00"
    )
    etag = response.headers["ETag"]
    again = client.get(
        f"/account/calendar/{learner.calendar_token}.ics", headers={"If-None-Match": etag}
    )
    assert again.status_code == 304


def test_private_feed_with_unknown_token_is_not_found(client, catalogue):
    make_user()
    assert client.get("/account/calendar/not-a-real-token.ics").status_code == 404


@pytest.mark.parametrize(("starts_at", "local"), [(WINTER, "10:00 GMT"), (SUMMER, "10:00 BST")])
def test_owner_downloads_booking_file(client, starts_at, local):
    learner = make_user(name="Ann Smith")
    booking = make_booking(make_session(starts_at=starts_at), learner)
    login_as(client, learner)

    response = client.get(f"/bookings/{booking.reference}.ics")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    cal = read(response.data)
    (vevent,) = cal.walk("VEVENT")
    assert str(vevent["UID"]) == f"booking-{booking.reference}@medwayvolunteers.org.uk"
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert str(vevent["ATTENDEE"]) == f"mailto:{learner.email}"
    assert_london_vtimezone(response.data)
    starts = assert_readers_agree(response.data)
    assert starts[str(vevent["UID"])].strftime("%H:%M %Z") == local


def test_trainer_of_the_session_and_staff_may_download_a_booking_file(client):
    trainer = make_user("trainer")
    staff = make_user("staff")
    booking = make_booking(make_session(trainer=trainer))
    for user in (trainer, staff):
        login_as(client, user)
        assert client.get(f"/bookings/{booking.reference}.ics").status_code == 200


def test_others_cannot_download_a_booking_file(client):
    other_trainer = make_user("trainer")
    booking = make_booking(make_session(trainer=make_user("trainer")))
    for user in (make_user(), other_trainer):
        login_as(client, user)
        assert client.get(f"/bookings/{booking.reference}.ics").status_code == 404
    login_as(client, make_user())
    assert client.get("/bookings/MVN-NOSUCH.ics").status_code == 404


def test_visitor_is_asked_to_sign_in_for_a_booking_file(client):
    booking = make_booking(make_session())
    response = client.get(f"/bookings/{booking.reference}.ics")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")
    assert booking.reference in response.headers["Location"]


def test_cancelled_booking_file_says_cancelled(client):
    learner = make_user()
    session = make_session(starts_at=SUMMER)
    booking = make_booking(session, learner)
    booking.status = "cancelled"
    session.seats_taken = 0
    db.session.commit()
    login_as(client, learner)
    (vevent,) = read(client.get(f"/bookings/{booking.reference}.ics").data).walk("VEVENT")
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert vevent["SEQUENCE"] == 1


def test_feed_follows_a_reschedule_and_a_course_edit(client, catalogue):
    from bookings.booking.schedule import reschedule_session

    client.get("/calendar.ics")
    session = catalogue["winter"]
    moved = WINTER + timedelta(days=1, hours=2)
    reschedule_session(
        session.id,
        starts_at=moved,
        ends_at=moved + timedelta(hours=3),
        venue_name="Town Hall",
        venue_address="",
        online_url="",
    )
    session.course.title = "Living well with ADHD"
    db.session.commit()

    body = client.get("/calendar.ics").data
    event = {str(e["UID"]): e for e in events(body)}[_uid(session)]
    assert event.decoded("DTSTART") == moved
    assert event["SEQUENCE"] == 1
    assert str(event["LOCATION"]) == "Town Hall"
    assert str(event["SUMMARY"]) == "Living well with ADHD"
