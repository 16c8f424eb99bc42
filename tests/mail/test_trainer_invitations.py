"""Trainers' calendars follow their sessions: invitations, updates and cancellations,
delivered through a real SMTP server on loopback and read back by two readers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import vobject
from sqlalchemy import select

from bookings.booking.schedule import cancel_session, set_trainer
from bookings.extensions import db
from bookings.models import OutboxMessage, Session

from ..catalogue.test_import import row, run_import
from ..conftest import login_as, post_form
from ..factories import make_booking, make_course, make_session, make_user
from ..ics_checks import LONDON, assert_london_vtimezone, assert_readers_agree, only_event, read

ORG = "training@medwayvolunteers.org.uk"
SUMMER = datetime(2030, 7, 1, 9, 0, tzinfo=UTC)  # 10:00 BST


@pytest.fixture
def people():
    return {
        "tess": make_user("trainer", name="Tess Trainer", email="tess@example.org"),
        "oscar": make_user("trainer", name="Oscar Other", email="oscar@example.org"),
        "staff": make_user("staff", name="Sam Staff", email="sam@example.org"),
    }


@pytest.fixture
def course():
    return make_course(title="Living with ADHD", slug="living-with-adhd")


class Invitation:
    """One calendar email as the trainer's mail program gets it, read by both readers."""

    def __init__(self, email):
        self.email = email
        calendar = email.get_payload()[0].get_payload()[2]
        self.method = calendar.get_param("method")
        self.text = calendar.get_content()
        self.event = only_event(self.text)
        self.uid = str(self.event["UID"])
        self.sequence = self.event["SEQUENCE"]
        self.vevent = vobject.readOne(self.text).vevent

    @property
    def starts(self) -> datetime:
        return self.event.decoded("DTSTART").astimezone(LONDON)


def deliver(runner, smtp) -> dict[str, list[Invitation]]:
    """Send what the outbox holds; each recipient's calendar emails so far, oldest first."""
    assert runner.invoke(args=["outbox", "send"]).exit_code == 0
    found: dict[str, list[Invitation]] = {}
    for email in smtp.messages:
        found.setdefault(email["To"], []).append(Invitation(email))
    return found


def assert_valid_for_trainer(invitation: Invitation, trainer, method: str) -> None:
    """The file every calendar client takes: METHOD in the file and the MIME part alike,
    the organisation organising, the trainer in the chair, London times both readers agree on."""
    assert invitation.method == method
    assert str(read(invitation.text)["METHOD"]) == method
    assert_london_vtimezone(invitation.text)
    assert_readers_agree(invitation.text)
    event = invitation.event
    assert str(event["ORGANIZER"]) == f"mailto:{ORG}"
    assert event["ORGANIZER"].params["CN"] == "Medway Volunteer Network"
    attendee = event["ATTENDEE"]
    assert str(attendee) == f"mailto:{trainer.email}"
    assert attendee.params["ROLE"] == "CHAIR"
    assert attendee.params["CN"] == trainer.name
    assert str(event["STATUS"]) == ("CANCELLED" if method == "CANCEL" else "CONFIRMED")
    assert str(event["SUMMARY"]) == "Teaching: Living with ADHD"
    # vobject reads the same event, parameters and all.
    vevent = invitation.vevent
    assert vevent.uid.value == invitation.uid
    assert int(vevent.sequence.value) == invitation.sequence
    assert vevent.attendee.value == f"mailto:{trainer.email}"
    assert vevent.attendee.params["ROLE"] == ["CHAIR"]
    assert vevent.organizer.value == f"mailto:{ORG}"


