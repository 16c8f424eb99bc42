"""Benchmark: bookings per second through gunicorn, beside a plain insert per POST.

Starts gunicorn (4 workers by default) with the benchmark routes, signs in many
learners through /auth/login, then has many concurrent clients POST the booking
form for one session (its capacity fills, then the waiting list takes the rest).
The baseline is /_bench/insert on the same server: one plain row per POST. Beside
both, two floors: /_bench/form, the booking request without the booking (the
signed-in user, the session read, the same form and CSRF check, flash, redirect) with
one plain row, and with as many plain rows in one transaction as a booking writes.
Runs on SQLite (a fresh file in a temporary instance folder) and on PostgreSQL
when --postgres URL or BENCH_POSTGRES_URL names a database.

    .venv/bin/python bench/booking.py [--postgres URL] [--learners 1500] [--clients 32]

Results go to bench/results/booking.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import queue
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "booking.json"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PASSWORD = "bench password 1234"
KEEP_RUNS = 10  # earlier runs kept in the results file
# What one booking here writes, each its own statement: the seat, the booking, the
# invoice number, the invoice, its line, two outbox rows, the learner's billing answer.
BOOKING_WRITES = 8
# The instance folder (secret key, SQLite file, config overrides) must be chosen before
# the app's config module is imported.
INSTANCE = Path(tempfile.mkdtemp(prefix="tb-bench-booking-"))
os.environ["INSTANCE_PATH"] = str(INSTANCE)
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL"),
        help="PostgreSQL URL to benchmark as well (default: $BENCH_POSTGRES_URL)",
    )
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite run")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients")
    parser.add_argument("--learners", type=int, default=1500, help="learners who book")
    parser.add_argument("--capacity", type=int, default=1000, help="places on the session")
    parser.add_argument(
        "--max-seconds", type=float, default=60.0, help="upper bound on each timed phase"
    )
    parser.add_argument("--label", default="", help="a note saved with the results")
    return parser.parse_args()


# -- HTTP client: stdlib only, one cookie (Flask's session) per learner ------------------


class Browser:
    """Just enough of a browser: the session cookie and the form's CSRF token."""

    def __init__(self, port: int):
        self.port = port
        self.cookie = ""
        self.csrf = ""

    def request(self, method: str, path: str, form: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie" and value.startswith("session="):
                    self.cookie = value.split(";", 1)[0]
            return response.status, response.getheader("Location", ""), data
        finally:
            conn.close()

    def read_csrf(self, path: str) -> None:
        status, _, data = self.request("GET", path)
        match = CSRF_RE.search(data.decode())
        if status != 200 or not match:
            raise RuntimeError(f"no form at {path} (HTTP {status})")
        self.csrf = match.group(1)


def run_clients(count: int, work, items: list, max_seconds: float):
    """Feed items to count threads calling work(item) -> bool; stop at max_seconds.

    Returns (successes, failures, elapsed seconds, latencies in seconds).
    """
    todo: queue.Queue = queue.Queue()
    for item in items:
        todo.put(item)
    lock = threading.Lock()
    tally = {"ok": 0, "failed": 0}
    latencies: list[float] = []
    deadline = time.monotonic() + max_seconds

    def client():
        while time.monotonic() < deadline:
            try:
                item = todo.get_nowait()
            except queue.Empty:
                return
            started = time.perf_counter()
            try:
                ok = work(item)
            except Exception as exc:  # a failed request counts; the run goes on
                print(f"  request failed: {exc!r}", file=sys.stderr)
                ok = False
            took = time.perf_counter() - started
            with lock:
                tally["ok" if ok else "failed"] += 1
                latencies.append(took)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(count)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally["ok"], tally["failed"], time.perf_counter() - started, latencies


# -- Server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(database_url: str, workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {
        **os.environ,
        "INSTANCE_PATH": str(INSTANCE),
        "DATABASE_URL": database_url,
        "APP_ENV": "development",
        "OUTBOX_SEND_IN_PROCESS": "0",
        "BENCH_ROUTES": "1",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [
            str(gunicorn),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited while starting")
        try:
            if Browser(port).request("GET", "/healthz")[0] == 200:
                return process, port
        except OSError:
            pass
        time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not answer /healthz within 30 s")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# -- Data ------------------------------------------------------------------------------


def make_app(database_url: str):
    import config
    from bookings import create_app

    base = config.load("development")

    class BenchConfig(base):
        SQLALCHEMY_DATABASE_URI = config.normalise_database_url(database_url)
        OUTBOX_SEND_IN_PROCESS = False

    return create_app(BenchConfig)


def prepare(app, tag: str, learners: int, capacity: int) -> tuple[int, list[str]]:
    """Migrate, create the baseline table, one course and session, and the learners."""
    from flask_migrate import upgrade
    from sqlalchemy import text
    from werkzeug.security import generate_password_hash

    from bookings.extensions import db
    from bookings.models import Course, Session, User

    with app.app_context():
        upgrade()
        serial = "serial" if db.engine.dialect.name == "postgresql" else "integer"
        with db.engine.begin() as conn:
            conn.execute(
                text(f"CREATE TABLE IF NOT EXISTS bench_rows (id {serial} primary key, note text)")
            )
        course = Course(
            slug=f"bench-{tag}",
            title=f"Benchmark course {tag}",
            price_voluntary_pence=2500,
            price_private_pence=4500,
        )
        start = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
        session = Session(
            course=course,
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            venue_name="Benchmark Hall",
            capacity=capacity,
        )
        # A cheap hash: the benchmark measures booking, not the password KDF.
        password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        emails = [f"bench-{tag}-{n}@example.org" for n in range(learners)]
        db.session.add_all([course, session])
        db.session.add_all(
            User(
                email=e,
                name=f"Bench Learner {n}",
                sector=("voluntary", "private")[n % 2],
                organisation="Benchmark Org",
                password_hash=password_hash,
            )
            for n, e in enumerate(emails)
        )
        db.session.commit()
        return session.id, emails


def outcome(app, session_id: int) -> dict:
    from sqlalchemy import func, select

    from bookings.extensions import db
    from bookings.models import Booking, OutboxMessage, Session

    with app.app_context():
        session = db.session.get(Session, session_id)
        rows = db.session.execute(
            select(Booking.status, Booking.waiting_position).where(Booking.session_id == session_id)
        ).all()
        positions = sorted(p for s, p in rows if s == "waitlisted")
        emails = db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .join(Booking)
            .where(Booking.session_id == session_id)
        )
        confirmed = sum(1 for s, _ in rows if s == "confirmed")
        return {
            "confirmed": confirmed,
            "waitlisted": len(positions),
            "seats_taken": session.seats_taken,
            "capacity": session.capacity,
            "waiting_positions_contiguous": positions == list(range(1, len(positions) + 1)),
            "within_capacity": confirmed == session.seats_taken <= session.capacity,
            "outbox_messages": emails,
        }


def clean_up(app, tag: str, session_id: int) -> None:
    """Remove what this run added, so a shared database is left as it was."""
    from sqlalchemy import delete, select

    from bookings.extensions import db
    from bookings.models import Booking, Course, OutboxMessage, Session, User

    with app.app_context():
        bookings = select(Booking.id).where(Booking.session_id == session_id)
        users = select(User.id).where(User.email.like(f"bench-{tag}-%"))
        db.session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.booking_id.in_(bookings) | OutboxMessage.user_id.in_(users)
            )
        )
        db.session.execute(delete(Booking).where(Booking.session_id == session_id))
        db.session.execute(delete(Session).where(Session.id == session_id))
        db.session.execute(delete(Course).where(Course.slug == f"bench-{tag}"))
        db.session.execute(delete(User).where(User.email.like(f"bench-{tag}-%")))
        db.session.execute(db.text("DELETE FROM bench_rows"))
        db.session.commit()
        db.engine.dispose()


