"""How fast are /calendar.ics and the staff programme feed with 1,000 sessions?

Builds a throwaway SQLite database (or uses --database-url, whose public schema it
drops and fills), adds 1,000 sessions across 50 courses with 10 trainers and some
waiting lists, then times requests through the Flask test client: each feed built
afresh, the unchanged feed served again, and conditional polls answered 304.
Writes bench/results/feeds.json.

    .venv/bin/python bench/feeds.py [--sessions 1000] [--requests 30]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import results_file  # noqa: E402  (bench/ is on the path when a script runs)

os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="tb-bench-feeds-"))


def build(app, sessions: int) -> str:
    """The data; returns the staff member's programme feed address."""
    from bookings.enums import BookingStatus, Role
    from bookings.extensions import db
    from bookings.models import Booking, Course, Session, User

    courses = [
        Course(
            slug=f"course-{n}",
            title=f"Course {n}: Safeguarding Adults",
            summary="A one-day course for staff and volunteers.",
            price_voluntary_pence=2500,
            price_private_pence=9500,
        )
        for n in range(50)
    ]
    db.session.add_all(courses)
    people = [
        User(email=f"trainer{n}@example.org", name=f"Trainer {n} Okafor", role=Role.TRAINER)
        for n in range(10)
    ]
    staff = User(email="staff@example.org", name="Sam Staff", role=Role.STAFF)
    learner = User(email="learner@example.org", name="Lena Learner", role=Role.LEARNER)
    db.session.add_all([*people, staff, learner])
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    for n in range(sessions):
        begins = start + timedelta(days=n // 4, hours=(n % 4) * 2)
        full = n % 21 == 20
        session = Session(
            course=courses[n % len(courses)],
            starts_at=begins,
            ends_at=begins + timedelta(hours=2),
            venue_name="Community Hub",
            venue_address="1 High Street, Chatham ME4 4AA",
            capacity=20,
            seats_taken=n % 21,
            trainer=people[n % len(people)] if n % 7 else None,
            waitlist_last=1 if full else 0,
        )
        db.session.add(session)
        if full:
            # One learner waits for each full session.
            db.session.add(
                Booking(
                    reference=Booking.new_reference("MVN"),
                    session=session,
                    learner=learner,
                    status=BookingStatus.WAITLISTED,
                    waiting_position=1,
                    sector="voluntary",
                    price_pence=2500,
                )
            )
    db.session.commit()
    return f"/account/programme/{staff.staff_calendar_token}.ics"


def timed(
    client, path: str, count: int, headers=None, *, cold: bool = False, change=None
) -> tuple[list[float], object]:
    from bookings.calendar import ics, views

    times = []
    response = None
    for _ in range(count):
        if cold:
            views._feed_cache.clear()
            ics._event_cache.clear()
        if change is not None:
            change()
        began = time.perf_counter()
        response = client.get(path, headers=headers or {})
        times.append(time.perf_counter() - began)
    return times, response


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    import config
    from bookings import create_app
    from bookings.extensions import db

    cfg = config.load("test")
    if args.database_url:
        from sqlalchemy import create_engine, text

        cfg.SQLALCHEMY_DATABASE_URI = config.normalise_database_url(args.database_url)
        engine = create_engine(cfg.SQLALCHEMY_DATABASE_URI)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        cfg.SQLALCHEMY_DATABASE_URI = f"sqlite:///{os.environ['INSTANCE_PATH']}/bench.sqlite"
    app = create_app(cfg)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        programme = build(app, args.sessions)
        db.session.remove()

    client = app.test_client()
    timed(client, "/calendar.ics", 3)  # warm up
    timed(client, programme, 3)
    cold, response = timed(client, "/calendar.ics", args.requests, cold=True)
    assert response.status_code == 200

    def book_a_place():
        """One booking somewhere: the feed changes in one session."""
        from sqlalchemy import update

        from bookings.models import Session

        with app.app_context():
            db.session.execute(
                update(Session)
                .where(Session.id == random.randint(1, args.sessions))
                .values(seats_taken=0)
            )
            db.session.commit()
            db.session.remove()

    changed, response = timed(client, "/calendar.ics", args.requests, change=book_a_place)
    assert response.status_code == 200
    full, response = timed(client, "/calendar.ics", args.requests)
    assert response.status_code == 200
    body = response.data
    events = body.count(b"BEGIN:VEVENT")
    assert events == args.sessions, events
    polls, polled = timed(
        client, "/calendar.ics", args.requests, {"If-None-Match": response.headers["ETag"]}
    )
    assert polled.status_code == 304

    staff_cold, response = timed(client, programme, args.requests, cold=True)
    assert response.status_code == 200
    staff_events = response.data.count(b"BEGIN:VEVENT")
    assert staff_events == args.sessions, staff_events
    staff_full, response = timed(client, programme, args.requests)
    staff_polls, polled = timed(
        client, programme, args.requests, {"If-None-Match": response.headers["ETag"]}
    )
    assert polled.status_code == 304

    def ms(values):
        return round(statistics.median(values) * 1000, 1)

    def p90(values):
        return round(sorted(values)[int(len(values) * 0.9) - 1] * 1000, 1)

    results = {
        "benchmark": "GET /calendar.ics (Flask test client, one process)",
        "database": app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0],
        "sessions_in_feed": events,
        "body_bytes": len(body),
        "requests": args.requests,
        # Building the whole feed from nothing (first request after a restart).
        "built_median_ms": ms(cold),
        "built_p90_ms": p90(cold),
        # The first request after one session changed (a booking, a reschedule).
        "after_one_change_median_ms": ms(changed),
        "after_one_change_p90_ms": p90(changed),
        # The same feed again, unchanged since it was built.
        "unchanged_median_ms": ms(full),
        "unchanged_p90_ms": p90(full),
        # A calendar app polling with If-None-Match: 304, no body.
        "not_modified_median_ms": ms(polls),
        # The staff feed of the whole programme (trainers, places, waiting lists).
        "staff_feed": "GET /account/programme/<token>.ics",
        "staff_feed_bytes": len(response.data),
        "staff_built_median_ms": ms(staff_cold),
        "staff_built_p90_ms": p90(staff_cold),
        "staff_unchanged_median_ms": ms(staff_full),
        "staff_not_modified_median_ms": ms(staff_polls),
        "staff_not_modified_p90_ms": p90(staff_polls),
        **results_file.the_machine(load=False),
    }
    results_file.write("feeds", results)


if __name__ == "__main__":
    main()
