#!/usr/bin/env python3
"""Where does a booking request's time go? CPU and SQL per request, in-process, with cProfile.

Builds bench/booking.py's data (one priced session, signed-in learners) in a
throwaway SQLite database (or the PostgreSQL database given), then POSTs the
booking form through the Flask test client once per learner, beside as many
POSTs of /_bench/insert, and prints the CPU time and statements per request of
each, and how long a booking holds its session's lock (seat update to commit):
bookings of one session wait on each other for that long. With --profile,
prints the functions that took the most time (cProfile).

    python bench/profile_booking.py [--postgres URL] [--requests 200] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import booking as bench  # noqa: E402  (sets INSTANCE_PATH before the app's config loads)

CSRF_RE = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')


def signed_in_clients(app, emails: list[str], book_path: str) -> list:
    clients = []
    for email in emails:
        client = app.test_client()
        page = client.get("/auth/login").data
        token = CSRF_RE.search(page).group(1).decode()
        answer = client.post(
            "/auth/login", data={"csrf_token": token, "email": email, "password": bench.PASSWORD}
        )
        assert answer.status_code == 302, answer.status_code
        page = client.get(book_path).data
        client.csrf = CSRF_RE.search(page).group(1).decode()
        clients.append(client)
    return clients


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="PostgreSQL URL to use instead of SQLite")
    parser.add_argument("--requests", type=int, default=200, help="bookings (and inserts)")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    parser.add_argument("--top", type=int, default=40, help="functions to print with --profile")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key")
    parser.add_argument("--callees", help="also print what functions matching this call")
    args = parser.parse_args()

    (bench.INSTANCE / "config.py").write_text("RATELIMIT_ENABLED = False\nBENCH_ROUTES = True\n")
    url = args.postgres or f"sqlite:///{bench.INSTANCE / 'bench.sqlite'}"
    os.environ["BENCH_ROUTES"] = "1"
    app = bench.make_app(url)
    tag = os.urandom(3).hex()
    # Capacity above the request count: every booking is a confirmed, invoiced place.
    session_id, emails = bench.prepare(app, tag, args.requests, args.requests + 10)
    book_path = f"/sessions/{session_id}/book"
    clients = signed_in_clients(app, emails, book_path)

    from sqlalchemy import event

    from bookings.extensions import db

    with app.app_context():
        engine = db.engine
    statements = {"count": 0}

    # The seat update locks the session's row (PostgreSQL) or the database (SQLite)
    # until commit: every other booking of the session waits that long.
    locked = {"since": None, "wall": [], "cpu": []}

    @event.listens_for(engine, "before_cursor_execute")
    def count(conn, cursor, statement, parameters, context, executemany):
        statements["count"] += 1
        if statement.startswith("UPDATE sessions SET seats_taken"):
            locked["since"] = (time.perf_counter(), time.process_time())

    @event.listens_for(engine, "commit")
    def committed(conn):
        if locked["since"] is not None:
            wall, cpu = locked["since"]
            locked["wall"].append(time.perf_counter() - wall)
            locked["cpu"].append(time.process_time() - cpu)
            locked["since"] = None

    def timed(label: str, send) -> None:
        statements["count"] = 0
        started = time.process_time()
        for n in range(args.requests):
            send(n)
        cpu = (time.process_time() - started) / args.requests
        per = statements["count"] / args.requests
        print(f"{label:10} {cpu * 1000:6.2f} ms CPU, {per:5.1f} statements per request")

    def insert(n: int) -> None:
        answer = clients[n].post("/_bench/insert", data={"note": f"n{n}"})
        assert answer.status_code == 200, answer.status_code

    form = {"consent": "y", "access_needs": "", "dietary_needs": "", "payer": "self"}

    def book(n: int) -> None:
        client = clients[n]
        answer = client.post(book_path, data={**form, "csrf_token": client.csrf})
        assert answer.status_code == 302 and "/bookings/" in answer.location, answer.text[-3000:]

    timed("insert", insert)
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    timed("booking", book)
    if locked["wall"]:
        print(
            f"{'':10} of which {statistics.median(locked['wall']) * 1000:.2f} ms "
            f"({statistics.median(locked['cpu']) * 1000:.2f} ms CPU) from the seat update "
            "to the commit, holding the session's lock (median)"
        )
    if profiler:
        profiler.disable()
    print(bench.outcome(app, session_id))
    bench.clean_up(app, tag, session_id)
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats(args.sort).print_stats(args.top)
        if args.callees:
            stats.print_callees(args.callees)
    return 0


if __name__ == "__main__":
    sys.exit(main())
