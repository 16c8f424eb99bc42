"""The booking's write path: made ready from the session as read, written after the seat
update in a few statements, made again when the seat update finds the session changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from bookings.booking import service
from bookings.booking.service import Needs
from bookings.errors import AlreadyBooked
from bookings.extensions import db
from bookings.models import Booking, Invoice, OutboxMessage, Session
from bookings.payments.issuing import NUMBER_TO_COME

from ..factories import make_course, make_session, make_user
from ..statements import counting_statements

YEAR = datetime.now(UTC).year


def priced_session(**fields) -> Session:
    course = make_course(price_private_pence=4500, price_voluntary_pence=0)
    return make_session(course, **fields)


def meanwhile(statement) -> None:
    """Another request's change, committed on a connection of its own."""
    with db.engine.begin() as connection:
        connection.execute(statement)


def messages_about(booking_id: int) -> list[OutboxMessage]:
    return list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.booking_id == booking_id))
    )


def test_the_last_place_taken_meanwhile_puts_the_learner_on_the_waiting_list_unbilled():
    session = priced_session(capacity=1)
    learner = make_user(sector="private")
    db.session.commit()
    # Read with one place left; another booking takes it before this one writes.
    assert db.session.get(Session, session.id).seats_taken == 0
    meanwhile(update(Session).where(Session.id == session.id).values(seats_taken=1))
    booking = service.book(session.id, learner, Needs(consent=True))
    db.session.commit()
    assert booking.is_waiting and booking.waiting_position == 1
    [message] = messages_about(booking.id)
    assert message.kind == "waitlisted" and message.ics is None
    assert db.session.scalars(select(Invoice)).all() == []
    # No number was drawn for the place that was not had: the next invoice is the first.
    other = priced_session(capacity=5)
    service.book(other.id, make_user(sector="private"), Needs(consent=True))
    db.session.commit()
    [invoice] = db.session.scalars(select(Invoice)).all()
    assert invoice.number == f"INV-{YEAR}-00001"


def test_a_session_edited_meanwhile_is_read_again_and_the_emails_carry_the_edit():
    starts = datetime(2037, 3, 4, 10, 0, tzinfo=UTC)
    session = priced_session(capacity=5, starts_at=starts)
    learner = make_user(sector="private")
    db.session.commit()
    assert db.session.get(Session, session.id).starts_at == starts
    moved = starts + timedelta(days=7)
    meanwhile(
        update(Session)
        .where(Session.id == session.id)
        .values(
            starts_at=moved,
            ends_at=moved + timedelta(hours=3),
            revision=Session.revision + 1,
            updated_at=datetime.now(UTC),
        )
    )
    booking = service.book(session.id, learner, Needs(consent=True))
    db.session.commit()
    confirmation, invoice_email = sorted(messages_about(booking.id) + invoice_messages(), key=kind)
    assert confirmation.kind == "booking_confirmed"
    assert "Wed 11 Mar 2037" in confirmation.body_text
    assert "DTSTART;TZID=Europe/London:20370311T100000" in confirmation.ics
    assert "SEQUENCE:1" in confirmation.ics
    assert "11 Mar 2037" in invoice_email.body_text


def invoice_messages() -> list[OutboxMessage]:
    return list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "invoice_issued"))
    )


def kind(message: OutboxMessage) -> str:
    return message.kind


def test_the_invoice_email_carries_its_number_and_never_the_placeholder():
    session = priced_session(capacity=10)
    bookings = [
        service.book(session.id, make_user(sector="private"), Needs(consent=True)) for _ in range(3)
    ]
    db.session.commit()
    numbers = [f"INV-{YEAR}-{n:05d}" for n in (1, 2, 3)]
    emails = sorted(invoice_messages(), key=lambda m: m.id)
    assert [m.attachment for m in emails] == [f"invoice:{n}" for n in numbers]
    for message, number in zip(emails, numbers, strict=True):
        assert message.subject.startswith(f"Invoice {number} from ")
        assert number in message.body_text and number in message.body_html
    for message in db.session.scalars(select(OutboxMessage)):
        for text in (message.subject, message.body_text, message.body_html, message.attachment):
            assert NUMBER_TO_COME not in (text or "")
    assert all(b.id is not None for b in bookings)


def test_the_booking_is_persisted_whole_and_nothing_is_left_to_write_or_load():
    session = priced_session(capacity=10)
    learner = make_user(sector="private")
    # The year's first invoice makes its counter row; this test counts the ones after.
    service.book(session.id, make_user(sector="private"), Needs(consent=True))
    db.session.commit()
    db.session.get(Session, session.id)
    with counting_statements() as statements:
        booking = service.book(session.id, learner, Needs(access="Ramp", consent=True))
        # Everything about the new booking is readable without another statement.
        seen = (booking.id, booking.reference, booking.created_at, booking.substitutions)
        assert not db.session.new and not db.session.dirty
    written = [s for s in statements if s.split()[0] in ("INSERT", "UPDATE")]
    # Seat, booking, its email, invoice number, invoice, its line, its email.
    assert len(written) == 7, written
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Booking, booking.id)
    assert (stored.id, stored.reference, stored.created_at, stored.substitutions) == seen
    assert stored.access_needs == "Ramp" and stored.price_pence == 4500
    assert stored.session_id == session.id and stored.learner_id == learner.id
    assert stored.booked_by_id == learner.id


def test_booking_again_gives_the_existing_booking_and_leaves_no_trace():
    """No look for an existing booking before writing: the unique index refuses the
    second, and everything that attempt wrote (seat, position, number, emails) goes."""
    full = priced_session(capacity=1)
    first, second = make_user(sector="private"), make_user(sector="private")
    held = service.book(full.id, first, Needs(consent=True))
    waiting = service.book(full.id, second, Needs(consent=True))
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    for learner, booking in ((first, held), (second, waiting)):
        with pytest.raises(AlreadyBooked) as refused:
            service.book(full.id, learner, Needs(consent=True))
        assert refused.value.booking.id == booking.id
        db.session.rollback()
    db.session.expire_all()
    session = db.session.get(Session, full.id)
    assert (session.seats_taken, session.waitlist_last) == (1, 1)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == before
    [invoice] = db.session.scalars(select(Invoice)).all()
    # The refused attempt's number went back: the next invoice follows on.
    service.book(priced_session(capacity=3).id, make_user(sector="private"), Needs(consent=True))
    db.session.commit()
    numbers = sorted(db.session.scalars(select(Invoice.number)))
    assert numbers == [invoice.number, f"INV-{YEAR}-00002"]