# -- One backend -----------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def bench_backend(name: str, database_url: str, args) -> dict:
    tag = secrets.token_hex(3)
    print(
        f"== {name}: {args.learners} learners, capacity {args.capacity}, "
        f"{args.clients} clients, {args.workers} gunicorn workers"
    )
    app = make_app(database_url)
    session_id, emails = prepare(app, tag, args.learners, args.capacity)
    process, port = start_server(database_url, args.workers)
    try:
        book_path = f"/sessions/{session_id}/book"

        def sign_in(email: str):
            browser = Browser(port)
            browser.read_csrf("/auth/login")
            status, location, _ = browser.request(
                "POST",
                "/auth/login",
                {"csrf_token": browser.csrf, "email": email, "password": PASSWORD},
            )
            if status != 302:
                raise RuntimeError(f"sign-in for {email} answered HTTP {status}")
            browser.read_csrf(book_path)
            return browser

        signed_in: list[Browser] = []
        lock = threading.Lock()

        def prepare_learner(email: str) -> bool:
            browser = sign_in(email)
            with lock:
                signed_in.append(browser)
            return True

        ok, failed, took, _ = run_clients(args.clients, prepare_learner, emails, 600)
        print(f"  signed in {ok} learners in {took:.1f} s ({failed} failed)")

        def insert(n: int) -> bool:
            status, _, _ = Browser(port).request("POST", "/_bench/insert", {"note": f"n{n}"})
            return status == 200

        ins_ok, ins_failed, ins_took, ins_lat = run_clients(
            args.clients, insert, list(range(len(signed_in))), args.max_seconds
        )
        inserts_per_s = ins_ok / ins_took
        print(
            f"  baseline: {ins_ok} inserts in {ins_took:.2f} s = {inserts_per_s:.0f}/s "
            f"({ins_failed} failed)"
        )

        def booking_form(browser: Browser) -> dict:
            return {
                "csrf_token": browser.csrf,
                "consent": "y",
                "access_needs": "",
                "dietary_needs": "",
                # The place is priced: the form asks who pays, and each booking is invoiced.
                "payer": "self",
            }

        def posts_form_to(path: str):
            """One client's POST of the booking form to path: True when it is redirected
            to a booking."""

            def post(browser: Browser) -> bool:
                status, location, _ = browser.request("POST", path, booking_form(browser))
                return status == 302 and "/bookings/" in location

            return post

        # The floors: the same signed-in, CSRF-checked POST of the same form, with the
        # session read, a flash and a redirect, but no booking: with one plain row, and
        # with as many plain rows in one transaction as a booking here writes.
        def floor(rows: int) -> dict:
            form_only = posts_form_to(f"/_bench/form/{session_id}?rows={rows}")
            ok, failed, took, latencies = run_clients(
                args.clients, form_only, signed_in, args.max_seconds
            )
            per_s = ok / took
            print(
                f"  floor, {rows} row(s): {ok} signed-in form POSTs in {took:.2f} s = "
                f"{per_s:.0f}/s ({failed} failed); ÷ inserts/s = {per_s / inserts_per_s:.2f}"
            )
            return {
                "rows": rows,
                "posts": ok,
                "failures": failed,
                "per_second": round(per_s, 1),
                "latency_ms_p50": round(statistics.median(latencies) * 1000, 1)
                if latencies
                else None,
                "ratio_to_inserts": round(per_s / inserts_per_s, 3),
            }

        floors = [floor(1), floor(BOOKING_WRITES)]

        bk_ok, bk_failed, bk_took, bk_lat = run_clients(
            args.clients, posts_form_to(book_path), signed_in, args.max_seconds
        )
        bookings_per_s = bk_ok / bk_took
        print(
            f"  booking:  {bk_ok} bookings in {bk_took:.2f} s = {bookings_per_s:.0f}/s "
            f"({bk_failed} failed)"
        )
        ratio = bookings_per_s / inserts_per_s if inserts_per_s else 0.0
        print(f"  bookings/s ÷ inserts/s = {ratio:.2f}")
    finally:
        stop_server(process)
    checks = outcome(app, session_id)
    print(f"  check: {checks}")
    clean_up(app, tag, session_id)
    return {
        "bookings": bk_ok,
        "booking_failures": bk_failed,
        "booking_seconds": round(bk_took, 3),
        "bookings_per_second": round(bookings_per_s, 1),
        "booking_latency_ms": {
            "p50": round(statistics.median(bk_lat) * 1000, 1) if bk_lat else None,
            "p95": round(percentile(bk_lat, 0.95) * 1000, 1),
        },
        "inserts": ins_ok,
        "insert_failures": ins_failed,
        "insert_seconds": round(ins_took, 3),
        "inserts_per_second": round(inserts_per_s, 1),
        "insert_latency_ms": {
            "p50": round(statistics.median(ins_lat) * 1000, 1) if ins_lat else None,
            "p95": round(percentile(ins_lat, 0.95) * 1000, 1),
        },
        "ratio_bookings_to_inserts": round(ratio, 3),
        "floors": floors,
        "outcome": checks,
    }


