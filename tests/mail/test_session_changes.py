"""Reschedules and cancellations keep every learner's calendar right."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bookings.booking.schedule import cancel_session, reschedule_session
from bookings.errors import ScheduleError
from bookings.extensions import db
from bookings.mail import messages, outbox
from bookings.models import Booking, OutboxMessage, Session

from ..factories import make_booking, make_session, make_user
from ..ics_checks import LONDON, assert_london_vtimezone, assert_readers_agree, only_event, read

WINTER = datetime(2030, 1, 17, 10, 0, tzinfo=UTC)  # 10:00 GMT
SUMMER = datetime(2030, 7, 18, 9, 0, tzinfo=UTC)  # 10:00 BST


@pytest.fixture
def full_session():
    """Two confirmed, two waiting, one already cancelled."""
    session = make_session(starts_at=WINTER, capacity=2)
    confirmed = [make_booking(session) for _ in range(2)]
    waiting = [make_booking(session, status="waitlisted") for _ in range(2)]
    gone = make_booking(session, status="waitlisted")
    gone.status, gone.waiting_position = "cancelled", None
    db.session.commit()
    return session, confirmed + waiting, gone


def _queued(kind: str) -> dict[int, OutboxMessage]:
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind))
    return {row.booking_id: row for row in rows}


def test_reschedule_sends_update_with_same_uid_and_new_sequence_to_every_booking(
    full_session,
):
    session, active, gone = full_session
    reschedule_session(
        session.id,
        starts_at=SUMMER,
        ends_at=SUMMER + timedelta(hours=2),
        venue_name="Town Hall",
        venue_address="2 Market Square",
        online_url="",
    )
    db.session.commit()

    assert db.session.get(Session, session.id).revision == 1
    queued = _queued("session_rescheduled")
    assert set(queued) == {b.id for b in active}
    for booking in active:
        row = queued[booking.id]
        assert row.ics_method == "REQUEST"
        assert row.recipient == booking.learner.email
        cal = read(row.ics)
        assert str(cal["METHOD"]) == "REQUEST"
        event = only_event(row.ics)
        assert str(event["UID"]) == f"booking-{booking.reference}@medwayvolunteers.org.uk"
        assert event["SEQUENCE"] == 1
        assert event.decoded("DTSTART") == SUMMER
        assert event.decoded("DTEND") == SUMMER + timedelta(hours=2)
        assert "Town Hall" in str(event["LOCATION"])
        expected = "TENTATIVE" if booking.status == "waitlisted" else "CONFIRMED"
        assert str(event["STATUS"]) == expected
        assert_london_vtimezone(row.ics)
        starts = assert_readers_agree(row.ics)
        assert list(starts.values())[0].strftime("%H:%M") == "10:00"
        # The body gives the old and the new time.
        assert "Thu 17 Jan 2030, 10:00 to 13:00" in row.body_text
        assert "Thu 18 Jul 2030, 10:00 to 12:00" in row.body_text
    assert gone.id not in queued


def test_second_reschedule_raises_sequence_again(full_session):
    session, active, _ = full_session
    for hours in (1, 2):
        start = SUMMER + timedelta(days=hours)
        reschedule_session(
            session.id,
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            venue_name=session.venue_name,
            venue_address=session.venue_address,
            online_url="",
        )
        db.session.commit()
    rows = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.booking_id == active[0].id)
        .order_by(OutboxMessage.id)
    ).all()
    assert [only_event(r.ics)["SEQUENCE"] for r in rows] == [1, 2]


def test_saving_the_same_time_and_place_sends_nothing(full_session):
    session, _, _ = full_session
    reschedule_session(
        session.id,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        venue_name=session.venue_name,
        venue_address=session.venue_address,
        online_url=session.online_url,
    )
    db.session.commit()
    assert db.session.get(Session, session.id).revision == 0
    assert _queued("session_rescheduled") == {}


def test_reschedule_refuses_an_end_before_the_start(full_session):
    session, _, _ = full_session
    with pytest.raises(ScheduleError, match="end after it starts"):
        reschedule_session(
            session.id,
            starts_at=SUMMER,
            ends_at=SUMMER - timedelta(hours=1),
            venue_name="Town Hall",
            venue_address="",
            online_url="",
        )
    db.session.rollback()
    assert db.session.get(Session, session.id).starts_at == WINTER


def test_cancelling_a_session_cancels_every_booking_with_method_cancel(full_session):
    session, active, gone = full_session
    reschedule_session(
        session.id,
        starts_at=SUMMER,
        ends_at=SUMMER + timedelta(hours=3),
        venue_name="Town Hall",
        venue_address="",
        online_url="",
    )
    db.session.commit()

    cancel_session(session.id, reason="The trainer is unwell.")
    db.session.commit()

    db.session.expire_all()
    session = db.session.get(Session, session.id)
    assert session.status == "cancelled"
    assert session.seats_taken == 0
    for booking in active:
        booking = db.session.get(Booking, booking.id)
        assert booking.status == "cancelled"
        assert booking.waiting_position is None
        assert booking.cancelled_at is not None
    queued = _queued("session_cancelled")
    assert set(queued) == {b.id for b in active}
    for booking in active:
        row = queued[booking.id]
        assert row.ics_method == "CANCEL"
        assert str(read(row.ics)["METHOD"]) == "CANCEL"
        event = only_event(row.ics)
        assert str(event["UID"]) == f"booking-{booking.reference}@medwayvolunteers.org.uk"
        # Higher than the update the learner holds (SEQUENCE 1).
        assert event["SEQUENCE"] == 2
        assert str(event["STATUS"]) == "CANCELLED"
        assert event.decoded("DTSTART").astimezone(LONDON).hour == 10
        assert "The trainer is unwell." in row.body_text
        assert_readers_agree(row.ics)
    assert gone.id not in queued


def test_cancelled_session_cannot_be_cancelled_or_moved_again(full_session):
    session, _, _ = full_session
    cancel_session(session.id)
    db.session.commit()
    with pytest.raises(ScheduleError):
        cancel_session(session.id)
    with pytest.raises(ScheduleError):
        reschedule_session(
            session.id,
            starts_at=SUMMER,
            ends_at=SUMMER + timedelta(hours=1),
            venue_name="X",
            venue_address="",
            online_url="",
        )
    db.session.rollback()


def test_learner_cancellation_sends_cancel_with_same_uid_and_higher_sequence():
    session = make_session(starts_at=SUMMER)
    booking = make_booking(session)
    confirmation = messages.booking_confirmed(booking)
    booking.status = "cancelled"
    booking.cancelled_at = datetime.now(UTC)
    session.seats_taken -= 1
    outbox.enqueue(messages.booking_cancelled(booking))
    db.session.commit()

    sent = only_event(confirmation.ics)
    row = db.session.scalars(select(OutboxMessage)).one()
    assert row.kind == "booking_cancelled"
    assert row.ics_method == "CANCEL"
    assert str(read(row.ics)["METHOD"]) == "CANCEL"
    cancel = only_event(row.ics)
    assert cancel["UID"] == sent["UID"]
    assert cancel["SEQUENCE"] > sent["SEQUENCE"]
    assert str(cancel["STATUS"]) == "CANCELLED"
    assert "as you asked" in row.body_text
    assert_readers_agree(row.ics)


def test_staff_cancellation_says_who_cancelled():
    staff = make_user("staff")
    booking = make_booking(make_session())
    email = messages.booking_cancelled(booking, by=staff)
    assert "Our training team has cancelled your booking" in email.body_text
    assert email.ics_method == "CANCEL"


def _reschedule_elsewhere(app, session_id: int, starts_at: datetime) -> None:
    """A staff reschedule committed by another request while this one was under way."""
    with app.app_context():
        reschedule_session(
            session_id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            venue_name="Town Hall",
            venue_address="2 Market Square",
            online_url="",
        )
        db.session.commit()


def test_cancel_racing_a_reschedule_promotes_with_the_new_time_and_sequence(app):
    from bookings.booking import service

    session = make_session(starts_at=WINTER, capacity=1)
    leaving = make_booking(session)
    waiting = make_booking(session, status="waitlisted")
    assert leaving.session.starts_at == WINTER  # this request has read the session
    _reschedule_elsewhere(app, session.id, SUMMER)

    service.cancel(leaving.id, leaving.learner)
    db.session.commit()

    cancel = only_event(_queued("booking_cancelled")[leaving.id].ics)
    assert cancel["SEQUENCE"] == 2  # above the update the learner was just sent
    invite = only_event(_queued("promoted")[waiting.id].ics)
    assert invite["SEQUENCE"] == 1
    assert invite.decoded("DTSTART") == SUMMER
    assert "Town Hall" in str(invite["LOCATION"])


def test_booking_racing_a_reschedule_is_confirmed_with_the_new_time(app):
    from bookings.booking import service

    session = make_session(starts_at=WINTER, capacity=5)
    learner = make_user()
    assert session.starts_at == WINTER
    _reschedule_elsewhere(app, session.id, SUMMER)

    booking = service.book(session.id, learner, service.Needs(consent=True))
    db.session.commit()

    invite = only_event(_queued("booking_confirmed")[booking.id].ics)
    assert invite["SEQUENCE"] == 1 and invite.decoded("DTSTART") == SUMMER


def test_two_reschedules_one_after_the_other_raise_the_revision_twice(app):
    session = make_session(starts_at=WINTER)
    make_booking(session)
    assert session.revision == 0
    _reschedule_elsewhere(app, session.id, SUMMER)

    reschedule_session(
        session.id,
        starts_at=SUMMER + timedelta(days=1),
        ends_at=SUMMER + timedelta(days=1, hours=2),
        venue_name="Town Hall",
        venue_address="2 Market Square",
        online_url="",
    )
    db.session.commit()

    db.session.expire_all()
    assert db.session.get(Session, session.id).revision == 2
    sequences = sorted(only_event(m.ics)["SEQUENCE"] for m in _all("session_rescheduled"))
    assert sequences == [1, 2]


def _all(kind: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))
