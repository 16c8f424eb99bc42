"""The app starts, its database answers, and the schema guards the invariants."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from bookings.extensions import db
from bookings.models import Session

from .factories import make_booking, make_course, make_session, make_user


def test_healthz_answers_when_database_is_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_unknown_page_gets_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_course_slug_is_unique():
    make_course(slug="first-aid")
    with pytest.raises(IntegrityError):
        make_course(slug="first-aid")
    db.session.rollback()


def test_email_is_unique_regardless_of_case():
    make_user(email="Ann@Example.org")
    with pytest.raises(IntegrityError):
        make_user(email="ann@example.ORG")
    db.session.rollback()


def test_session_must_end_after_it_starts():
    start = datetime.now(UTC) + timedelta(days=3)
    with pytest.raises(IntegrityError):
        make_session(starts_at=start, ends_at=start - timedelta(hours=1))
    db.session.rollback()


def test_capacity_cannot_be_negative():
    with pytest.raises(IntegrityError):
        make_session(capacity=-1)
    db.session.rollback()


def test_seats_taken_cannot_exceed_capacity():
    session = make_session(capacity=1)
    session.seats_taken = 2
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_one_active_booking_per_learner_per_session():
    session = make_session()
    learner = make_user()
    first = make_booking(session, learner)
    with pytest.raises(IntegrityError):
        make_booking(session, learner)
    db.session.rollback()
    first = db.session.get(type(first), first.id)
    first.status = "cancelled"
    first.session.seats_taken -= 1
    db.session.commit()
    make_booking(db.session.get(Session, session.id), learner)


def test_instants_come_back_as_aware_utc():
    start = datetime(2027, 7, 1, 9, 0, tzinfo=UTC)
    session = make_session(starts_at=start)
    db.session.expire_all()
    loaded = db.session.get(Session, session.id)
    assert loaded.starts_at == start
    assert loaded.starts_at.tzinfo is not None
