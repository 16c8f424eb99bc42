"""The staff dashboard, the bookings export and the catalogue import by upload."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bookings.extensions import db
from bookings.models import Course

from ..conftest import post_form
from ..factories import make_booking, make_course, make_session, make_user
from ..statements import counting_statements
from .conftest import field_error


def section(html: str, heading_id: str) -> str:
    return html.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]


def test_dashboard_shows_sessions_under_a_third_full_starting_within_a_week(as_staff):
    def session(title, days, capacity, booked):
        s = make_session(
            make_course(title=title), starts_in=timedelta(days=days), capacity=capacity
        )
        for _ in range(booked):
            make_booking(s)
        return s

    session("Nearly empty soon", 3, 10, 1)
    session("Exactly a third soon", 4, 9, 3)
    session("Healthy soon", 5, 10, 6)
    session("Empty but far off", 20, 10, 0)
    cancelled = session("Cancelled soon", 2, 10, 0)
    cancelled.status = "cancelled"
    db.session.commit()

    html = as_staff.get("/staff").get_data(as_text=True)

    at_risk = section(html, "at-risk")
    assert "Nearly empty soon" in at_risk
    for title in ("Exactly a third soon", "Healthy soon", "Empty but far off", "Cancelled soon"):
        assert title not in at_risk
    upcoming = section(html, "upcoming")
    assert "Healthy soon" in upcoming and "Empty but far off" in upcoming
    assert 'class="bar' in upcoming and "fill-60" in upcoming


def test_dashboard_lists_waiting_lists(as_staff):
    full = make_session(make_course(title="Full course"), capacity=1)
    make_booking(full)
    make_booking(full, status="waitlisted")
    make_session(make_course(title="Roomy course"))

    waiting = section(as_staff.get("/staff").get_data(as_text=True), "waiting")

    assert "Full course" in waiting and "Roomy course" not in waiting


def test_dashboard_sends_as_many_statements_whichever_sections_have_sessions(as_staff):
    """bench/scale.py compares the page at two sizes: its statements must not depend on
    which sections happen to hold sessions. Each session shows its course and trainer."""

    def statements_and_page() -> tuple[int, str]:
        as_staff.get("/staff")  # the staff member and the cookie, as on any later visit
        with counting_statements() as statements:
            html = as_staff.get("/staff").get_data(as_text=True)
        return len(statements), html

    roomy_trainer = make_user(name="Tess Trainer", role="trainer")
    roomy = make_session(
        make_course(title="Roomy far off"), starts_in=timedelta(days=30), capacity=2
    )
    roomy.trainer = roomy_trainer
    make_booking(roomy)
    db.session.commit()
    only_upcoming, html = statements_and_page()
    assert "Roomy far off" in section(html, "upcoming")
    assert "Tess Trainer" in section(html, "upcoming")
    assert "Roomy far off" not in section(html, "at-risk") + section(html, "waiting")

    # Now every section has sessions, with other courses and another trainer.
    risky = make_session(make_course(title="Empty soon"), starts_in=timedelta(days=2))
    risky.trainer = make_user(name="Rafi Risk", role="trainer")
    full = make_session(make_course(title="Full course"), starts_in=timedelta(days=9), capacity=1)
    make_booking(full)
    make_booking(full, status="waitlisted")
    db.session.commit()
    every_section, html = statements_and_page()

    assert "Empty soon" in section(html, "at-risk") and "Rafi Risk" in section(html, "at-risk")
    assert "Full course" in section(html, "waiting")
    assert every_section == only_upcoming


@pytest.fixture
def export_data():
    adhd = make_course(title="Living with ADHD", price_private_pence=4550)
    first_aid = make_course(title="First Aid")
    summer = make_session(adhd, starts_at=datetime(2030, 7, 1, 9, 0, tzinfo=UTC))
    winter = make_session(adhd, starts_at=datetime(2030, 12, 1, 10, 0, tzinfo=UTC))
    other = make_session(first_aid, starts_at=datetime(2030, 7, 2, 9, 0, tzinfo=UTC))
    priya = make_user(name="Priya Ünal", email="priya@example.org", sector="private")
    make_booking(summer, priya, access_needs="Wheelchair", dietary_needs="Halal", attended=True)
    make_booking(winter, make_user(name="Will Winter"))
    make_booking(other, make_user(name="Olly Other"))
    return adhd


def export(client, query: str):
    response = client.get(f"/staff/exports?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_bookings_export_parses_back_with_one_row_per_booking(as_staff, export_data):
    rows = export(as_staff, "date_from=2030-06-01&date_to=2030-07-31&course=0")

    assert [row["Learner name"] for row in rows] == ["Priya Ünal", "Olly Other"]
    priya = rows[0]
    assert priya["Course"] == "Living with ADHD"
    assert priya["Session start"] == "2030-07-01T10:00:00+01:00"
    assert priya["Sector"] == "Private sector"
    assert priya["Price (GBP)"] == "45.50"
    assert priya["Access needs"] == "Wheelchair"
    assert priya["Dietary needs"] == "Halal"
    assert priya["Attended"] == "yes"
    assert priya["Status"] == "confirmed"
    assert datetime.fromisoformat(priya["Booked at"]).tzinfo is not None
    assert priya["Reference"].startswith("MVN-")


def test_bookings_export_filters_by_course(as_staff, export_data):
    rows = export(as_staff, f"date_from=2030-01-01&date_to=2030-12-31&course={export_data.id}")
    assert [row["Learner name"] for row in rows] == ["Priya Ünal", "Will Winter"]


def test_export_date_range_is_inclusive_in_uk_time(as_staff, export_data):
    rows = export(as_staff, "date_from=2030-12-01&date_to=2030-12-01&course=0")
    assert [row["Learner name"] for row in rows] == ["Will Winter"]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("date_from=2030-13-01&date_to=2030-12-31&course=0", "date_from", "date"),
        ("date_from=2030-02-01&date_to=2030-01-01&course=0", "date_to", "on or after"),
        ("date_from=&date_to=2030-01-01&course=0", "date_from", "Enter the first date"),
        ("date_from=2030-01-01&date_to=2030-02-01&course=999", "course", "Not a valid choice"),
        ("date_from=0001-01-01&date_to=2030-01-01&course=0", "date_from", "between 2000"),
        ("date_from=2030-01-01&date_to=9999-12-31&course=0", "date_to", "between 2000"),
    ],
)
def test_bad_export_dates_are_refused_beside_the_field(as_staff, query, field, message):
    response = as_staff.get(f"/staff/exports?{query}")
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert message in field_error(response.get_data(as_text=True), field)


def upload(client, content: bytes, name: str = "catalogue.csv"):
    return post_form(
        client,
        "/staff/import",
        {"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_import_without_a_file_is_refused_beside_the_field(as_staff):
    response = post_form(as_staff, "/staff/import", {}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a CSV file" in field_error(response.get_data(as_text=True), "file")


def test_import_of_a_file_that_is_not_utf8_is_refused(as_staff):
    response = upload(as_staff, "slug,title\ncafé,Café\n".encode("utf-16"))
    assert response.status_code == 400
    assert "not UTF-8" in field_error(response.get_data(as_text=True), "file")
    assert db.session.scalar(select(func.count(Course.id))) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (b"\xef\xbb\xbf\r\n  \r\n", "The file is empty"),
        (b"slug,title,date\nfirst-aid,First Aid,2030-01-01\n", "missing columns: course_slug"),
        (b"living-with-adhd,Living with ADHD,2030-07-01T10:00\n", "must name the columns"),
    ],
)
def test_import_of_an_empty_file_or_one_without_the_header_is_refused(as_staff, content, message):
    response = upload(as_staff, content)

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in field_error(html, "file")
    assert "course_slug" in html.split("<h2>Columns</h2>", 1)[1]
    assert db.session.scalar(select(func.count(Course.id))) == 0


def test_import_over_the_upload_limit_is_refused_beside_the_field(as_staff, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)
    response = upload(as_staff, b"course_slug\n" + b"x" * 4096)

    assert response.status_code == 413
    assert "too big" in field_error(response.get_data(as_text=True), "file")


def test_import_by_upload_shows_the_report_with_rejected_rows(as_staff):
    good_and_bad = (
        "course_slug,course_title,summary,description,category,price_voluntary,"
        "price_private,starts_at,ends_at,venue,online_url,capacity,trainer_email\n"
        "living-with-adhd,Living with ADHD,About ADHD,,Wellbeing,25.00,45.00,"
        "2030-07-01T10:00,2030-07-01T13:00,Community Hub,,12,\n"
        "first-aid,First Aid,Basics,,Health,abc,45.00,"
        "2030-07-02T10:00,2030-07-02T13:00,Community Hub,,12,\n"
    )

    response = upload(as_staff, ("\ufeff" + good_and_bad).encode("utf-8"))

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    report = html.split('id="report-heading"', 1)[1]
    assert "Line 3" in report
    assert "line 2" not in report
    assert db.session.scalar(select(Course.title).where(Course.slug == "living-with-adhd"))
    assert not db.session.scalar(select(Course.id).where(Course.slug == "first-aid"))


def test_export_cells_that_excel_would_run_as_formulas_are_defused(as_staff):
    session = make_session(starts_at=datetime(2030, 5, 1, 9, 0, tzinfo=UTC))
    make_booking(session, make_user(name='=HYPERLINK("http://evil.example","x")'))
    rows = export(as_staff, "date_from=2030-05-01&date_to=2030-05-01&course=0")
    assert rows[0]["Learner name"] == '\'=HYPERLINK("http://evil.example","x")'
