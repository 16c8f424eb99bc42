#!/usr/bin/env python3
"""Where does a page's time go? CPU and SQL per request, in-process, with cProfile.

Builds the catalogue benchmark's data set (demo data plus 200 generated courses
of 5 sessions each) in a throwaway SQLite database, then requests each URL
through the Flask test client and prints the CPU time per request (best of five
rounds), the statements sent per request and the time SQLite spent running them.
With --profile, prints the functions that took the most time (cProfile).
--courses 2000 builds ten times the data (10,000 sessions) to see how a page grows.

    python bench/profile_pages.py [--requests 100] [--courses 200] [--profile] [URL ...]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from catalogue import URLS, run, write_generated_catalogue  # noqa: E402


def build(workdir: Path, courses: int = 200) -> dict:
    env = {
        **os.environ,
        "INSTANCE_PATH": str(workdir),
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite'}",
        "APP_ENV": "production",
        "BENCH_ROUTES": "1",
        "OUTBOX_SEND_IN_PROCESS": "0",
        "SECRET_KEY": "benchmark-only",
        # What a page costs to build, so no page is served from the visitors' cache.
        "PUBLIC_PAGE_CACHE_SECONDS": "0",
    }
    env.pop("TEST_DATABASE_URL", None)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    run([*flask, "db", "upgrade"], env)
    run([*flask, "demo"], env)
    generated = workdir / "generated.csv"
    write_generated_catalogue(generated, courses=courses)
    run([*flask, "catalogue", "import", str(generated)], env)
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="*", help="paths to request (default: the benchmark's)")
    parser.add_argument("--requests", type=int, default=100, help="requests per round")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    parser.add_argument("--top", type=int, default=25, help="functions to print with --profile")
    parser.add_argument(
        "--sort", default="cumulative", help="cProfile order: cumulative or tottime"
    )
    parser.add_argument("--courses", type=int, default=200, help="generated courses (5 dates each)")
    args = parser.parse_args()
    urls = args.urls or [path for _, path in URLS]

    workdir = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    try:
        print(f"Building the database: migrations, demo data, {args.courses} generated courses...")
        os.environ.update(build(workdir, args.courses))
        from sqlalchemy import event

        from bookings.extensions import db
        from wsgi import app

        sql = {"statements": 0, "seconds": 0.0}

        with app.app_context():
            engine = db.engine

        @event.listens_for(engine, "before_cursor_execute")
        def started(conn, cursor, statement, parameters, context, executemany):
            conn.info["started"] = time.perf_counter()

        @event.listens_for(engine, "after_cursor_execute")
        def finished(conn, cursor, statement, parameters, context, executemany):
            sql["statements"] += 1
            sql["seconds"] += time.perf_counter() - conn.info.pop("started")

        client = app.test_client()
        print(f"\n{'URL':<46} {'CPU ms':>8} {'p50 ms':>8} {'SQL':>5} {'SQL ms':>8}")
        for path in urls:
            for _ in range(10):
                assert client.get(path).status_code < 400, path
            rounds, walls = [], []
            for _ in range(5):
                sql.update(statements=0, seconds=0.0)
                began = time.process_time()
                for _ in range(args.requests):
                    sent = time.perf_counter()
                    client.get(path)
                    walls.append(time.perf_counter() - sent)
                rounds.append((time.process_time() - began) / args.requests)
            print(
                f"{path:<46} {min(rounds) * 1000:>8.2f} {statistics.median(walls) * 1000:>8.2f} "
                f"{sql['statements'] / args.requests:>5.0f} "
                f"{sql['seconds'] / args.requests * 1000:>8.2f}"
            )
        if args.profile:
            for path in urls:
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(args.requests):
                    client.get(path)
                profiler.disable()
                print(f"\n== {path}: {args.requests} requests")
                pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
