"""How much memory does the bookings export take, at 10,000 and 100,000 rows?

Builds a throwaway SQLite database (and, with --postgres URL, the same data in that
PostgreSQL database, whose tables are dropped and made again) with 100,000 bookings
by bulk insert: 60 courses, 8,334 sessions over two years, 20,000 learners with
non-ASCII names. Then, signed in as staff through the Flask test client, streams the
bookings export for all dates (every row) and for a range holding about a tenth of
them, reading the body a chunk at a time as a server would, and measures the peak
memory growth while it streams, twice:

- tracemalloc: the peak of Python allocations above those before the request;
- RSS: the process's high-water mark (VmHWM, reset through /proc/self/clear_refs)
  above its resident size before the request, in a run without tracemalloc.

Each export runs in a fresh process (after a one-day export, to load what a running
server has loaded), so neither figure is hidden by memory the build left behind.

The baseline in the same run: the same export with its chunks kept and joined, the
least a file built in memory holds (the export before streaming also held every
row as a model, several times more); and the file's own size.
Target: growth under 50 MB at 100,000 rows. Writes bench/results/export.json.

    .venv/bin/python bench/export.py [--bookings 100000] [--postgres postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import random
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import results_file  # noqa: E402  (bench/ is on the path when a script runs)

os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="tb-bench-export-"))

PER_SESSION = 12
LEARNERS = 20_000
COURSES = 60
CHUNK = 5_000
LIMIT_MB = 50.0
NAMES = ["Zoë", "Siobhán", "Łukasz", "Ana María", "Chloé", "Jürgen", "Aoife", "Priya"]


def build(bookings: int, seed: int = 17) -> tuple[datetime, datetime]:
    """Fill the database; returns the first and last session start."""
    from sqlalchemy import insert

    from bookings.extensions import db
    from bookings.models import Booking, Course, Session, User

    rng = random.Random(seed)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    first_start = now - timedelta(days=365)
    sessions = -(-bookings // PER_SESSION)
    db.session.execute(
        insert(Course),
        [
            {"slug": f"course-{n}", "title": f"Course {n}: Premiers secours – café", "summary": ""}
            for n in range(1, COURSES + 1)
        ],
    )
    users = [
        {
            "email": f"learner{n}@example.org",
            "name": f"{rng.choice(NAMES)} Ünal-Øster {n}",
            "organisation": f"Organisation {n % 1500}",
            "sector": "private" if n % 4 == 0 else "voluntary",
        }
        for n in range(1, LEARNERS + 1)
    ]
    for start in range(0, len(users), CHUNK):
        db.session.execute(insert(User), users[start : start + CHUNK])
    step = timedelta(days=730) / sessions
    starts = [first_start + step * n for n in range(sessions)]
    session_rows = [
        {
            "course_id": 1 + n % COURSES,
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=3),
            "capacity": PER_SESSION + 2,
        }
        for n, starts_at in enumerate(starts)
    ]
    for start in range(0, len(session_rows), CHUNK):
        db.session.execute(insert(Session), session_rows[start : start + CHUNK])
    rows = []
    for n in range(bookings):
        learner_id = 1 + (n * 7919) % LEARNERS
        rows.append(
            {
                "reference": f"BEN{n:09d}",
                "session_id": 1 + n // PER_SESSION,
                "learner_id": learner_id,
                "status": "confirmed",
                "sector": users[learner_id - 1]["sector"],
                "organisation": users[learner_id - 1]["organisation"],
                "price_pence": 4500,
                "access_needs": "Step-free access" if n % 9 == 0 else "",
                "dietary_needs": "Végétarien" if n % 11 == 0 else "",
            }
        )
        if len(rows) == CHUNK:
            db.session.execute(insert(Booking), rows)
            rows = []
    if rows:
        db.session.execute(insert(Booking), rows)
    db.session.commit()
    return starts[0], starts[-1]


def _status(field: str) -> int:
    """A field of /proc/self/status in bytes (VmRSS, VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


def _reset_peak_rss() -> bool:
    """Set VmHWM back to the current RSS (Linux 4.0 and later)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def stream(client, query: dict, *, trace: bool, whole: bool = False) -> dict:
    """Stream one export, reading it a chunk at a time; its size and memory growth.
    With whole, the chunks are kept and joined: the least a file built in memory
    holds (the baseline)."""
    gc.collect()
    if trace:
        tracemalloc.start()
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
    else:
        rss_reset = _reset_peak_rss()
        rss_before = _status("VmRSS")
    began = time.perf_counter()
    response = client.get("/staff/exports", query_string=query)
    assert response.status_code == 200, response.status_code
    assert response.is_streamed
    size = chunks = lines = 0
    kept = []
    for chunk in response.response:
        size += len(chunk)
        chunks += 1
        lines += chunk.count(b"\n")
        if whole:
            kept.append(chunk)
    body = b"".join(kept)
    response.close()
    del kept, body
    seconds = time.perf_counter() - began
    result = {"rows": lines - 1, "bytes": size, "chunks": chunks, "seconds": round(seconds, 2)}
    if trace:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        result["tracemalloc_peak_growth_mb"] = round((peak - before) / 2**20, 2)
    else:
        result["rss_peak_growth_mb"] = round((_status("VmHWM") - rss_before) / 2**20, 2)
        result["rss_peak_reset"] = rss_reset
    return result


def _app(url: str):
    import config
    from bookings import create_app

    cfg = config.load("test")
    cfg.SQLALCHEMY_DATABASE_URI = url
    return create_app(cfg)


def _measure_in_child(
    url: str, staff_id: str, warm_up: dict, query: dict, trace: bool, whole: bool = False
) -> dict:
    """One export streamed in a fresh process, after a small one to load what a
    running server has loaded already; so the RSS high-water mark is this export's."""
    app = _app(url)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = staff_id
        session["_fresh"] = True
    stream(client, warm_up, trace=False)
    return stream(client, query, trace=trace, whole=whole)


def measure(url: str, bookings: int) -> dict:
    from bookings.extensions import db

    app = _app(url)
    with app.app_context():
        from flask_migrate import upgrade
        from sqlalchemy import func, select, text

        from bookings import timefmt
        from bookings.models import Booking, Session, User

        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        began = time.perf_counter()
        first, last = build(bookings)
        build_seconds = round(time.perf_counter() - began, 1)
        staff = User(email="staff@example.org", name="Sam Staff", role="staff")
        db.session.add(staff)
        db.session.commit()
        staff_id = staff.get_id()
        day = lambda instant: timefmt.to_local(instant).date().isoformat()  # noqa: E731
        tenth = db.session.scalar(
            select(Session.starts_at)
            .order_by(Session.starts_at)
            .offset(bookings // PER_SESSION // 10)
        )
        ranges = {
            "day": {"date_from": day(first), "date_to": day(first), "course": 0},
            "tenth": {"date_from": day(first), "date_to": day(tenth), "course": 0},
            "all": {"date_from": day(first), "date_to": day(last), "course": 0},
        }
        total = db.session.scalar(select(func.count(Booking.id)))
        db.session.remove()
        db.engine.dispose()

    results = {}
    spawn = multiprocessing.get_context("spawn")
    with spawn.Pool(1, maxtasksperchild=1) as pool:
        for name in ("tenth", "all"):
            rss, traced = (
                pool.apply(_measure_in_child, (url, staff_id, ranges["day"], ranges[name], trace))
                for trace in (False, True)
            )
            baseline = pool.apply(
                _measure_in_child, (url, staff_id, ranges["day"], ranges[name], False, True)
            )
            assert rss["rows"] == traced["rows"] == baseline["rows"]
            results[f"{rss['rows']}_rows"] = {
                **rss,
                "tracemalloc_peak_growth_mb": traced["tracemalloc_peak_growth_mb"],
                "seconds_with_tracemalloc": traced["seconds"],
                "file_mb": round(rss["bytes"] / 2**20, 2),
                "baseline_whole_file_rss_growth_mb": baseline["rss_peak_growth_mb"],
                "growth_per_baseline": round(
                    rss["rss_peak_growth_mb"] / max(baseline["rss_peak_growth_mb"], 0.01), 3
                ),
                "growth_per_file_size": round(
                    max(rss["rss_peak_growth_mb"], traced["tracemalloc_peak_growth_mb"])
                    / (rss["bytes"] / 2**20),
                    3,
                ),
            }
    return {
        "database": url.split(":", 1)[0],
        "bookings": total,
        "build_seconds": build_seconds,
        "exports": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=100_000)
    parser.add_argument(
        "--postgres", help="a PostgreSQL URL to measure too (its tables are dropped)"
    )
    args = parser.parse_args()
    urls = [f"sqlite:///{os.environ['INSTANCE_PATH']}/bench.sqlite"]
    if args.postgres:
        urls.append(args.postgres)
    runs = [measure(url, args.bookings) for url in urls]
    worst = max(
        max(export["rss_peak_growth_mb"], export["tracemalloc_peak_growth_mb"])
        for run in runs
        for export in run["exports"].values()
    )
    results = {
        "benchmark": "Bookings export streamed through the Flask test client: peak memory growth",
        "runs": runs,
        "worst_peak_growth_mb": worst,
        "limit_mb": LIMIT_MB,
        **results_file.the_machine(),
    }
    results_file.write("export", results)
    if worst >= LIMIT_MB:
        sys.exit(f"peak memory growth {worst} MB: over {LIMIT_MB} MB")


if __name__ == "__main__":
    main()