def test_assign_reschedule_change_of_trainer_and_cancel_keep_trainers_calendars_right(
    client, runner, smtp, people, course
):
    tess, oscar = people["tess"], people["oscar"]
    login_as(client, people["staff"])
    learner = make_user(email="lena@example.org")

    # Assigned by the form that adds the session.
    response = post_form(
        client,
        "/staff/sessions/new",
        {
            "course_id": str(course.id),
            "day": "2030-07-01",
            "starts": "10:00",
            "ends": "13:00",
            "venue_name": "Community Hub",
            "venue_address": "1 High Street, Chatham",
            "capacity": "12",
            "trainer_id": str(tess.id),
        },
    )
    assert response.status_code == 303
    session = db.session.scalars(select(Session)).one()
    booking = make_booking(session, learner)
    (invited,) = deliver(runner, smtp)[tess.email]
    assert invited.email["Subject"] == "You are teaching: Living with ADHD"
    assert_valid_for_trainer(invited, tess, "REQUEST")
    assert invited.uid.startswith(f"session-{session.id}-trainer-{tess.id}-")
    assert invited.uid.endswith("@medwayvolunteers.org.uk")
    assert invited.uid != f"booking-{booking.reference}@medwayvolunteers.org.uk"
    assert invited.sequence == 0
    assert invited.starts.strftime("%a %d %b %Y %H:%M %Z") == "Mon 01 Jul 2030 10:00 BST"
    assert str(invited.event["LOCATION"]) == "Community Hub, 1 High Street, Chatham"
    assert f"http://localhost/trainer/sessions/{session.id}/register" in str(
        invited.event["DESCRIPTION"]
    )

    # Moved: the same event, a higher SEQUENCE, the new time.
    response = post_form(
        client,
        f"/staff/sessions/{session.id}/reschedule",
        {
            "day": "2030-07-08",
            "starts": "14:00",
            "ends": "16:00",
            "venue_name": "Town Hall",
            "venue_address": "Rochester",
        },
    )
    assert response.status_code == 303
    _, moved = deliver(runner, smtp)[tess.email]
    assert moved.email["Subject"] == "Session changed: Living with ADHD"
    assert_valid_for_trainer(moved, tess, "REQUEST")
    assert moved.uid == invited.uid
    assert moved.sequence == 1
    assert moved.starts.strftime("%d %b %H:%M") == "08 Jul 14:00"
    assert str(moved.event["LOCATION"]) == "Town Hall, Rochester"
    assert "Mon 1 Jul 2030, 10:00 to 13:00" in moved.email.get_body(("plain",)).get_content()

    # Given to another trainer: Tess's event is cancelled, Oscar gets one of his own.
    response = post_form(
        client,
        f"/staff/sessions/{session.id}/edit",
        {"capacity": "12", "trainer_id": str(oscar.id)},
    )
    assert response.status_code == 303
    inboxes = deliver(runner, smtp)
    _, _, released = inboxes[tess.email]
    assert released.email["Subject"] == "You are no longer teaching: Living with ADHD"
    assert_valid_for_trainer(released, tess, "CANCEL")
    assert released.uid == invited.uid
    assert released.sequence == 2  # above the update Tess holds
    (handed_over,) = inboxes[oscar.email]
    assert_valid_for_trainer(handed_over, oscar, "REQUEST")
    assert handed_over.uid.startswith(f"session-{session.id}-trainer-{oscar.id}-")
    assert handed_over.uid != invited.uid
    assert handed_over.sequence == 1
    assert handed_over.starts.strftime("%d %b %H:%M") == "08 Jul 14:00"

    # Cancelled: Oscar's event goes, with a SEQUENCE above his invitation's.
    response = post_form(
        client,
        f"/staff/sessions/{session.id}/cancel",
        {"reason": "The venue flooded.", "confirm": "y"},
    )
    assert response.status_code == 303
    inboxes = deliver(runner, smtp)
    _, cancelled = inboxes[oscar.email]
    assert cancelled.email["Subject"] == "Session cancelled: Living with ADHD"
    assert_valid_for_trainer(cancelled, oscar, "CANCEL")
    assert cancelled.uid == handed_over.uid
    assert cancelled.sequence == 2
    assert "The venue flooded." in cancelled.email.get_body(("plain",)).get_content()
    assert len(inboxes[tess.email]) == 3  # Tess hears nothing more
    # Every email was delivered once, learners' included.
    assert len(smtp.messages) == len(set(smtp.message_ids()))
    assert [m.email["Subject"].split(":")[0] for m in inboxes[learner.email]] == [
        "Session changed",
        "Session cancelled",
    ]


def _trainer_rows() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind.startswith("trainer_"))
            .order_by(OutboxMessage.id)
        )
    )


def test_trainer_given_the_session_again_gets_a_new_event_not_the_cancelled_one(people):
    tess, oscar = people["tess"], people["oscar"]
    session = make_session(starts_at=SUMMER)
    for trainer in (tess, oscar, tess):
        set_trainer(session.id, trainer.id)
        db.session.commit()
    tess_rows = [row for row in _trainer_rows() if row.user_id == tess.id]
    first, released, again = ((r.ics_method, str(only_event(r.ics)["UID"])) for r in tess_rows)
    assert first[0] == "REQUEST" and released == ("CANCEL", first[1])
    assert again[0] == "REQUEST" and again[1] != first[1]
    # The new event needs no SEQUENCE above the cancelled one's to be taken.
    assert only_event(tess_rows[2].ics)["SEQUENCE"] == 0


