"""Delivery from the outbox to a real SMTP server on loopback."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bookings.extensions import db
from bookings.mail import messages, outbox
from bookings.models import OutboxMessage

from ..factories import make_booking, make_course, make_session, make_user
from ..ics_checks import LONDON, assert_london_vtimezone, assert_readers_agree, only_event, read
from ..smtp_server import Deferring, Rejecting, SmtpServer
from .conftest import use_server


def _confirmed_booking(starts_at: datetime, **session_fields):
    course = make_course(title="Living with ADHD", slug="living-with-adhd")
    session = make_session(course, starts_at=starts_at, hours=3, **session_fields)
    learner = make_user(name="Ann Smith", email="ann@example.org", sector="voluntary")
    booking = make_booking(session, learner)
    outbox.enqueue(messages.booking_confirmed(booking))
    db.session.commit()
    return booking


def _outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _send(runner, *args):
    result = runner.invoke(args=["outbox", "send", *args])
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize(
    ("starts_at", "local_text", "offset_hours"),
    [
        (datetime(2030, 1, 17, 10, 0, tzinfo=UTC), "Thu 17 Jan 2030, 10:00 to 13:00", 0),
        (datetime(2030, 7, 18, 9, 0, tzinfo=UTC), "Thu 18 Jul 2030, 10:00 to 13:00", 1),
    ],
    ids=["winter-gmt", "summer-bst"],
)
def test_confirmation_arrives_once_with_invitation_matching_the_body(
    runner, smtp, starts_at, local_text, offset_hours
):
    booking = _confirmed_booking(starts_at)

    result = _send(runner)

    assert "Sent 1" in result.output
    assert len(smtp.envelopes) == 1
    envelope = smtp.envelopes[0]
    assert envelope.rcpt_tos == ["ann@example.org"]
    assert envelope.mail_from == "training@medwayvolunteers.org.uk"
    email = smtp.messages[0]
    row = _outbox()[0]
    assert row.status == "sent" and row.sent_at is not None
    assert email["Message-ID"] == row.message_id
    assert "Medway Volunteer Network" in email["From"]
    assert email["Subject"] == "Booking confirmed: Living with ADHD"

    # multipart/mixed > multipart/alternative (text, html, calendar) + invite.ics
    assert email.get_content_type() == "multipart/mixed"
    alternative, attachment = email.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    text, html, calendar = alternative.get_payload()
    assert text.get_content_type() == "text/plain"
    assert html.get_content_type() == "text/html"
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_param("charset") == "UTF-8"
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content_disposition() == "attachment"
    ics_text = calendar.get_content()
    assert attachment.get_content().decode("utf-8") == ics_text

    body = text.get_content()
    assert booking.reference in body
    assert "Living with ADHD" in body
    assert local_text in body
    assert "£25.00" in body
    assert "Community Hub" in body
    assert "http://localhost/account/bookings" in body
    html_body = html.get_content()
    assert local_text in html_body and booking.reference in html_body
    assert "<table" in html_body and "<img" not in html_body

    cal = read(ics_text)
    assert str(cal["METHOD"]) == "REQUEST"
    assert_london_vtimezone(ics_text)
    (event,) = cal.walk("VEVENT")
    assert str(event["UID"]) == f"booking-{booking.reference}@medwayvolunteers.org.uk"
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event["DTEND"].params["TZID"] == "Europe/London"
    start = event.decoded("DTSTART")
    assert start == starts_at
    assert start.astimezone(LONDON).utcoffset().total_seconds() == offset_hours * 3600
    # The time the learner reads in the email is DTSTART in Europe/London.
    written = re.search(r"When:\s+\w{3} \d+ \w{3} \d{4}, (\d\d:\d\d) to (\d\d:\d\d)", body)
    assert written.group(1) == start.astimezone(LONDON).strftime("%H:%M")
    assert written.group(2) == event.decoded("DTEND").astimezone(LONDON).strftime("%H:%M")
    assert str(event["SUMMARY"]) == "Living with ADHD"
    assert "Community Hub" in str(event["LOCATION"])
    assert booking.reference in str(event["DESCRIPTION"])
    assert "http://localhost/account/bookings" in str(event["DESCRIPTION"])
    assert str(event["URL"]) == "http://localhost/account/bookings"
    assert str(event["STATUS"]) == "CONFIRMED"
    organizer = event["ORGANIZER"]
    assert str(organizer) == "mailto:training@medwayvolunteers.org.uk"
    assert organizer.params["CN"] == "Medway Volunteer Network"
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:ann@example.org"
    assert attendee.params["CN"] == "Ann Smith"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert attendee.params["PARTSTAT"] == "ACCEPTED"
    assert attendee.params["RSVP"] == "FALSE"

    # A second reader agrees on the local time, in winter and in summer.
    starts = assert_readers_agree(ics_text)
    assert starts[str(event["UID"])].strftime("%H:%M") == "10:00"

    # Nothing goes twice.
    assert "Sent 0" in _send(runner).output
    assert len(smtp.envelopes) == 1


def test_online_session_gives_the_joining_link(runner, smtp):
    _confirmed_booking(
        datetime(2030, 3, 5, 14, 0, tzinfo=UTC),
        venue_name="",
        venue_address="",
        online_url="https://meet.example.org/adhd",
    )
    _send(runner)
    email = smtp.messages[0]
    text = email.get_body(("plain",)).get_content()
    assert "https://meet.example.org/adhd" in text
    ics_text = email.get_payload()[0].get_payload()[2].get_content()
    (event,) = read(ics_text).walk("VEVENT")
    assert str(event["LOCATION"]) == "https://meet.example.org/adhd"


def test_server_refusing_connections_keeps_message_until_it_is_back(runner, closed_port):
    _confirmed_booking(datetime(2030, 1, 17, 10, 0, tzinfo=UTC))

    result = _send(runner)

    assert "Sent 0" in result.output
    (row,) = _outbox()
    assert row.status == "pending"
    assert row.attempts == 1
    assert "refused" in row.last_error.lower() or "errno" in row.last_error.lower()
    assert row.lease_until is None

    server = SmtpServer(Deferring(times=0), port=closed_port).start()
    try:
        _send(runner)
        _send(runner)
    finally:
        server.stop()
    assert len(server.handler.envelopes) == 1
    (row,) = _outbox()
    assert row.status == "sent"
    assert server.handler.message_ids() == [row.message_id]


def test_server_down_never_makes_a_message_fail(runner, closed_port, mail_config):
    mail_config["OUTBOX_MAX_ATTEMPTS"] = 2
    _confirmed_booking(datetime(2030, 1, 17, 10, 0, tzinfo=UTC))
    for _ in range(4):
        _send(runner)
    (row,) = _outbox()
    assert row.status == "pending"
    assert row.attempts == 4


def test_deferred_message_is_delivered_on_a_later_attempt(runner, mail_config):
    server = SmtpServer(Deferring(times=2)).start()
    use_server(mail_config, server)
    try:
        _confirmed_booking(datetime(2030, 7, 18, 9, 0, tzinfo=UTC))
        _send(runner)
        (row,) = _outbox()
        assert row.status == "pending" and row.attempts == 1
        assert row.last_error.startswith("451")
        _send(runner)
        assert _outbox()[0].attempts == 2
        _send(runner)
        _send(runner)
    finally:
        server.stop()
    assert server.handler.deferred == 2
    assert len(server.handler.envelopes) == 1
    (row,) = _outbox()
    assert row.status == "sent" and row.attempts == 3


def test_retry_waits_longer_after_each_temporary_failure(runner, mail_config):
    mail_config["OUTBOX_RETRY_BASE_SECONDS"] = 30
    server = SmtpServer(Deferring(times=5)).start()
    use_server(mail_config, server)
    try:
        _confirmed_booking(datetime(2030, 7, 18, 9, 0, tzinfo=UTC))
        _send(runner)
        first = _outbox()[0]
        wait = (first.next_attempt_at - datetime.now(UTC)).total_seconds()
        assert 25 < wait <= 34
        # Not due yet: another run leaves it alone.
        _send(runner)
        assert _outbox()[0].attempts == 1
        first.next_attempt_at = datetime.now(UTC)
        db.session.commit()
        _send(runner)
        second = _outbox()[0]
        wait = (second.next_attempt_at - datetime.now(UTC)).total_seconds()
        assert 55 < wait <= 67
    finally:
        server.stop()


def test_permanent_refusal_marks_failed_and_keeps_the_error(runner, mail_config):
    server = SmtpServer(Rejecting()).start()
    use_server(mail_config, server)
    try:
        _confirmed_booking(datetime(2030, 1, 17, 10, 0, tzinfo=UTC))
        _send(runner)
        _send(runner)
    finally:
        server.stop()
    (row,) = _outbox()
    assert row.status == "failed"
    assert row.attempts == 1
    assert row.last_error.startswith("550")
    assert "No such mailbox" in row.last_error


def test_message_deferred_too_often_fails(runner, mail_config):
    mail_config["OUTBOX_MAX_ATTEMPTS"] = 3
    server = SmtpServer(Deferring(times=10)).start()
    use_server(mail_config, server)
    try:
        _confirmed_booking(datetime(2030, 1, 17, 10, 0, tzinfo=UTC))
        for _ in range(4):
            _send(runner)
    finally:
        server.stop()
    (row,) = _outbox()
    assert row.status == "failed" and row.attempts == 3
    assert "gave up after 3 attempts" in row.last_error
    assert server.handler.deferred == 3


def test_staff_retry_queues_failed_messages_again(runner, mail_config):
    server = SmtpServer(Rejecting()).start()
    use_server(mail_config, server)
    try:
        _confirmed_booking(datetime(2030, 1, 17, 10, 0, tzinfo=UTC))
        _send(runner)
    finally:
        server.stop()
    (row,) = _outbox()
    assert row.status == "failed"
    assert outbox.retry(row.id) is True
    db.session.commit()
    assert _outbox()[0].status == "pending"
    good = SmtpServer(Deferring(times=0)).start()
    use_server(mail_config, good)
    try:
        _send(runner)
    finally:
        good.stop()
    assert _outbox()[0].status == "sent"
    assert len(good.handler.envelopes) == 1


def test_retry_all_failed_counts_what_it_queued(mail_config):
    booking = _confirmed_booking(datetime(2030, 1, 17, 10, 0, tzinfo=UTC))
    for _ in range(2):
        outbox.enqueue(messages.booking_confirmed(booking))
    db.session.commit()
    rows = _outbox()
    rows[0].status = rows[1].status = "failed"
    db.session.commit()
    assert outbox.retry_all_failed() == 2
    db.session.commit()
    assert {r.status for r in _outbox()} == {"pending"}


def test_without_mail_server_messages_become_eml_files(runner, mail_config):
    mail_config["MAIL_SERVER"] = None
    booking = _confirmed_booking(datetime(2030, 1, 17, 10, 0, tzinfo=UTC))
    _send(runner)
    files = list(Path(mail_config["MAIL_DIR"]).glob("*.eml"))
    assert len(files) == 1
    email = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert email["To"] == "ann@example.org"
    assert booking.reference in email.get_body(("plain",)).get_content()
    calendar = email.get_payload()[0].get_payload()[2]
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_param("method") == "REQUEST"
    assert email.get_payload()[1].get_filename() == "invite.ics"
    assert _outbox()[0].status == "sent"


def test_claimed_message_is_left_to_its_sender_until_the_lease_runs_out(mail_config):
    _confirmed_booking(datetime(2030, 1, 17, 10, 0, tzinfo=UTC))
    (first,) = outbox.claim_batch("sender-a", 10)
    assert first.claimed_by.startswith("sender-a")
    assert outbox.claim_batch("sender-b", 10) == []

    # sender-a crashed: once its lease runs out, another sender takes the message.
    first.lease_until = datetime(2000, 1, 1, tzinfo=UTC)
    db.session.commit()
    (again,) = outbox.claim_batch("sender-b", 10)
    assert again.id == first.id and again.claimed_by.startswith("sender-b")


def test_sender_whose_lease_ran_out_leaves_the_message_to_the_sender_that_took_it(smtp):
    booking = _confirmed_booking(datetime(2030, 1, 17, 10, 0, tzinfo=UTC))
    outbox.enqueue(messages.reminder(booking))
    db.session.commit()
    # sender-a claims both, then is slow: its leases run out before it sends them.
    slow = outbox.claim_batch("sender-a", 10)
    assert len(slow) == 2
    for message in slow:
        db.session.expunge(message)  # as held in sender-a's own process
    db.session.execute(update(OutboxMessage).values(lease_until=datetime(2000, 1, 1, tzinfo=UTC)))
    db.session.commit()
    taken = outbox.claim_batch("sender-b", 10)
    assert outbox.deliver_batch(taken) == {"sent": 2, "retrying": 0, "failed": 0}

    assert outbox.deliver_batch(slow) == {"sent": 0, "retrying": 0, "failed": 0}
    assert sorted(smtp.message_ids()) == sorted(m.message_id for m in _outbox())
    assert [m.status for m in _outbox()] == ["sent", "sent"]


def test_odd_text_in_titles_names_and_places_arrives_intact_and_harmless(runner, smtp):
    import vobject

    course = make_course(title="First aid\r\nBcc: evil@example.org", slug="first-aid")
    session = make_session(
        course,
        starts_at=datetime(2030, 1, 17, 10, 0, tzinfo=UTC),
        venue_name='Hall; A, "B"\nRoom 2',
        venue_address="Ærø Street, Chatham",
    )
    learner = make_user(name='Zoë O\'Brien, "Jo"; <b>x</b>\nBcc: y@z', email="zoe@example.org")
    booking = make_booking(session, learner, access_needs="<script>alert(1)</script>")
    outbox.enqueue(messages.booking_confirmed(booking))
    db.session.commit()

    assert "Sent 1" in _send(runner).output
    (email,) = smtp.messages
    assert email["Subject"] == "Booking confirmed: First aid Bcc: evil@example.org"
    assert email["Bcc"] is None and smtp.envelopes[0].rcpt_tos == ["zoe@example.org"]
    _text, html, calendar = email.get_payload()[0].get_payload()
    assert "<b>x</b>" not in html.get_content() and "&lt;b&gt;x&lt;/b&gt;" in html.get_content()

    ics_text = calendar.get_content()
    event = only_event(ics_text)
    parsed = vobject.readOne(ics_text).vevent
    place = 'Hall; A, "B"\nRoom 2, Ærø Street, Chatham'
    assert str(event["LOCATION"]) == parsed.location.value == place
    assert str(event["SUMMARY"]) == parsed.summary.value == "First aid\nBcc: evil@example.org"
    name = "Zoë O'Brien, 'Jo'; <b>x</b> Bcc: y@z"
    assert event["ATTENDEE"].params["CN"] == name
    assert parsed.attendee.params["CN"] == [name]
    assert_readers_agree(ics_text)
