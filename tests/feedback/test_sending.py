"""`feedback send` asks each attended learner once, after the session, and nobody else."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from bookings.extensions import db
from bookings.models import Booking, OutboxMessage

from ..factories import make_booking, make_session, make_user
from .conftest import answer, with_outcome

LINK_RE = re.compile(r"http://localhost(/feedback/[A-Za-z0-9_.\-]+)")


def test_feedback_send_twice_emails_each_attended_learner_once_and_nobody_else(
    client, runner, smtp, ended, course, trainer
):
    came = [with_outcome(ended, make_user(name=f"Came {n}")) for n in range(2)]
    with_outcome(ended, make_user(name="No Show"), "absent")
    with_outcome(ended, make_user(name="Rang In"), "late_cancellation")
    with_outcome(ended, make_user(name="Cancelled Late"), "late_cancellation", status="cancelled")
    make_booking(ended, make_user(name="Not Recorded"))
    make_booking(ended, make_user(name="Waiting"), status="waitlisted")
    # Attended, but the session is not over yet (staff may take a register early).
    running = make_session(course, starts_in=timedelta(hours=-1), trainer=trainer)
    with_outcome(running, make_user(name="Still There"))
    # Long over: outside the feedback window, so no email out of the blue.
    old = make_session(course, starts_in=timedelta(days=-45), trainer=trainer)
    with_outcome(old, make_user(name="Long Ago"))

    first = runner.invoke(args=["feedback", "send"])
    again = runner.invoke(args=["feedback", "send"])
    runner.invoke(args=["outbox", "send"])

    assert first.exit_code == 0, first.output
    assert "Queued 2 feedback requests." in first.output
    assert "Queued 0 feedback requests." in again.output
    recipients = sorted(email["To"] for email in smtp.messages)
    assert recipients == sorted(b.learner.email for b in came)
    for email in smtp.messages:
        assert email["Subject"] == "How was it?: Living with ADHD"
        text = email.get_body(("plain",)).get_content()
        (path,) = set(LINK_RE.findall(text))
        # The link opens that learner's form without signing in.
        page = client.get(path).get_data(as_text=True)
        assert "Your feedback: Living with ADHD" in page
        assert "What will you do differently?" in page
    stamped = db.session.scalars(
        select(Booking.id).where(Booking.feedback_sent_at.is_not(None))
    ).all()
    assert sorted(stamped) == sorted(b.id for b in came)


def test_a_learner_marked_attended_later_is_asked_on_the_next_run(runner, ended):
    booking = make_booking(ended, make_user())
    assert "Queued 0 feedback requests." in runner.invoke(args=["feedback", "send"]).output

    booking.record_outcome("attended")
    db.session.commit()

    assert "Queued 1 feedback request." in runner.invoke(args=["feedback", "send"]).output
    kinds = db.session.scalars(select(OutboxMessage.kind)).all()
    assert kinds == ["feedback_request"]


def test_a_learner_who_already_answered_from_my_bookings_is_not_asked(runner, attended):
    answer(attended)

    assert "Queued 0 feedback requests." in runner.invoke(args=["feedback", "send"]).output
