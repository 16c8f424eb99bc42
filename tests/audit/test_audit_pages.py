"""The trail is append-only, staff read it at /staff/audit, and records show their history."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

import bookings
from bookings.audit import service as audit
from bookings.enums import AuditAction
from bookings.extensions import db
from bookings.models import AuditEntry, AuditTrailIsAppendOnly

from ..conftest import csrf_token, login_as, post_form
from ..factories import make_booking, make_user


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


def entry(action=AuditAction.COURSE_EDITED, *, by=None, at=None, subject=None, summary=""):
    """An entry written directly, at a chosen time."""
    row = audit.record(action, by=by, subject=subject or ("course", "A course"), summary=summary)
    if at is not None:
        row.at = at
    db.session.commit()
    return row


# Append-only


def test_the_app_refuses_to_change_or_delete_an_entry(staff):
    row = entry(by=staff, summary="as it was")

    row.summary = "rewritten"
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, row.id))
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(AuditEntry, row.id).summary == "as it was"


def test_no_code_in_the_app_updates_or_deletes_the_trail():
    root = Path(bookings.__file__).parent
    writes = re.compile(r"(update|delete)\(\s*AuditEntry|audit_entries.*(UPDATE|DELETE)", re.I)
    found = [str(p) for p in root.rglob("*.py") if writes.search(p.read_text())]
    assert found == []


@pytest.mark.postgres
def test_postgres_refuses_update_and_delete_of_the_trail(postgres, staff):
    row = entry(by=staff, summary="as it was")
    for statement in (
        "UPDATE audit_entries SET summary = 'rewritten'",
        "DELETE FROM audit_entries",
    ):
        with db.engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text(statement))
    db.session.expire_all()
    assert db.session.get(AuditEntry, row.id).summary == "as it was"
    assert count() == 1


def test_a_refused_change_leaves_no_entry(as_staff, course, session_of, trainer):
    session = session_of(trainer)
    response = post_form(
        as_staff,
        f"/staff/sessions/{session.id}/reschedule",
        {"day": "2030-07-08", "starts": "14:00", "ends": "13:00", "venue_name": "Hall"},
    )
    assert response.status_code == 400
    assert count() == 0


def test_a_learner_cancelling_their_own_place_is_theirs_alone(client, course, session_of, trainer):
    booking = make_booking(session_of(trainer))
    login_as(client, booking.learner)
    token = csrf_token(client, f"/bookings/{booking.reference}/cancel")
    client.post(f"/bookings/{booking.reference}/cancel", data={"csrf_token": token})
    db.session.expire_all()
    assert booking.is_cancelled
    assert count() == 0


def test_learners_sign_ins_are_not_in_the_trail_but_staff_ones_are(client, staff, learner):
    from ..two_factor_helpers import password_step

    password_step(client, learner)
    password_step(app_client := client.application.test_client(), staff)
    assert app_client.get("/staff").status_code == 200
    assert db.session.scalars(select(AuditEntry.actor_id)).all() == [staff.id]


# The staff page


@pytest.fixture
def trail(staff, trainer):
    """Entries by two people on three days, about a course and a session."""
    now = datetime.now(UTC)
    return [
        entry(AuditAction.COURSE_EDITED, by=staff, at=now - timedelta(days=10), summary="Old"),
        entry(AuditAction.SESSION_CREATED, by=staff, at=now - timedelta(days=1), summary="New"),
        entry(AuditAction.ATTENDANCE_MARKED, by=trainer, at=now, summary="Marked"),
    ]


def summaries(response) -> list[str]:
    html = response.get_data(as_text=True)
    return [s for s in ("Old", "New", "Marked") if f"<td>{s}</td>" in html]


def test_staff_read_the_trail_newest_first(as_staff, trail):
    response = as_staff.get("/staff/audit")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.index("<td>Marked</td>") < html.index("<td>New</td>") < html.index("<td>Old</td>")
    assert "Attendance marked" in html and "Tess Trainer" in html


def test_the_trail_filters_by_who_action_object_and_dates(as_staff, trail, trainer):
    today = datetime.now(UTC).date()
    assert summaries(as_staff.get("/staff/audit?who=TESS")) == ["Marked"]
    assert summaries(as_staff.get("/staff/audit?action=session.created")) == ["New"]
    assert summaries(as_staff.get("/staff/audit?object_type=course")) == ["Old", "New", "Marked"]
    from_to = f"/staff/audit?date_from={today - timedelta(days=2)}&date_to={today}"
    assert summaries(as_staff.get(from_to)) == ["New", "Marked"]


def test_the_trail_filters_by_one_object(as_staff, staff, course, session_of, trainer):
    one, other = session_of(trainer), session_of(trainer, starts_in=timedelta(days=30))
    entry(AuditAction.SESSION_EDITED, by=staff, subject=one, summary="One")
    entry(AuditAction.SESSION_EDITED, by=staff, subject=other, summary="Other")
    html = as_staff.get(f"/staff/audit?object_type=session&object_id={one.id}").get_data(
        as_text=True
    )
    assert "<td>One</td>" in html and "<td>Other</td>" not in html
    assert f'href="/staff/sessions/{one.id}"' in html


def test_a_bad_filter_is_explained_beside_it(as_staff, trail):
    response = as_staff.get("/staff/audit?date_from=2030-01-10&date_to=2030-01-01&object_id=x")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "on or after the first date" in html
    assert 'id="object_id-error"' in html


def test_the_trail_is_paginated(as_staff, staff):
    for n in range(55):
        audit.record(AuditAction.NEWS_SAVED, by=staff, subject=("news", f"Post {n}"))
    db.session.commit()
    first = as_staff.get("/staff/audit?action=news.saved").get_data(as_text=True)
    assert "Page 1 of 2" in first
    assert "action=news.saved" in re.search(r'<a rel="next" href="([^"]+)"', first).group(1)
    second = as_staff.get("/staff/audit?action=news.saved&page=2").get_data(as_text=True)
    assert second.count("<td>News post saved</td>") == 5


def test_an_empty_trail_says_so(as_staff):
    assert "Nothing has been recorded yet." in as_staff.get("/staff/audit").get_data(as_text=True)
    html = as_staff.get("/staff/audit?who=nobody").get_data(as_text=True)
    assert "No entries match these filters." in html


def test_the_trail_downloads_as_csv_with_the_same_filters_and_is_recorded(as_staff, trail):
    response = as_staff.get("/staff/audit.csv?who=tess")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["When (UK time)", "Who", "Action"]
    assert [row[6] for row in rows[1:]] == ["Marked"]
    export = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == AuditAction.DATA_EXPORTED)
    ).one()
    assert export.summary == "Audit trail CSV: 1 entries; filters: who=tess."


def test_csv_cells_cannot_run_as_formulas(as_staff, staff):
    entry(by=staff, summary='=HYPERLINK("http://evil.example")')
    body = as_staff.get("/staff/audit.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in body


# Each record's own history


def test_a_bookings_page_shows_its_own_history(as_staff, course, session_of, trainer, learner):
    session = session_of(trainer)
    booking = make_booking(session, learner)
    other = make_booking(session, make_user())
    post_form(as_staff, f"/staff/bookings/{booking.id}/cancel", {})

    response = as_staff.get(f"/staff/bookings/{booking.id}")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Booking " + booking.reference in html
    assert "Booking cancelled" in html and "Sam Staff" in html
    assert "No recorded changes yet." in as_staff.get(f"/staff/bookings/{other.id}").get_data(
        as_text=True
    )


def test_a_sessions_page_shows_its_own_history(as_staff, course, session_of, trainer):
    session = session_of(trainer)
    elsewhere = session_of(trainer, starts_in=timedelta(days=30))
    edit = {"capacity": "15", "trainer_id": str(trainer.id), "notes": ""}
    post_form(as_staff, f"/staff/sessions/{session.id}/edit", edit)
    post_form(as_staff, f"/staff/sessions/{elsewhere.id}/cancel", {"confirm": "y"})

    html = as_staff.get(f"/staff/sessions/{session.id}").get_data(as_text=True)

    assert "<td>Session edited</td>" in html and "capacity: &#39;10&#39; → &#39;15&#39;" in html
    assert "<td>Session cancelled</td>" not in html
    other = as_staff.get(f"/staff/sessions/{elsewhere.id}").get_data(as_text=True)
    assert "<td>Session cancelled</td>" in other


def test_unknown_records_are_not_found(as_staff):
    assert as_staff.get("/staff/bookings/999").status_code == 404
    assert as_staff.get("/staff/sessions/999").status_code == 404


def test_a_csv_asked_for_with_a_bad_filter_is_not_sent(as_staff, trail):
    response = as_staff.get("/staff/audit.csv?date_from=soon")
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert 'id="date_from-error"' in response.get_data(as_text=True)
    assert not db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == AuditAction.DATA_EXPORTED)
    ).all()
