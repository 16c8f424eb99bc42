"""retention purge: a dry run changes nothing, a real run erases exactly what it
prints, and a second run finds nothing more."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bookings.extensions import db
from bookings.models import Booking, CourseInterest, Enquiry, OutboxMessage

from ..factories import make_booking, make_course, make_session, make_user

NOW = datetime.now(UTC)
NEEDS = {"access_needs": "Step-free access", "dietary_needs": "Vegan"}
INVOICE = {"invoice_email": "accounts@carers.example", "invoice_address": "1 High St"}


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def outbox(status: str, sent_days_ago: float | None, n: int) -> OutboxMessage:
    message = OutboxMessage(
        kind="booking_confirmed",
        message_id=f"<m{n}@example.org>",
        recipient="ann@example.org",
        subject="Booking confirmed",
        body_text="Dear Ann, ...",
        body_html="<p>Dear Ann</p>",
        ics="BEGIN:VCALENDAR",
        status=status,
        sent_at=days_ago(sent_days_ago) if sent_days_ago is not None else None,
    )
    db.session.add(message)
    return message


def world():
    """Two rows of each kind past its keeping time, and look-alikes that are not."""
    course = make_course()
    long_ago = make_session(course, starts_at=days_ago(40), hours=3)
    recent = make_session(course, starts_at=days_ago(10), hours=3)
    coming = make_session(course, starts_in=timedelta(days=5))
    closed = make_user(email="gone@example.org")
    closed.active = False
    # Needs: two past their time, one too recent, one whose session is yet to come.
    make_booking(long_ago, **NEEDS)
    make_booking(long_ago, access_needs="Hearing loop")
    make_booking(recent, **NEEDS)
    make_booking(coming, **NEEDS)
    # Closed account: a past booking and a cancelled one are anonymised, one to come is not.
    make_booking(long_ago, closed, **NEEDS, **INVOICE)
    make_booking(coming, closed, status="cancelled", **INVOICE)
    make_booking(coming, closed, **NEEDS)
    # Emails: two sent long ago, one sent recently, one failed long ago.
    for n, (status, sent) in enumerate(
        [("sent", 91), ("sent", 200), ("sent", 89), ("failed", None)]
    ):
        message = outbox(status, sent, n)
        message.created_at = days_ago(300)
    # Spam: two old ones; a recent one and an old genuine enquiry stay.
    for days, status in ((31, "spam"), (45, "spam"), (29, "spam"), (400, "new")):
        db.session.add(
            Enquiry(
                name="X",
                email="x@example.org",
                subject="Offer",
                message="Buy now",
                status=status,
                created_at=days_ago(days),
            )
        )
    # Interest: two unconfirmed for over a week; a newer one and an old confirmed one stay.
    for days, confirmed_at in ((8, None), (30, None), (6, None), (90, days_ago(89))):
        db.session.add(
            CourseInterest(
                course=course,
                email=f"p{days}@example.org",
                created_at=days_ago(days),
                confirmed_at=confirmed_at,
            )
        )
    db.session.commit()


def snapshot() -> dict:
    db.session.expire_all()
    details = ("access_needs", "dietary_needs", "organisation", "invoice_email", "invoice_address")
    return {
        "bookings": {
            b.id: tuple(getattr(b, name) for name in details)
            for b in db.session.scalars(select(Booking))
        },
        "emails": {
            m.id: (m.subject, m.recipient, m.body_text, m.body_html, m.ics)
            for m in db.session.scalars(select(OutboxMessage))
        },
        "enquiries": set(db.session.scalars(select(Enquiry.id))),
        "interest": set(db.session.scalars(select(CourseInterest.id))),
    }


def printed(output: str) -> dict[str, int]:
    return {label: int(n) for label, n in re.findall(r"^(.+): (\d+)$", output, re.M)}


LABELS = {
    "Bookings of closed accounts anonymised": 2,
    "Bookings whose access and dietary needs were erased": 2,
    "Sent emails whose bodies were deleted (headers kept)": 2,
    "Spam enquiries deleted": 2,
    "Unconfirmed sign-ups for new dates deleted": 2,
}


def test_dry_run_then_real_run_then_nothing_left(runner):
    world()
    before = snapshot()

    dry = runner.invoke(args=["retention", "purge", "--dry-run"])

    assert dry.exit_code == 0, dry.output
    assert "Dry run: nothing was changed" in dry.output
    assert printed(dry.output) == LABELS
    assert snapshot() == before

    real = runner.invoke(args=["retention", "purge"])

    assert real.exit_code == 0, real.output
    assert printed(real.output) == LABELS
    after = snapshot()
    changed = {
        kind: {key for key in before[kind] if before[kind][key] != after[kind][key]}
        for kind in ("bookings", "emails")
    }
    anonymised = {k for k in changed["bookings"] if not any(after["bookings"][k])}
    needs_only = changed["bookings"] - anonymised
    assert len(anonymised) == 2 and len(needs_only) == 2
    for key in needs_only:
        assert after["bookings"][key][:2] == ("", "")
        assert after["bookings"][key][2] == before["bookings"][key][2]  # organisation kept
    assert len(changed["emails"]) == 2
    for key in changed["emails"]:
        subject, recipient, text, html, ics = after["emails"][key]
        assert (subject, recipient) == before["emails"][key][:2]  # the record stays
        assert (text, html, ics) == ("", "", None)
    assert len(before["enquiries"] - after["enquiries"]) == 2
    assert after["enquiries"] <= before["enquiries"]
    assert len(before["interest"] - after["interest"]) == 2
    assert after["interest"] <= before["interest"]

    again = runner.invoke(args=["retention", "purge"])

    assert set(printed(again.output).values()) == {0}
    assert snapshot() == after
