"""Exports stream: the file is sent in chunks as rows are read, holds exactly the rows
in the database, and the page offering it says how many there will be."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import has_app_context, has_request_context
from sqlalchemy import event, func, insert, select, text

from bookings.enums import SECTOR_LABELS, AuditAction
from bookings.extensions import db
from bookings.models import AuditEntry, Booking, User
from bookings.spreadsheet import CHUNK_ROWS

from ..factories import make_course, make_session

MANY = CHUNK_ROWS * 2 + 123  # three chunks of rows at least, plus the header's
FIRST_DAY = date(2030, 3, 1)
RANGE = "date_from=2030-03-01&date_to=2030-03-31&course=0"


def _bulk_bookings(count: int, sessions, *, start: int = 0) -> None:
    """count learners, each booked on one of sessions, written in two statements."""
    db.session.execute(
        insert(User),
        [
            {"email": f"zoë{n:05d}@example.org", "name": f"Zoë Ünal-Øster {n:05d}"}
            for n in range(start, start + count)
        ],
    )
    ids = db.session.scalars(
        select(User.id).where(User.email.like("zoë%")).order_by(User.id).offset(start)
    ).all()
    db.session.execute(
        insert(Booking),
        [
            {
                "reference": f"MVN{n:07d}",
                "session_id": sessions[n % len(sessions)].id,
                "learner_id": learner_id,
                "status": "confirmed",
                "sector": "private" if n % 2 else "voluntary",
                "organisation": '=HYPERLINK("x")' if n == 7 else f"Organisation {n}",
                "price_pence": 4550,
            }
            for n, learner_id in enumerate(ids, start=start)
        ],
    )
    db.session.commit()


@pytest.fixture
def many():
    course = make_course(title="Premiers secours – café")
    sessions = [
        make_session(course, starts_at=datetime(2030, 3, day, 9, 0, tzinfo=UTC))
        for day in (3, 17, 31)
    ]
    outside = make_session(course, starts_at=datetime(2030, 4, 1, 9, 0, tzinfo=UTC))
    _bulk_bookings(MANY, sessions)
    _bulk_bookings(5, [outside], start=MANY)
    return sessions


def _chunks(response) -> list[bytes]:
    assert response.status_code == 200
    assert response.is_streamed
    return list(response.response)


def _rows(body: bytes) -> list[dict]:
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def _shown_count(html: str, pattern: str) -> int:
    found = re.search(pattern, html)
    assert found, html
    return int(found.group(1).replace(",", ""))


def test_bookings_export_streams_every_row_exactly_as_stored(as_staff, many):
    response = as_staff.get(f"/staff/exports?{RANGE}")
    chunks = _chunks(response)
    assert len(chunks) >= 3
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=bookings-2030-03-01-to-2030-03-31.csv"
    )
    rows = _rows(b"".join(chunks))
    stored = db.session.execute(
        select(Booking.reference, User.name, User.email)
        .join(User, User.id == Booking.learner_id)
        .where(Booking.session_id.in_([s.id for s in many]))
    ).all()
    assert len(rows) == len(stored) == MANY
    assert {r["Reference"] for r in rows} == {reference for reference, _, _ in stored}
    by_reference = {r["Reference"]: r for r in rows}
    for reference, name, email in stored[:: MANY // 7]:
        assert by_reference[reference]["Learner name"] == name
        assert by_reference[reference]["Learner email"] == email
    first = by_reference["MVN0000000"]
    assert first["Learner name"] == "Zoë Ünal-Øster 00000"
    assert first["Course"] == "Premiers secours – café"
    assert first["Session start"] == "2030-03-03T09:00:00+00:00"
    assert first["Sector"] == SECTOR_LABELS["voluntary"]
    assert first["Price (GBP)"] == "45.50"
    # Text people typed is still defused for Excel.
    assert by_reference["MVN0000007"]["Organisation"] == '\'=HYPERLINK("x")'
    # Ordered by session start, then booking.
    starts = [r["Session start"] for r in rows]
    assert starts == sorted(starts)


def test_count_on_the_page_is_the_rows_in_the_file(as_staff, many):
    page = as_staff.get(f"/staff/exports?{RANGE}&preview=1")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    shown = _shown_count(html, r"Download ([\d,]+) bookings \(CSV\)")
    assert shown == MANY
    link = re.search(r'href="(/staff/exports\?[^"]+)"', html).group(1).replace("&amp;", "&")
    assert "preview" not in link
    rows = _rows(as_staff.get(link).data)
    assert len(rows) == shown
    # The audit trail records the same number.
    summary = db.session.scalar(
        select(AuditEntry.summary).where(AuditEntry.action == AuditAction.DATA_EXPORTED)
    )
    assert summary.startswith(f"Bookings CSV: {MANY} booking(s)")


def test_the_page_without_dates_counts_its_default_range(as_staff):
    course = make_course(title="Soon")
    _bulk_bookings(3, [make_session(course, starts_in=timedelta(days=5))])
    html = as_staff.get("/staff/exports").get_data(as_text=True)
    assert "Download 3 bookings (CSV)" in html


def test_a_booking_made_while_the_file_streams_is_not_in_it(as_staff, many):
    response = as_staff.get(f"/staff/exports?{RANGE}")
    stream = iter(response.response)
    head = next(stream)
    _bulk_bookings(2, many, start=MANY + 5)
    rows = _rows(head + b"".join(stream))
    assert len(rows) == MANY


def test_a_file_read_partway_leaves_no_context_cursor_or_lock(as_staff, many, is_postgres):
    response = as_staff.get(f"/staff/exports?{RANGE}")
    stream = iter(response.response)
    next(stream), next(stream)  # the header, then rows: the query is under way
    # Reading it pushed no context on the reader (a test, a server's worker).
    assert not has_request_context()
    assert has_app_context()  # the test's own
    response.close()  # as a server does when the client goes away
    # The table can be emptied at once: no cursor, transaction or lock left behind.
    if is_postgres:
        db.session.execute(text("SET LOCAL lock_timeout = '5s'"))
        db.session.execute(text("TRUNCATE bookings CASCADE"))
    else:
        db.session.execute(Booking.__table__.delete())
    db.session.commit()
    assert db.session.scalar(select(func.count(Booking.id))) == 0


def test_other_exports_stream_and_match_their_counts(as_staff, many):
    audit_csv = _rows(b"".join(_chunks(as_staff.get("/staff/audit.csv"))))
    assert len(audit_csv) == 0  # no entries before this export; its own is not in it
    as_staff.get(f"/staff/exports?{RANGE}").close()
    page = as_staff.get("/staff/audit").get_data(as_text=True)
    shown = _shown_count(page, r"Download ([\d,]+) entr(?:y|ies) \(CSV\)")
    assert len(_rows(b"".join(_chunks(as_staff.get("/staff/audit.csv"))))) == shown == 2

    interest = as_staff.get("/staff/interest")
    assert "Download everyone: 0 confirmed sign-ups (CSV)" in interest.get_data(as_text=True)
    assert _rows(b"".join(_chunks(as_staff.get("/staff/interest.csv")))) == []

    invoices = as_staff.get("/staff/invoices").get_data(as_text=True)
    assert "Invoices and credit notes: 0 rows" in invoices
    assert _rows(b"".join(_chunks(as_staff.get("/staff/invoices.csv")))) == []
    xero = b"".join(_chunks(as_staff.get("/staff/invoices?format=xero")))
    assert xero.startswith(b"*ContactName")
    assert _chunks(as_staff.get("/staff/reports.csv"))


@pytest.mark.postgres
def test_postgres_reads_the_export_through_a_server_side_cursor(as_staff, many, postgres):
    import psycopg

    cursors = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if "FROM bookings JOIN sessions" in statement:
            cursors.append(type(cursor))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        rows = _rows(b"".join(_chunks(as_staff.get(f"/staff/exports?{RANGE}"))))
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert len(rows) == MANY
    assert any(issubclass(kind, psycopg.ServerCursor) for kind in cursors), cursors
