"""Attendance outcomes: attended, absent (a no-show) and late cancellation are distinct.
Trainers mark them on the register, cancelling late records one, staff correct them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bookings.booking import schedule, service
from bookings.extensions import db
from bookings.models import Booking

from ..conftest import login_as, post_form
from ..factories import make_booking, make_session, make_user
from .test_trainer import attendance_form


def reloaded(booking: Booking) -> Booking:
    db.session.expire_all()
    return db.session.get(Booking, booking.id)


def test_trainer_marks_attended_no_show_and_late_cancellation_on_the_register(
    client, trainer, session_of
):
    session = session_of(trainer, starts_in=timedelta(minutes=-30))
    came, stayed_away, rang = (make_booking(session) for _ in range(3))
    login_as(client, trainer)

    page = client.get(f"/trainer/sessions/{session.id}").get_data(as_text=True)
    response = attendance_form(
        client, session, {came: "attended", stayed_away: "absent", rang: "late_cancellation"}
    )

    assert "Absent (no-show)" in page and "Late cancellation" in page
    assert response.status_code == 303
    outcomes = {b.id: (b.outcome, b.attended) for b in map(reloaded, (came, stayed_away, rang))}
    assert outcomes == {
        came.id: ("attended", True),
        stayed_away.id: ("absent", False),
        rang.id: ("late_cancellation", False),
    }


def test_learner_cancelling_within_the_free_window_is_a_late_cancellation(app, trainer):
    days = app.config["CANCELLATION_FREE_DAYS"]
    late_session = make_session(starts_in=timedelta(days=days - 1), trainer=trainer)
    early_session = make_session(starts_in=timedelta(days=days + 1), trainer=trainer)
    learner = make_user()
    late = make_booking(late_session, learner)
    early = make_booking(early_session, learner)
    waiting = make_booking(late_session, make_user(), status="waitlisted")

    service.cancel(waiting.id, by=waiting.learner)
    for booking in (late, early):
        service.cancel(booking.id, by=learner)
    db.session.commit()

    assert (reloaded(late).outcome, reloaded(late).attended) == ("late_cancellation", False)
    assert (reloaded(early).outcome, reloaded(early).attended) == (None, None)
    assert reloaded(waiting).outcome is None  # leaving a waiting list gives up no place


def test_staff_cancelling_after_the_start_is_late_but_before_it_or_moving_is_not(
    staff, trainer, course
):
    started = make_session(course, starts_in=timedelta(hours=-1), trainer=trainer)
    soon = make_session(course, starts_in=timedelta(days=2), trainer=trainer)
    later = make_session(course, starts_in=timedelta(days=3), trainer=trainer)
    on_the_day = make_booking(started)
    ahead = make_booking(soon)
    moved = make_booking(soon)

    service.cancel(on_the_day.id, by=staff)
    service.cancel(ahead.id, by=staff)
    service.move(moved.id, later.id, by=staff)
    db.session.commit()

    assert reloaded(on_the_day).outcome == "late_cancellation"
    assert reloaded(ahead).outcome is None
    assert reloaded(moved).outcome is None


def test_cancelling_a_session_clears_outcomes_recorded_early(staff, trainer):
    session = make_session(starts_in=timedelta(days=1), trainer=trainer)
    booking = make_booking(session, attended=True)
    assert booking.outcome == "attended"

    schedule.cancel_session(session.id, by=staff)
    db.session.commit()

    assert (reloaded(booking).status, reloaded(booking).outcome) == ("cancelled", None)
    assert reloaded(booking).attended is None


def test_staff_correct_outcomes_including_late_cancellations(client, staff, trainer, session_of):
    session = session_of(trainer, starts_in=timedelta(days=-1))
    absent = make_booking(session, make_user(name="Ann Absent"), attended=False)
    late = make_booking(session, make_user(name="Lou Late"), status="cancelled")
    late.confirmed_at = session.starts_at - timedelta(days=9)
    late.record_outcome("late_cancellation")
    waiting = make_booking(session, make_user(name="Wes Waiting"), status="waitlisted")
    db.session.commit()
    login_as(client, staff)
    path = f"/staff/sessions/{session.id}/outcomes"

    page = client.get(path).get_data(as_text=True)
    response = post_form(
        client, path, {f"booking_{absent.id}": "attended", f"booking_{late.id}": ""}
    )

    assert "Ann Absent" in page and "Lou Late" in page and "Wes Waiting" not in page
    assert "Cancelled in time" in page
    assert response.status_code == 303
    assert "Outcomes saved (2 changes)" in client.get(path).get_data(as_text=True)
    assert (reloaded(absent).outcome, reloaded(absent).attended) == ("attended", True)
    assert (reloaded(late).outcome, reloaded(late).attended) == (None, None)
    assert reloaded(waiting).outcome is None


def test_staff_cannot_mark_a_cancelled_place_attended(client, staff, trainer, session_of):
    session = session_of(trainer, starts_in=timedelta(days=-1))
    late = make_booking(session, status="cancelled")
    late.confirmed_at = session.starts_at - timedelta(days=9)
    late.record_outcome("late_cancellation")
    db.session.commit()
    login_as(client, staff)
    path = f"/staff/sessions/{session.id}/outcomes"

    response = post_form(client, path, {f"booking_{late.id}": "attended"})

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="booking_{late.id}-error">Choose one of the outcomes shown.' in page
    assert reloaded(late).outcome == "late_cancellation"


def test_the_database_keeps_attended_and_the_outcome_in_step(trainer, session_of):
    session = session_of(trainer, starts_in=timedelta(days=-1))
    booking = make_booking(session, attended=True)
    cancelled = make_booking(session, status="cancelled")
    bookings = Booking.__table__

    for booking_id, values in (
        (booking.id, {"attended": False}),  # says absent, outcome still attended
        (booking.id, {"outcome": None}),  # attended with no outcome
        (cancelled.id, {"outcome": "attended", "attended": True}),  # no place to attend
        (cancelled.id, {"outcome": "no_show", "attended": False}),  # not an outcome
    ):
        with pytest.raises(IntegrityError):
            db.session.execute(bookings.update().where(bookings.c.id == booking_id).values(values))
        db.session.rollback()


def test_certificates_follow_the_outcome(client, trainer, learner, session_of):
    session = session_of(trainer, starts_in=timedelta(days=-2))
    booking = make_booking(session, learner)
    booking.record_outcome("late_cancellation")
    db.session.commit()
    login_as(client, learner)
    path = f"/bookings/{booking.reference}/certificate.pdf"
    assert client.get(path).status_code == 404

    booking.record_outcome("attended")
    db.session.commit()
    assert client.get(path).status_code == 200
    assert db.session.scalar(select(Booking.attended).where(Booking.id == booking.id)) is True
