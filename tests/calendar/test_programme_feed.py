"""The staff feed of the whole programme: what it holds, who may have it, cheap polling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import vobject
from sqlalchemy import event as sql_event

from bookings.booking import service as booking_service
from bookings.booking.schedule import cancel_session
from bookings.extensions import db
from bookings.models import User

from ..conftest import login_as, post_form
from ..factories import make_booking, make_course, make_session, make_user
from ..ics_checks import (
    LONDON,
    assert_london_vtimezone,
    assert_readers_agree,
    events,
    next_date,
    read,
)

SUMMER = next_date(7, 18, 9)  # 10:00 BST, within the feeds' window
DOMAIN = "medwayvolunteers.org.uk"


@pytest.fixture
def staff():
    return make_user("staff", name="Sam Staff", email="sam@example.org")


@pytest.fixture
def tess():
    return make_user("trainer", name="Tess Trainer", email="tess@example.org")


@pytest.fixture
def programme(tess):
    adhd = make_course(title="Living with ADHD", slug="living-with-adhd")
    draft = make_course(title="Draft course", slug="draft", published=False)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    full = make_session(
        adhd,
        starts_at=SUMMER,
        capacity=3,
        trainer=tess,
        venue_address="1 High Street, Chatham; side door",
    )
    make_booking(full)
    make_booking(full)
    waiting = make_booking(full, status="waitlisted")
    sessions = {
        "full": full,
        "online": make_session(
            adhd,
            starts_at=SUMMER + timedelta(days=1),
            venue_name="",
            online_url="https://meet.example/x",
        ),
        "unpublished": make_session(draft, starts_at=SUMMER),
        "last_term": make_session(adhd, starts_at=now - timedelta(days=100)),
        "long_ago": make_session(adhd, starts_at=now - timedelta(days=400)),
        "cancelled": make_session(adhd, starts_at=SUMMER + timedelta(days=7), trainer=tess),
        "cancelled_long_ago": make_session(adhd, starts_at=SUMMER + timedelta(days=14)),
        "cancelled_before_upgrade": make_session(
            adhd,
            starts_at=SUMMER + timedelta(days=21),
            status="cancelled",
            updated_at=now - timedelta(days=40),
        ),
    }
    for name in ("cancelled", "cancelled_long_ago"):
        cancel_session(sessions[name].id)
    sessions["cancelled_long_ago"].cancelled_at = now - timedelta(days=31)
    db.session.commit()
    sessions["waiting"] = waiting
    return sessions


def _feed(client, token: str, **headers):
    return client.get(f"/account/programme/{token}.ics", headers=headers)


def _uid(session) -> str:
    return f"session-{session.id}-programme@{DOMAIN}"


def _by_uid(body: bytes) -> dict:
    return {str(e["UID"]): e for e in events(body)}


def test_staff_feed_holds_every_session_with_trainer_place_and_numbers(client, staff, programme):
    response = _feed(client, staff.staff_calendar_token)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response.headers["Cache-Control"]
    body = response.data
    assert str(read(body)["METHOD"]) == "PUBLISH"
    found = _by_uid(body)
    shown = ("full", "online", "unpublished", "last_term", "cancelled")
    assert set(found) == {_uid(programme[name]) for name in shown}

    full = found[_uid(programme["full"])]
    assert str(full["SUMMARY"]) == "Living with ADHD (2/3, Tess Trainer)"
    assert str(full["LOCATION"]) == "Community Hub, 1 High Street, Chatham; side door"
    assert str(full["STATUS"]) == "CONFIRMED"
    description = str(full["DESCRIPTION"]).splitlines()
    session_id = programme["full"].id
    assert description == [
        "Trainer: Tess Trainer (tess@example.org)",
        "Where: Community Hub, 1 High Street, Chatham; side door",
        "Booked: 2 of 3 places, 1 waiting",
        f"Attendees: http://localhost/trainer/sessions/{session_id}",
        f"Edit: http://localhost/staff/sessions/{session_id}/edit",
    ]
    assert str(full["URL"]) == f"http://localhost/staff/sessions/{session_id}/edit"

    online = found[_uid(programme["online"])]
    assert str(online["LOCATION"]) == "Online: https://meet.example/x"
    assert "Trainer: none yet" in str(online["DESCRIPTION"])
    assert "no trainer" in str(online["SUMMARY"])
    assert "not published" in str(found[_uid(programme["unpublished"])]["DESCRIPTION"])

    cancelled = found[_uid(programme["cancelled"])]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["SUMMARY"]) == "Cancelled: Living with ADHD"
    assert cancelled["SEQUENCE"] == 1  # above the session's revision, as for learners

    assert_london_vtimezone(body)
    starts = assert_readers_agree(body)
    assert starts[_uid(programme["full"])].strftime("%H:%M %Z") == "10:00 BST"


def test_vobject_reads_the_same_text_back_escaped_and_folded(client, staff):
    # Two-octet letters from an odd octet on: a fold at 75 octets falls inside one.
    title = "Santé: " + "é" * 70 + " – premiers secours, niveau 2; « avancé »"
    course = make_course(title=title.strip(), slug="premiers-secours")
    address = "Salle des fêtes\\annexe, 3 rue de l’Église\nMaidstone"
    make_session(course, starts_at=SUMMER, venue_name="Hôtel de ville", venue_address=address)

    body = _feed(client, staff.staff_calendar_token).data

    for line in body.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # no character split between two lines
    (ours,) = events(body)
    theirs = vobject.readOne(body.decode("utf-8")).vevent
    location = f"Hôtel de ville, {address}"
    assert str(ours["LOCATION"]) == theirs.location.value == location
    assert str(ours["SUMMARY"]) == theirs.summary.value
    assert theirs.summary.value.startswith(title.strip())
    assert str(ours["DESCRIPTION"]) == theirs.description.value
    assert f"Where: {location}" in theirs.description.value
    assert theirs.dtstart.value.astimezone(LONDON).strftime("%H:%M") == "10:00"


@pytest.mark.parametrize("who", ["nobody", "learner", "trainer", "inactive_staff", "own_feed"])
def test_staff_feed_needs_the_token_of_an_active_staff_member(client, staff, programme, who):
    inactive = make_user("staff")
    inactive.active = False
    db.session.commit()
    tokens = {
        "nobody": "not-a-real-token",
        "learner": make_user().staff_calendar_token,
        "trainer": make_user("trainer").staff_calendar_token,
        "inactive_staff": inactive.staff_calendar_token,
        # The private feed's token opens the private feed only.
        "own_feed": staff.calendar_token,
    }
    assert _feed(client, tokens[who]).status_code == 404
    assert _feed(client, staff.staff_calendar_token).status_code == 200


def test_staff_feed_answers_304_until_something_it_shows_changes(client, staff, programme, tess):
    token = staff.staff_calendar_token
    first = _feed(client, token)
    etag = first.headers["ETag"]
    again = _feed(client, token, **{"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b"" and again.headers["ETag"] == etag

    def changed_since(etag: str) -> str:
        response = _feed(client, token, **{"If-None-Match": etag})
        assert response.status_code == 200
        assert response.headers["ETag"] != etag
        return response.headers["ETag"]

    # A waiting learner leaves: no session row changes, the waiting count does.
    booking_service.cancel(programme["waiting"].id, by=programme["waiting"].learner)
    db.session.commit()
    etag = changed_since(etag)
    found = _by_uid(_feed(client, token).data)
    assert "Booked: 2 of 3 places\n" in str(found[_uid(programme["full"])]["DESCRIPTION"])

    # The trainer renames herself at /account.
    tess.name = "Tess Teacher"
    db.session.commit()
    etag = changed_since(etag)
    found = _by_uid(_feed(client, token).data)
    assert "Tess Teacher" in str(found[_uid(programme["full"])]["SUMMARY"])

    make_booking(programme["online"])
    changed_since(etag)


def test_staff_feed_has_no_last_modified_to_answer_304_from(client, staff, programme):
    first = _feed(client, staff.staff_calendar_token)
    assert "Last-Modified" not in first.headers
    since = _feed(
        client, staff.staff_calendar_token, **{"If-Modified-Since": "Tue, 01 Jan 2999 00:00:00 GMT"}
    )
    assert since.status_code == 200


def test_staff_feed_queries_do_not_grow_with_sessions(client, staff, tess):
    def count_queries() -> int:
        statements = []

        def record(*args):
            statements.append(args[2])

        sql_event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert _feed(client, staff.staff_calendar_token).status_code == 200
        finally:
            sql_event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    make_session(starts_at=SUMMER, trainer=tess)
    few = count_queries()
    for day in range(1, 25):
        session = make_session(starts_at=SUMMER + timedelta(days=day), trainer=make_user("trainer"))
        make_booking(session, status="waitlisted")
    assert count_queries() == few


def test_account_page_offers_each_feed_to_subscribe_to(client, staff):
    login_as(client, staff)
    html = client.get("/account").get_data(as_text=True)
    private = f"localhost/account/calendar/{staff.calendar_token}.ics"
    staff_feed = f"localhost/account/programme/{staff.staff_calendar_token}.ics"
    for address in (private, staff_feed):
        assert f'href="webcal://{address}"' in html
        assert f'value="http://{address}"' in html
    assert "Replace my programme link" in html
    assert "Google Calendar: copy this address" in html
    assert html.count("Apple Calendar or Outlook") == 2

    learner = make_user()
    login_as(client, learner)
    html = client.get("/account").get_data(as_text=True)
    assert f"webcal://localhost/account/calendar/{learner.calendar_token}.ics" in html
    assert "/account/programme/" not in html


def test_staff_replace_their_programme_link_and_the_old_one_stops_working(client, staff):
    old = staff.staff_calendar_token
    login_as(client, staff)
    response = post_form(client, "/account/programme-link", {}, form_page="/account")
    assert response.status_code == 302
    assert "programme calendar link is replaced" in client.get("/account").get_data(as_text=True)
    db.session.expire_all()
    new = db.session.get(User, staff.id).staff_calendar_token
    assert new and new != old
    assert _feed(client, old).status_code == 404
    assert _feed(client, new).status_code == 200


def test_only_staff_may_replace_a_programme_link(client):
    learner = make_user()
    login_as(client, learner)
    old = learner.staff_calendar_token
    response = post_form(client, "/account/programme-link", {}, form_page="/account")
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(User, learner.id).staff_calendar_token == old


def test_a_programme_link_stops_working_for_good_when_its_owner_leaves_staff(client, staff):
    colleague = make_user("staff")
    token = colleague.staff_calendar_token
    login_as(client, staff)
    for role in ("learner", "staff"):
        response = post_form(
            client,
            f"/staff/users/{colleague.id}/role",
            {"role": role},
            form_page=f"/staff/users/{colleague.id}",
        )
        assert response.status_code == 303
    assert _feed(client, token).status_code == 404
    db.session.expire_all()
    assert _feed(client, db.session.get(User, colleague.id).staff_calendar_token).status_code == 200
