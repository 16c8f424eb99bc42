"""A small programme with known answers, for the report for funders.

The period is the financial year 1 April 2025 to 31 March 2026 (UK time).

S1  Living with ADHD, Thu 10 Apr 2025 10:00, 10 places: L1 and L2 attended, L3 absent,
    L4 not recorded, L5 cancelled late, L6 cancelled in time, L7 waiting.
S2  Living with ADHD, Thu 1 May 2025 00:30 (30 Apr 23:30 UTC: May here), 5 places:
    L1 and L8 attended.
S3  First Aid at Work, Tue 20 May 2025, 8 places: L9 and L10 attended, L3 rang on the
    day (a late cancellation marked on the register).
S4  First Aid at Work, Thu 5 Jun 2025, 12 places: cancelled, with its one booking.
S5  Safeguarding Adults, Tue 1 Apr 2025 00:30 (31 Mar 23:30 UTC: April here), 4 places:
    L11 attended.
S6  Safeguarding Adults, Wed 1 Apr 2026 10:00: L12 attended, after the period.
S7  Safeguarding Adults, Mon 31 Mar 2025 10:00: L12 attended, before the period.

Learners: L1, L2, L4-L7, L10, L11 voluntary; L3, L8, L9 private. Organisations: L1 and
L11 "Carers Trust", L2 "carers trust " (the same one), L3 and L8 "Acme Ltd", L9 "Beta
plc", L10 none.
Feedback (rating, confidence before -> after): L1 at S1 5, 2->4; L2 at S1 3, 3->3;
L8 at S2 4, 2->3; L9 at S3 4, 1->4; and, not counted, L3 at S1 (marked absent after
answering) 1, 5->1 and L12 at S6 (outside the period) 1, 1->5.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bookings.extensions import db
from bookings.models import FeedbackResponse

from ..factories import make_booking, make_course, make_session, make_user
from ..trainer.conftest import staff  # noqa: F401  (signs in to the staff pages)

LONDON = ZoneInfo("Europe/London")
FIRST, LAST = date(2025, 4, 1), date(2026, 3, 31)
RANGE = {"from": FIRST.isoformat(), "to": LAST.isoformat()}


def uk(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)


@dataclass
class Programme:
    sessions: dict
    learners: dict


def _answer(booking, rating, before, after):
    db.session.add(
        FeedbackResponse(
            booking_id=booking.id,
            rating=rating,
            confidence_before=before,
            confidence_after=after,
            do_differently="",
            recommend=rating >= 3,
        )
    )


@pytest.fixture
def programme() -> Programme:
    adhd = make_course(title="Living with ADHD", slug="living-with-adhd")
    first_aid = make_course(title="First Aid at Work", slug="first-aid-at-work")
    safeguarding = make_course(title="Safeguarding Adults", slug="safeguarding-adults")
    s = {
        1: make_session(adhd, starts_at=uk(2025, 4, 10, 10), capacity=10),
        2: make_session(adhd, starts_at=uk(2025, 5, 1, 0, 30), capacity=5),
        3: make_session(first_aid, starts_at=uk(2025, 5, 20, 9, 30), capacity=8),
        4: make_session(first_aid, starts_at=uk(2025, 6, 5, 10), capacity=12),
        5: make_session(safeguarding, starts_at=uk(2025, 4, 1, 0, 30), capacity=4),
        6: make_session(safeguarding, starts_at=uk(2026, 4, 1, 10), capacity=4),
        7: make_session(safeguarding, starts_at=uk(2025, 3, 31, 10), capacity=4),
    }
    private = {3, 8, 9}
    organisations = {
        1: "Carers Trust",
        2: "carers trust ",
        3: "Acme Ltd",
        8: "Acme Ltd",
        9: "Beta plc",
        10: "",
        11: "Carers Trust",
    }
    people = {
        n: make_user(
            name=f"Learner {n}",
            sector="private" if n in private else "voluntary",
            organisation=organisations.get(n, "Age UK Medway"),
        )
        for n in range(1, 13)
    }

    def book(session, n, outcome=None, **fields):
        booking = make_booking(s[session], people[n], commit=False, **fields)
        db.session.flush()
        if outcome:
            booking.record_outcome(outcome)
        return booking

    l1 = book(1, 1, "attended")
    l2 = book(1, 2, "attended")
    l3 = book(1, 3, "attended")
    book(1, 4)
    book(1, 5, "late_cancellation", status="cancelled")
    book(1, 6, status="cancelled")
    book(1, 7, status="waitlisted")
    book(2, 1, "attended")
    l8 = book(2, 8, "attended")
    l9 = book(3, 9, "attended")
    book(3, 10, "attended")
    book(3, 3, "late_cancellation")
    book(4, 1, status="cancelled")
    s[4].status = "cancelled"
    book(5, 11, "attended")
    l12 = book(6, 12, "attended")
    book(7, 12, "attended")
    db.session.flush()
    for booking, rating, before, after in (
        (l1, 5, 2, 4),
        (l2, 3, 3, 3),
        (l8, 4, 2, 3),
        (l9, 4, 1, 4),
        (l3, 1, 5, 1),
        (l12, 1, 1, 5),
    ):
        _answer(booking, rating, before, after)
    db.session.flush()
    l3.record_outcome("absent")  # answered, then corrected: no longer counted
    db.session.commit()
    return Programme(s, people)