def earlier_runs() -> list[dict]:
    """The runs already in the results file, newest first, so before and after stay side by side."""
    try:
        previous = json.loads(RESULTS.read_text())
    except (OSError, ValueError):
        return []
    runs = previous.pop("earlier_runs", [])
    return [previous, *runs][:KEEP_RUNS]


def main() -> int:
    args = parse_args()
    (INSTANCE / "config.py").write_text(
        "# Written by bench/booking.py: every learner signs in from 127.0.0.1.\n"
        "RATELIMIT_ENABLED = False\n"
    )
    results = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "label": args.label,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        # The machine may be shared: compare ratios measured in one run, not rates.
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "settings": {
            "workers": args.workers,
            "clients": args.clients,
            "learners": args.learners,
            "capacity": args.capacity,
            "max_seconds": args.max_seconds,
        },
        "backends": {},
    }
    if not args.no_sqlite:
        url = f"sqlite:///{INSTANCE / 'bench.sqlite'}"
        results["backends"]["sqlite"] = bench_backend("SQLite", url, args)
    if args.postgres:
        results["backends"]["postgresql"] = bench_backend("PostgreSQL", args.postgres, args)
    else:
        print("== PostgreSQL skipped: give --postgres URL or set BENCH_POSTGRES_URL")
        results["backends"]["postgresql"] = {"skipped": "no --postgres URL or BENCH_POSTGRES_URL"}
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    results["earlier_runs"] = earlier_runs()
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"Results written to {RESULTS.relative_to(ROOT)}")
    failed = any(
        r.get("booking_failures") or not r.get("outcome", {}).get("within_capacity", True)
        for r in results["backends"].values()
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