def test_saving_the_same_trainer_or_none_sends_nothing(client, people):
    session = make_session(starts_at=SUMMER, trainer=people["tess"])
    untaught = make_session(starts_at=SUMMER.replace(day=2))
    login_as(client, people["staff"])
    for changed, trainer_id in ((session, people["tess"].id), (untaught, 0)):
        response = post_form(
            client,
            f"/staff/sessions/{changed.id}/edit",
            {"capacity": "14", "trainer_id": str(trainer_id), "notes": "Bring a laptop"},
        )
        assert response.status_code == 303
    assert _trainer_rows() == []


def test_removing_the_trainer_cancels_their_event_and_invites_no_one(people):
    session = make_session(starts_at=SUMMER, trainer=people["tess"])
    set_trainer(session.id, None)
    db.session.commit()
    (row,) = _trainer_rows()
    assert (row.recipient, row.ics_method, row.kind) == (
        "tess@example.org",
        "CANCEL",
        "trainer_unassigned",
    )
    assert row.user_id == people["tess"].id


def test_a_cancelled_session_changes_trainer_without_telling_anyone(people):
    session = make_session(starts_at=SUMMER, trainer=people["tess"])
    cancel_session(session.id)
    db.session.commit()
    set_trainer(session.id, people["oscar"].id)
    db.session.commit()
    assert [row.kind for row in _trainer_rows()] == ["trainer_session_cancelled"]


def test_csv_import_invites_the_trainer_and_a_new_trainer_in_a_later_file(
    runner, smtp, tmp_path, people
):
    tess, oscar = people["tess"], people["oscar"]
    result = run_import(runner, tmp_path, [row(trainer_email="Tess@Example.org")])
    assert result.exit_code == 0, result.output
    (invited,) = deliver(runner, smtp)[tess.email]
    assert_valid_for_trainer(invited, tess, "REQUEST")
    assert invited.starts.strftime("%d %b %Y %H:%M") == "01 Jul 2037 10:00"

    # The same file again changes nothing and sends nothing.
    assert run_import(runner, tmp_path, [row(trainer_email="tess@example.org")]).exit_code == 0
    assert len(deliver(runner, smtp)[tess.email]) == 1

    result = run_import(runner, tmp_path, [row(trainer_email=oscar.email)])
    assert result.exit_code == 0, result.output
    inboxes = deliver(runner, smtp)
    _, released = inboxes[tess.email]
    assert_valid_for_trainer(released, tess, "CANCEL")
    assert released.uid == invited.uid and released.sequence == 1
    (handed_over,) = inboxes[oscar.email]
    assert_valid_for_trainer(handed_over, oscar, "REQUEST")
    assert handed_over.uid != invited.uid


def test_csv_import_that_moves_a_session_and_changes_trainer_sends_one_email_each(
    runner, smtp, tmp_path, people
):
    tess, oscar = people["tess"], people["oscar"]
    assert run_import(runner, tmp_path, [row(trainer_email=tess.email)]).exit_code == 0
    deliver(runner, smtp)
    moved = row(trainer_email=oscar.email, ends_at="2037-07-01T15:00", venue="Town Hall")
    assert run_import(runner, tmp_path, [moved]).exit_code == 0
    inboxes = deliver(runner, smtp)
    # Tess: her invitation, then its cancellation at the time she knew.
    _, released = inboxes[tess.email]
    assert released.method == "CANCEL"
    assert released.event.decoded("DTEND").astimezone(LONDON).hour == 13
    # Oscar: one invitation, already at the new end and place.
    (invited,) = inboxes[oscar.email]
    assert invited.method == "REQUEST"
    assert invited.event.decoded("DTEND").astimezone(LONDON).hour == 15
    assert str(invited.event["LOCATION"]) == "Town Hall"
    assert invited.sequence == 1  # the session's revision after the move


def test_staff_are_told_which_trainers_were_emailed(client, people, course):
    session = make_session(course, starts_at=SUMMER, trainer=people["tess"])
    login_as(client, people["staff"])

    response = post_form(
        client,
        f"/staff/sessions/{session.id}/edit",
        {"capacity": "12", "trainer_id": str(people["oscar"].id)},
        follow_redirects=True,
    )
    text = response.get_data(as_text=True)
    assert "Oscar Other has been sent an invitation." in text
    assert "Tess Trainer has been told the session is no longer theirs." in text

    response = post_form(
        client,
        f"/staff/sessions/{session.id}/cancel",
        {"confirm": "y"},
        follow_redirects=True,
    )
    text = response.get_data(as_text=True)
    assert "everyone booked or waiting, and the trainer, have been told" in text
