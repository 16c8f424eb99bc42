"""A trainer's private feed holds what they booked and what they teach."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import vobject
from sqlalchemy import update

from bookings.booking.schedule import cancel_session, set_trainer
from bookings.extensions import db
from bookings.models import OutboxMessage

from ..factories import make_booking, make_course, make_session, make_user
from ..ics_checks import assert_london_vtimezone, assert_readers_agree, events, next_date

WINTER = next_date(1, 17, 10)  # 10:00 GMT, within the feeds' window
SUMMER = next_date(7, 18, 9)  # 10:00 BST, within the feeds' window
DOMAIN = "medwayvolunteers.org.uk"


@pytest.fixture
def tess():
    return make_user("trainer", name="Tess Trainer", email="tess@example.org")


@pytest.fixture
def timetable(tess):
    """Tess teaches two sessions (one nearly full, with a waiting list), books a third,
    and had a fourth, now cancelled; someone else teaches a fifth."""
    adhd = make_course(title="Living with ADHD", slug="living-with-adhd")
    first_aid = make_course(title="First Aid at Work", slug="first-aid")
    taught = make_session(adhd, starts_at=WINTER, capacity=3, trainer=tess)
    make_booking(taught)
    make_booking(taught)
    make_booking(taught, status="waitlisted")
    online = make_session(
        adhd,
        starts_at=SUMMER,
        capacity=10,
        trainer=tess,
        venue_name="",
        online_url="https://meet.example/x",
    )
    booked = make_booking(make_session(first_aid, starts_at=SUMMER + timedelta(days=2)), tess)
    gone = make_session(first_aid, starts_at=SUMMER + timedelta(days=9), trainer=tess)
    cancel_session(gone.id)
    db.session.commit()
    others = make_session(first_aid, starts_at=WINTER, trainer=make_user("trainer"))
    return {"taught": taught, "online": online, "booked": booked, "gone": gone, "others": others}


def _feed(client, user, **headers):
    return client.get(f"/account/calendar/{user.calendar_token}.ics", headers=headers)


def _teaching_uid(session, trainer) -> str:
    return f"session-{session.id}-trainer-{trainer.id}-{session.trainer_changes}@{DOMAIN}"


def test_trainers_feed_holds_their_bookings_and_their_teaching(client, tess, timetable):
    response = _feed(client, tess)

    assert response.status_code == 200
    assert "private" in response.headers["Cache-Control"]
    body = response.data
    found = {str(e["UID"]): e for e in events(body)}
    taught_uid = _teaching_uid(timetable["taught"], tess)
    online_uid = _teaching_uid(timetable["online"], tess)
    booking_uid = f"booking-{timetable['booked'].reference}@{DOMAIN}"
    assert set(found) == {taught_uid, online_uid, booking_uid}

    taught = found[taught_uid]
    assert str(taught["SUMMARY"]) == "Teaching: Living with ADHD"
    assert [str(c) for c in taught["CATEGORIES"].cats] == ["Teaching"]
    description = str(taught["DESCRIPTION"])
    assert "Booked: 2 of 3 places, 1 waiting" in description
    register = f"http://localhost/trainer/sessions/{timetable['taught'].id}/register"
    assert f"Register: {register}" in description
    assert str(taught["ATTENDEE"].params["ROLE"]) == "CHAIR"
    # The trainer is given the joining link of an online session.
    online = found[online_uid]
    assert "Booked: 0 of 10 places" in str(online["DESCRIPTION"])
    assert str(online["LOCATION"]) == "Online: https://meet.example/x"
    # What Tess booked as a learner is there as before, not marked as teaching.
    assert str(found[booking_uid]["SUMMARY"]) == "First Aid at Work"

    assert_london_vtimezone(body)
    starts = assert_readers_agree(body)
    assert starts[taught_uid].strftime("%H:%M %Z") == "10:00 GMT"
    assert starts[online_uid].strftime("%H:%M %Z") == "10:00 BST"
    calendar = vobject.readOne(body.decode())
    by_uid = {e.uid.value: e for e in calendar.vevent_list}
    assert "Booked: 2 of 3 places, 1 waiting" in by_uid[taught_uid].description.value


def test_teaching_in_the_feed_has_the_uid_of_the_trainers_invitation(client, tess):
    session = make_session(starts_at=SUMMER)
    set_trainer(session.id, tess.id)
    db.session.commit()
    invitation = db.session.query(OutboxMessage).one()
    (event,) = events(_feed(client, tess).data)
    assert str(event["UID"]) == str(events(invitation.ics)[0]["UID"])


def test_learners_feed_has_no_teaching(client, timetable):
    learner = make_user()
    make_booking(timetable["taught"], learner, status="waitlisted")
    summaries = [str(e["SUMMARY"]) for e in events(_feed(client, learner).data)]
    assert summaries == ["Waiting list: Living with ADHD"]


def test_trainers_feed_answers_304_until_a_booking_changes_the_count(client, tess, timetable):
    first = _feed(client, tess)
    etag = first.headers["ETag"]
    assert etag and first.headers["Last-Modified"]
    again = _feed(client, tess, **{"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""

    make_booking(timetable["taught"])
    changed = _feed(client, tess, **{"If-None-Match": etag})
    assert changed.status_code == 200
    descriptions = [str(e["DESCRIPTION"]) for e in events(changed.data)]
    assert any("Booked: 3 of 3 places, 1 waiting" in d for d in descriptions)


def test_a_session_taken_from_the_trainer_leaves_the_feed_and_moves_last_modified(
    client, tess, timetable
):
    first = _feed(client, tess)
    set_trainer(timetable["taught"].id, None)
    db.session.commit()
    # The change lands in a later second than the first answer, as it would in use.
    later = datetime.now(UTC) + timedelta(seconds=2)
    db.session.execute(update(OutboxMessage).values(created_at=later))
    db.session.commit()

    response = _feed(client, tess, **{"If-Modified-Since": first.headers["Last-Modified"]})
    assert response.status_code == 200
    assert _teaching_uid(timetable["taught"], tess) not in response.get_data(as_text=True)
