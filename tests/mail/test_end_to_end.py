"""From the booking form to the learner's inbox, through the booking service."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bookings.booking import service
from bookings.extensions import db
from bookings.models import Booking, OutboxMessage

from ..conftest import login_as, post_form
from ..factories import make_course, make_session, make_user
from ..ics_checks import assert_readers_agree, only_event
from ..smtp_server import Collector, SmtpServer

CONSENT = {"consent": "y", "access_needs": "", "dietary_needs": ""}


def _calendar(email):
    alternative = email.get_payload()[0]
    return alternative.get_payload()[2]


def test_booking_succeeds_with_server_down_and_mail_follows_once_it_is_up(
    client, runner, closed_port
):
    # Free, so the only email is the confirmation (invoices: tests/payments).
    session = make_session(
        make_course(price_voluntary_pence=0),
        starts_at=datetime(2030, 7, 18, 9, 0, tzinfo=UTC),
        capacity=1,
    )
    learner = make_user(email="ann@example.org")
    login_as(client, learner)

    response = post_form(client, f"/sessions/{session.id}/book", CONSENT)

    assert response.status_code == 302
    booking = db.session.scalars(select(Booking)).one()
    assert booking.status == "confirmed"
    assert runner.invoke(args=["outbox", "send"]).exit_code == 0
    assert db.session.scalars(select(OutboxMessage.status)).all() == ["pending"]

    server = SmtpServer(Collector(), port=closed_port).start()
    try:
        runner.invoke(args=["outbox", "send"])
        runner.invoke(args=["outbox", "send"])
    finally:
        server.stop()
    (email,) = server.handler.messages
    assert email["To"] == "ann@example.org"
    calendar = _calendar(email)
    assert calendar.get_param("method") == "REQUEST"
    event = only_event(calendar.get_content())
    assert str(event["UID"]) == f"booking-{booking.reference}@medwayvolunteers.org.uk"
    assert_readers_agree(calendar.get_content())


def test_cancellation_promotes_the_waiting_learner_who_gets_an_invitation(runner, smtp):
    session = make_session(
        make_course(price_voluntary_pence=0),
        starts_at=datetime(2030, 1, 17, 10, 0, tzinfo=UTC),
        capacity=1,
    )
    first, second = make_user(), make_user()
    held = service.book(session.id, first, service.Needs(consent=True))
    db.session.commit()
    waiting = service.book(session.id, second, service.Needs(consent=True))
    db.session.commit()
    assert waiting.status == "waitlisted"

    service.cancel(held.id, by=first)
    db.session.commit()
    runner.invoke(args=["outbox", "send"])

    by_recipient = {}
    for email in smtp.messages:
        by_recipient.setdefault(email["To"], []).append(email)
    kinds = {to: [e["Subject"].split(":")[0] for e in mails] for to, mails in by_recipient.items()}
    assert kinds[first.email] == ["Booking confirmed", "Booking cancelled"]
    assert kinds[second.email] == ["On the waiting list", "A place is now yours"]
    confirmed, cancelled = by_recipient[first.email]
    sent = only_event(_calendar(confirmed).get_content())
    withdrawn = only_event(_calendar(cancelled).get_content())
    assert _calendar(cancelled).get_param("method") == "CANCEL"
    assert withdrawn["UID"] == sent["UID"] and withdrawn["SEQUENCE"] > sent["SEQUENCE"]
    waitlisted, promoted = by_recipient[second.email]
    assert waitlisted.get_content_type() == "multipart/alternative"  # no invitation
    invitation = only_event(_calendar(promoted).get_content())
    assert str(invitation["UID"]) == f"booking-{waiting.reference}@medwayvolunteers.org.uk"
    assert str(invitation["STATUS"]) == "CONFIRMED"
