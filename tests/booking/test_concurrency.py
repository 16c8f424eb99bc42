"""Capacity holds under real concurrency: 50 learners, 5 places, separate connections.

Runs on SQLite (a file database in WAL mode) and, with TEST_DATABASE_URL set, on
PostgreSQL; each worker thread has its own app context, session and connection.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bookings.booking import service
from bookings.booking.service import Needs
from bookings.extensions import db
from bookings.models import Booking, OutboxMessage, Session, User

from .. import factories
from ..factories import make_session
from .conftest import run_in_threads

# Fifty connections at once: run alone (make test), not beside another worker's tests.
pytestmark = pytest.mark.exclusive

LEARNERS = 50
CAPACITY = 5


def make_learners(count: int) -> list[int]:
    return [u.id for u in factories.make_learners(count)]


def book_as(learner_id: int, session_id: int):
    learner = db.session.get(User, learner_id)
    booking = service.book(session_id, learner, Needs(consent=True))
    db.session.commit()
    return booking.id, booking.status, booking.waiting_position


def cancel_as(booking_id: int):
    booking = db.session.get(Booking, booking_id)
    service.cancel(booking_id, booking.learner)
    db.session.commit()
    return booking_id


def bookings_of(session_id: int) -> list[Booking]:
    db.session.expire_all()
    return list(db.session.scalars(select(Booking).where(Booking.session_id == session_id)))


def _fifty_learners_five_places(concurrent_app):
    session_id = make_session(capacity=CAPACITY).id
    learner_ids = make_learners(LEARNERS)

    results, errors = run_in_threads(
        concurrent_app, book_as, [(lid, session_id) for lid in learner_ids]
    )
    assert errors == []
    assert len(results) == LEARNERS

    bookings = bookings_of(session_id)
    confirmed = [b for b in bookings if b.status == "confirmed"]
    waiting = sorted(b.waiting_position for b in bookings if b.status == "waitlisted")
    assert len(confirmed) == CAPACITY
    assert waiting == list(range(1, LEARNERS - CAPACITY + 1))
    session = db.session.get(Session, session_id)
    assert session.seats_taken == CAPACITY
    assert session.waitlist_last == LEARNERS - CAPACITY
    kinds = list(db.session.scalars(select(OutboxMessage.kind)))
    assert kinds.count("booking_confirmed") == CAPACITY
    assert kinds.count("waitlisted") == LEARNERS - CAPACITY
    return session_id, confirmed


def _three_cancellations_promote_the_first_three(concurrent_app, session_id, confirmed):
    leaving = [b.id for b in confirmed[:3]]
    results, errors = run_in_threads(concurrent_app, cancel_as, [(bid,) for bid in leaving])
    assert errors == []

    bookings = bookings_of(session_id)
    by_id = {b.id: b for b in bookings}
    assert all(by_id[bid].status == "cancelled" for bid in leaving)
    promoted = [
        b for b in bookings if b.status == "confirmed" and b.id not in {c.id for c in confirmed}
    ]
    assert len([b for b in bookings if b.status == "confirmed"]) == CAPACITY
    assert db.session.get(Session, session_id).seats_taken == CAPACITY
    promoted_ids = {b.id for b in promoted}
    kinds = db.session.execute(
        select(OutboxMessage.booking_id).where(OutboxMessage.kind == "promoted")
    ).scalars()
    assert set(kinds) == promoted_ids and len(promoted_ids) == 3
    still_waiting = sorted(b.waiting_position for b in bookings if b.status == "waitlisted")
    assert still_waiting == list(range(4, LEARNERS - CAPACITY + 1))
    return promoted_ids


def test_fifty_concurrent_learners_get_five_places_and_a_waiting_list_in_order(concurrent_app):
    session_id, confirmed = _fifty_learners_five_places(concurrent_app)
    _three_cancellations_promote_the_first_three(concurrent_app, session_id, confirmed)


@pytest.mark.postgres
def test_fifty_postgres_connections_book_at_once_without_overbooking(postgres, concurrent_app):
    from sqlalchemy import text

    session_id = make_session(capacity=CAPACITY).id
    learner_ids = make_learners(LEARNERS)

    def book_on_own_connection(learner_id: int):
        backend = db.session.scalar(text("SELECT pg_backend_pid()"))
        return backend, book_as(learner_id, session_id)

    results, errors = run_in_threads(
        concurrent_app, book_on_own_connection, [(lid,) for lid in learner_ids]
    )
    assert errors == []
    assert len({backend for backend, _ in results}) == LEARNERS
    statuses = [status for _, (_, status, _) in results]
    assert statuses.count("confirmed") == CAPACITY
    positions = sorted(pos for _, (_, status, pos) in results if status == "waitlisted")
    assert positions == list(range(1, LEARNERS - CAPACITY + 1))
    confirmed = [b for b in bookings_of(session_id) if b.status == "confirmed"]
    _three_cancellations_promote_the_first_three(concurrent_app, session_id, confirmed)


@pytest.mark.parametrize("places", [1, 0], ids=["confirmed", "waiting"])
def test_booking_that_waited_for_a_reschedule_emails_the_new_time(concurrent_app, places):
    """The booking's own write waits for the reschedule's lock, then reads the moved
    session: the confirmation and its invitation carry the new time and place."""
    import threading
    from datetime import UTC, datetime

    from bookings.booking.schedule import reschedule_session

    old_start = datetime(2037, 7, 1, 9, 0, tzinfo=UTC)
    new_start = datetime(2037, 7, 8, 13, 0, tzinfo=UTC)  # 14:00 in London
    session_id = make_session(starts_at=old_start, capacity=1, seats_taken=1 - places).id
    (learner_id,) = make_learners(1)
    locked, release = threading.Event(), threading.Event()

    def reschedule():
        reschedule_session(
            session_id,
            starts_at=new_start,
            ends_at=new_start.replace(hour=16),
            venue_name="Moved Hall",
            venue_address="",
            online_url="",
        )
        locked.set()
        release.wait(timeout=30)
        db.session.commit()
        return "rescheduled"

    def book():
        assert locked.wait(timeout=30)
        # Read before the lock is free, as the booking page does: the old time.
        assert db.session.get(Session, session_id).starts_at == old_start
        threading.Timer(0.5, release.set).start()
        return book_as(learner_id, session_id)

    results, errors = run_in_threads(concurrent_app, lambda task: task(), [(reschedule,), (book,)])
    assert errors == []
    booking_id, status, _ = next(r for r in results if r != "rescheduled")
    assert status == ("confirmed" if places else "waitlisted")
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.booking_id == booking_id)
    ).one()
    assert "Wed 8 Jul 2037, 14:00" in message.body_text and "Moved Hall" in message.body_text
    if places:
        assert "DTSTART;TZID=Europe/London:20370708T140000" in message.ics
        assert "SEQUENCE:1" in message.ics
