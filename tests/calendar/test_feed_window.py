"""Every calendar feed covers a bounded window of dates, so it stays the same size
however many years of sessions the database holds."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bookings.calendar.ics import booking_uid
from bookings.calendar.queries import FEED_AHEAD, FEED_PAST, PERSONAL_PAST
from bookings.calendar.teaching import teaching_uid

from ..factories import make_booking, make_course, make_session, make_user
from ..ics_checks import events

MONTH = timedelta(days=30.44)


def _uids(body: bytes) -> set[str]:
    return {str(e["UID"]) for e in events(body)}


def _uid(session) -> str:
    return f"session-{session.id}@medwayvolunteers.org.uk"


def test_window_is_thirty_days_back_and_eighteen_months_ahead():
    assert timedelta(days=30) == FEED_PAST
    assert 17.9 * MONTH < FEED_AHEAD < 18.1 * MONTH


@pytest.fixture
def around():
    course = make_course(title="Living with ADHD", slug="living-with-adhd")
    starts = {
        "31 days ago": -timedelta(days=31),
        "29 days ago": -timedelta(days=29),
        "17 months ahead": 17 * MONTH,
        "19 months ahead": 19 * MONTH,
    }
    return {name: make_session(course, starts_in=delta) for name, delta in starts.items()}


@pytest.mark.parametrize("path", ["/calendar.ics", "/courses/living-with-adhd/calendar.ics"])
def test_public_feeds_cover_thirty_days_back_to_eighteen_months_ahead(client, around, path):
    response = client.get(path)
    assert response.status_code == 200
    assert _uids(response.data) == {
        _uid(around["29 days ago"]),
        _uid(around["17 months ahead"]),
    }


def test_personal_and_programme_feeds_cover_a_year_back_to_eighteen_months_ahead(client):
    assert timedelta(days=365) == PERSONAL_PAST
    learner = make_user(name="Zoë Learner")
    trainer = make_user("trainer", name="Tess Trainer")
    staff = make_user("staff")
    starts = {
        "13 months ago": -13 * MONTH,
        "11 months ago": -11 * MONTH,
        "17 months ahead": 17 * MONTH,
        "19 months ahead": 19 * MONTH,
    }
    sessions = {
        name: make_session(starts_in=delta, trainer=trainer) for name, delta in starts.items()
    }
    bookings = {name: make_booking(session, learner) for name, session in sessions.items()}
    kept = ("11 months ago", "17 months ahead")

    mine = client.get(f"/account/calendar/{learner.calendar_token}.ics")
    assert mine.status_code == 200
    assert _uids(mine.data) == {booking_uid(bookings[name]) for name in kept}

    teaching = client.get(f"/account/calendar/{trainer.calendar_token}.ics")
    assert teaching.status_code == 200
    assert _uids(teaching.data) == {teaching_uid(sessions[name], trainer.id) for name in kept}

    programme = client.get(f"/account/programme/{staff.staff_calendar_token}.ics")
    assert programme.status_code == 200
    assert _uids(programme.data) == {
        f"session-{sessions[name].id}-programme@medwayvolunteers.org.uk" for name in kept
    }
