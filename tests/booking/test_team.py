"""Team bookings and substitutes, through the service: capacity, emails, calendars, money."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import vobject
from sqlalchemy import select

from bookings.booking import service, team
from bookings.booking.team import Attendee
from bookings.enums import BookingStatus, CreditReason
from bookings.errors import SubstitutionRefused, TeamBookingError
from bookings.extensions import db
from bookings.models import Booking, CreditNote, Invoice, User

from ..factories import make_course, make_session, make_user
from ..ics_checks import assert_readers_agree, only_event
from ..mail.conftest import mail_config, smtp  # noqa: F401  (fixtures)
from .conftest import run_in_threads


def people(prefix: str, count: int) -> list[Attendee]:
    return [Attendee(f"{prefix} {n}", f"{prefix.lower()}{n}@example.org") for n in range(count)]


def book_team(session, organiser, attendees, with_organiser=False, **kwargs):
    bookings = team.book_team(
        session.id, organiser, attendees, with_organiser=with_organiser, **kwargs
    )
    db.session.commit()
    return bookings


def _book_for(organiser_id: int, session_id: int, prefix: str):
    organiser = db.session.get(User, organiser_id)
    bookings = team.book_team(session_id, organiser, people(prefix, 4), with_organiser=False)
    db.session.commit()
    return prefix, [(b.learner.email, b.status, b.waiting_position) for b in bookings]


def test_two_organisers_asking_for_four_of_five_places_get_five_and_three_waiting(
    concurrent_app,
):
    session = make_session(capacity=5)
    first, second = make_user(), make_user()
    results, errors = run_in_threads(
        concurrent_app,
        _book_for,
        [(first.id, session.id, "Alpha"), (second.id, session.id, "Beta")],
    )
    assert errors == []
    db.session.expire_all()
    rows = db.session.scalars(select(Booking).where(Booking.session_id == session.id)).all()
    assert sum(b.has_place for b in rows) == 5
    assert sorted(b.waiting_position for b in rows if b.is_waiting) == [1, 2, 3]
    assert db.session.get(type(session), session.id).seats_taken == 5
    # One group was served whole; the other, served after it, got the last place for its
    # first attendee and the waiting list for the rest, in the order it gave.
    by_group = dict(results)
    whole = [g for g, rows in by_group.items() if all(s == "confirmed" for _, s, _ in rows)]
    assert len(whole) == 1
    [(later, rows)] = [(g, r) for g, r in by_group.items() if g not in whole]
    assert [(s, p) for _, s, p in rows] == [
        ("confirmed", None),
        ("waitlisted", 1),
        ("waitlisted", 2),
        ("waitlisted", 3),
    ]


def test_each_attendee_gets_their_own_email_and_uid_and_the_organiser_a_summary(
    runner,
    smtp,  # noqa: F811
):
    session = make_session(starts_at=datetime(2030, 3, 5, 10, 0, tzinfo=UTC), capacity=10)
    organiser = make_user(name="Volunteer Manager", organisation="Carers Trust")
    bookings = book_team(session, organiser, people("Vol", 3), with_organiser=True)
    assert runner.invoke(args=["outbox", "send"]).exit_code == 0
    by_to = {}
    for email in smtp.messages:
        by_to.setdefault(email["To"], []).append(email)
    attendees = {f"vol{n}@example.org" for n in range(3)}
    assert set(by_to) == {organiser.email, *attendees}
    subjects = sorted(str(e["Subject"]).split(":")[0] for e in by_to[organiser.email])
    # Their own place, the summary, and one invoice for the four priced places.
    assert subjects[:2] == [
        "Booking confirmed",
        "Invoice INV-2026-00001 from Medway Volunteer Network",
    ]
    assert subjects[2] == "Places booked for your team"
    uids = set()
    for booking in bookings:
        [confirmation] = [
            e for e in by_to[booking.learner.email] if e["Subject"].startswith("Booking confirmed")
        ]
        calendar = confirmation.get_payload()[0].get_payload()[2]
        event = only_event(calendar.get_content())
        uids.add(str(event["UID"]))
        assert_readers_agree(calendar.get_content())
    assert len(uids) == 4
    # A new attendee is told how to make their account; the organiser is named.
    text = by_to["vol0@example.org"][0].get_payload()[0].get_payload()[0].get_content()
    assert "create your account" in text and "Volunteer Manager booked this place" in text
    # The attendees are in the organiser's organisation and sector.
    vol = db.session.scalar(select(User).where(User.email == "vol0@example.org"))
    assert (vol.organisation, vol.sector, vol.has_password) == ("Carers Trust", "voluntary", False)


def test_substitute_gets_a_fresh_invitation_and_the_old_attendee_a_cancel(
    runner,
    smtp,  # noqa: F811
):
    session = make_session(starts_at=datetime(2030, 3, 5, 10, 0, tzinfo=UTC), capacity=1)
    organiser = make_user()
    [booking] = book_team(session, organiser, [Attendee("Sam Old", "sam@example.org")])
    waiting = service.book(session.id, make_user(), service.Needs(consent=True))
    db.session.commit()
    old_uid = f"booking-{booking.reference}@medwayvolunteers.org.uk"
    runner.invoke(args=["outbox", "send"])
    smtp.messages.clear()

    moved = team.substitute(booking.id, "Priya New", "priya@example.org", organiser)
    db.session.commit()
    assert (moved.reference, moved.price_pence, moved.status) == (
        booking.reference,
        booking.price_pence,
        BookingStatus.CONFIRMED,
    )
    assert db.session.get(Booking, waiting.id).is_waiting  # the waiting list is untouched
    runner.invoke(args=["outbox", "send"])
    by_to = {e["To"]: e for e in smtp.messages}
    cancel = by_to["sam@example.org"].get_payload()[0].get_payload()[2]
    invite = by_to["priya@example.org"].get_payload()[0].get_payload()[2]
    assert cancel.get_param("method") == "CANCEL" and invite.get_param("method") == "REQUEST"
    cancelled, invited = only_event(cancel.get_content()), only_event(invite.get_content())
    assert str(cancelled["UID"]) == old_uid and str(cancelled["STATUS"]) == "CANCELLED"
    assert str(invited["UID"]) != old_uid
    for part in (cancel, invite):
        assert_readers_agree(part.get_content())
        parsed = vobject.readOne(part.get_content())
        assert parsed.vevent.uid.value == str(only_event(part.get_content())["UID"])
    assert vobject.readOne(cancel.get_content()).method.value == "CANCEL"


def test_bad_teams_are_refused_with_the_field_named():
    session = make_session(capacity=10)
    organiser = make_user()
    twice = [Attendee("A", "same@example.org"), Attendee("B", "SAME@example.org")]
    with pytest.raises(TeamBookingError) as exc:
        team.book_team(session.id, organiser, twice, with_organiser=False)
    assert exc.value.field == "attendees-1-email"
    db.session.rollback()

    already = make_user(email="booked@example.org")
    service.book(session.id, already, service.Needs(consent=True))
    db.session.commit()
    with pytest.raises(TeamBookingError) as exc:
        team.book_team(
            session.id,
            organiser,
            [Attendee("X", "x@example.org"), Attendee("Booked", "Booked@example.org")],
            with_organiser=False,
        )
    assert exc.value.field == "attendees-1-email"
    db.session.rollback()

    with pytest.raises(TeamBookingError) as exc:
        team.book_team(session.id, organiser, people("Many", 200), with_organiser=False)
    assert exc.value.field == "attendees"
    db.session.rollback()
    assert db.session.scalar(select(Booking.id).where(Booking.learner_id != already.id)) is None


def test_a_substitute_already_on_the_session_is_refused():
    session = make_session(capacity=10)
    organiser = make_user()
    [booking] = book_team(session, organiser, [Attendee("Sam", "sam@example.org")])
    other = make_user(email="other@example.org")
    service.book(session.id, other, service.Needs(consent=True))
    db.session.commit()
    with pytest.raises(TeamBookingError) as exc:
        team.substitute(booking.id, "Other", "other@example.org", organiser)
    assert exc.value.field == "email"
    db.session.rollback()
    assert db.session.get(Booking, booking.id).learner.email == "sam@example.org"


def test_only_the_organiser_the_attendee_or_staff_may_substitute_before_the_start():
    session = make_session(capacity=10, starts_in=timedelta(days=3))
    organiser = make_user()
    [booking] = book_team(session, organiser, [Attendee("Sam", "sam@example.org")])
    stranger = make_user()
    with pytest.raises(SubstitutionRefused):
        team.substitute(booking.id, "P", "p@example.org", stranger)
    db.session.rollback()
    assert booking.substitutable_by(booking.learner)
    assert booking.substitutable_by(make_user("staff"))
    assert not booking.substitutable_by(organiser, now=session.starts_at)


def test_a_team_paid_by_the_organisation_gets_one_invoice_with_a_line_each(app):
    course = make_course(price_private_pence=6500, price_voluntary_pence=6500)
    session = make_session(course, capacity=10, starts_in=timedelta(days=30))
    organiser = make_user()
    bookings = book_team(session, organiser, people("Paid", 3))
    [invoice] = db.session.scalars(select(Invoice)).all()
    assert invoice.user_id == organiser.id
    assert sorted(line.booking_id for line in invoice.lines) == sorted(b.id for b in bookings)
    assert invoice.total_pence == 3 * 6500
    # A substitution changes no amount; cancelling one attendee credits their line.
    team.substitute(bookings[0].id, "Sub", "sub@example.org", organiser)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id).total_pence == 3 * 6500
    service.cancel(bookings[1].id, organiser)
    db.session.commit()
    [note] = db.session.scalars(select(CreditNote)).all()
    assert (note.total_pence, note.reason) == (6500, CreditReason.CANCELLED)
    assert note.line.booking_id == bookings[1].id
