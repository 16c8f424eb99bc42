"""Trainers see their sessions, who is coming, the register, and take attendance."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import select

from bookings.extensions import db
from bookings.models import Booking

from ..conftest import login_as, post_form
from ..factories import make_booking, make_user


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_trainer_sees_own_sessions_upcoming_and_past_with_fill_and_waiting(
    client, trainer, other_trainer, session_of, booked_session
):
    past = session_of(trainer, starts_in=timedelta(days=-5))
    session_of(other_trainer, starts_in=timedelta(days=3), notes="not Tess's")
    login_as(client, trainer)

    html = client.get("/trainer/sessions").get_data(as_text=True)

    upcoming_part, past_part = html.split("<h2>Past</h2>")
    assert f"/trainer/sessions/{booked_session.id}" in upcoming_part
    assert "3 of 3" in upcoming_part
    assert '<td class="num">1</td>' in upcoming_part  # one waiting
    assert f"/trainer/sessions/{past.id}" in past_part
    assert html.count("/trainer/sessions/") == 2


def test_attendee_list_shows_needs_organisation_sector_reference_and_waiting_list(
    client, trainer, booked_session, learner
):
    login_as(client, trainer)
    html = client.get(f"/trainer/sessions/{booked_session.id}").get_data(as_text=True)
    booking = db.session.scalars(db.select(Booking).where(Booking.learner_id == learner.id)).one()
    for text in (
        "Lena Learner",
        "lena@example.org",
        "Age UK Medway",
        "Step-free access",
        "Vegan",
        booking.reference,
        "Private sector",
        "Acme Ltd",
    ):
        assert text in html
    waiting_part = html.split("<h2>Waiting list</h2>")[1]
    assert "Wendy Waiting" in waiting_part
    assert "Lena Learner" not in waiting_part


def test_trainer_cannot_see_another_trainers_attendees(client, other_trainer, booked_session):
    login_as(client, other_trainer)
    for path in ("", ".csv", "/register", "/register.pdf"):
        response = client.get(f"/trainer/sessions/{booked_session.id}{path}")
        assert response.status_code == 403
        assert b"Lena Learner" not in response.data


def test_attendee_csv_has_bom_and_parses_back(client, trainer, booked_session):
    login_as(client, trainer)
    response = client.get(f"/trainer/sessions/{booked_session.id}.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    by_name = {row["Name"]: row for row in rows}
    assert set(by_name) == {"Lena Learner", "Pat Private", "Ben Busy", "Wendy Waiting"}
    assert by_name["Lena Learner"]["Access needs"] == "Step-free access"
    assert by_name["Lena Learner"]["Dietary needs"] == "Vegan"
    assert by_name["Lena Learner"]["Organisation"] == "Age UK Medway"
    assert by_name["Pat Private"]["Sector"] == "Private sector"
    assert by_name["Wendy Waiting"]["Status"] == "Waiting list (1)"


def test_register_page_is_printable_and_pdf_lists_learners(client, trainer, booked_session):
    login_as(client, trainer)
    html = client.get(f"/trainer/sessions/{booked_session.id}/register").get_data(as_text=True)
    assert "css/site.css" in html  # carries the @media print rules
    assert "Lena Learner" in html and 'class="signature"' in html
    assert "Wendy Waiting" not in html

    for path in ("/register.pdf", "/register?format=pdf"):
        response = client.get(f"/trainer/sessions/{booked_session.id}{path}")
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        text = pdf_text(response.data)
        assert "Living with ADHD" in text
        assert "Lena Learner" in text and "Pat Private" in text
        assert "Wendy Waiting" not in text


def attendance_form(client, session, marks: dict):
    data = {f"booking_{b.id}": value for b, value in marks.items()}
    return post_form(
        client,
        f"/trainer/sessions/{session.id}/attendance",
        data,
        form_page=f"/trainer/sessions/{session.id}",
    )


def test_trainer_marks_attendance_once_the_session_has_started(
    client, trainer, learner, session_of
):
    session = session_of(trainer, starts_in=timedelta(minutes=-30))
    here = make_booking(session, learner)
    away = make_booking(session)
    login_as(client, trainer)

    response = attendance_form(client, session, {here: "attended", away: "absent"})

    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Booking, here.id).attended is True
    assert db.session.get(Booking, away.id).attended is False
    html = client.get(f"/trainer/sessions/{session.id}").get_data(as_text=True)
    assert "Attendance saved (2 changes)" in html


def test_trainer_cannot_mark_attendance_before_the_session_starts(
    client, trainer, learner, session_of
):
    session = session_of(trainer, starts_in=timedelta(days=2))
    booking = make_booking(session, learner)
    login_as(client, trainer)

    response = attendance_form(client, session, {booking: "attended"})

    assert response.status_code == 400
    assert "from the start of the session" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).attended is None


def test_staff_may_mark_attendance_at_any_time(client, staff, trainer, learner, session_of):
    session = session_of(trainer, starts_in=timedelta(days=2))
    booking = make_booking(session, learner)
    login_as(client, staff)

    assert attendance_form(client, session, {booking: "attended"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).attended is True


def test_another_trainer_cannot_mark_attendance(client, trainer, other_trainer, session_of):
    own = session_of(other_trainer, starts_in=timedelta(hours=-1))
    session = session_of(trainer, starts_in=timedelta(hours=-2))
    booking = make_booking(session)
    login_as(client, other_trainer)

    response = post_form(
        client,
        f"/trainer/sessions/{session.id}/attendance",
        {f"booking_{booking.id}": "attended"},
        form_page=f"/trainer/sessions/{own.id}",
    )

    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).attended is None


def finished_booking(session_of, trainer, learner, attended=True):
    session = session_of(trainer, starts_in=timedelta(days=-2))
    return make_booking(session, learner, attended=attended)


def test_attended_learner_downloads_certificate_naming_them_and_the_course(
    client, trainer, learner, session_of
):
    booking = finished_booking(session_of, trainer, learner)
    login_as(client, learner)
    certificate_url = f"/bookings/{booking.reference}/certificate.pdf"
    assert certificate_url in client.get("/account/bookings").get_data(as_text=True)

    response = client.get(certificate_url)

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "Certificate of attendance" in text
    assert "Lena Learner" in text
    assert "Living with ADHD" in text


def text_starts(data: bytes) -> list[tuple[float, str]]:
    """Where each piece of text on the first page starts (x in points) and what it says."""
    page = PdfReader(io.BytesIO(data)).pages[0]
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.append((tm[4] * cm[0] + cm[4], text.strip()))

    page.extract_text(visitor_text=visit)
    return found


def test_long_learner_name_and_course_title_stay_inside_the_certificate_border(
    client, trainer, session_of
):
    long_name = "Maximiliana Fernanda de los Santos Rodriguez-Villanueva Smythe-Worthington"
    learner = make_user(name=long_name)
    booking = finished_booking(session_of, trainer, learner)
    booking.session.course.title = "Safeguarding Adults at Risk: Advanced Level 3 " * 3
    db.session.commit()
    login_as(client, learner)

    data = client.get(f"/bookings/{booking.reference}/certificate.pdf").data

    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    border = 10 * 72 / 25.4  # the 10 mm frame, in points
    starts = text_starts(data)
    assert any(text == long_name for _, text in starts)
    assert all(x > border for x, _ in starts), starts


def test_no_certificate_without_recorded_attendance_or_before_the_end(
    client, trainer, learner, session_of
):
    absent = finished_booking(session_of, trainer, learner, attended=False)
    unknown = make_booking(
        session_of(trainer, starts_in=timedelta(days=-9)), learner, attended=None
    )
    running = make_booking(
        session_of(trainer, starts_in=timedelta(minutes=-30)), learner, attended=True
    )
    login_as(client, learner)
    for booking in (absent, unknown, running):
        response = client.get(f"/bookings/{booking.reference}/certificate.pdf")
        assert response.status_code == 404
        assert response.mimetype == "text/html"
    assert client.get("/bookings/MVN-XXXXXX/certificate.pdf").status_code == 404


def test_certificate_is_for_its_owner_and_staff_only(client, trainer, learner, staff, session_of):
    booking = finished_booking(session_of, trainer, learner)
    path = f"/bookings/{booking.reference}/certificate.pdf"

    login_as(client, make_user(name="Nosy Neighbour"))
    assert client.get(path).status_code == 404
    login_as(client, trainer)
    assert client.get(path).status_code == 404
    login_as(client, staff)
    assert client.get(path).status_code == 200


def test_attendee_csv_numbers_the_waiting_list_as_it_stands(client, trainer, booked_session):
    wendy = db.session.scalar(select(Booking).where(Booking.status == "waitlisted"))
    later = make_booking(booked_session, make_user(name="Will Later"), status="waitlisted")
    wendy.status, wendy.waiting_position = "cancelled", None
    db.session.commit()
    login_as(client, trainer)
    response = client.get(f"/trainer/sessions/{booked_session.id}.csv")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    by_name = {row["Name"]: row for row in rows}
    assert later.waiting_position == 2
    assert by_name["Will Later"]["Status"] == "Waiting list (1)"
