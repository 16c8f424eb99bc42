#!/usr/bin/env python3
"""Do the pages stay flat at 10x the data? p50 and SQL statements per page, 1x against 10x.

Builds the demo data plus generated rows (bench/scale_data.py) at 1x (1,000 sessions,
2,000 learners, 10,000 bookings, 10,000 outbox messages) and at 10x, on SQLite and,
with --postgres, on PostgreSQL (its public schema is dropped and made again). Then
requests visitor, learner, trainer and staff pages in-process with the Flask test
client (production config, outbox sender off, rate limits off) and prints, for each,
the p50 of N requests after a warm-up, the response size and the SQL statements per
request, at both sizes, with the growth ratio; each page's requests alternate
between the two sizes. A page is flagged when its p50 grows more than 1.5x
or its statement count changes. Writes bench/results/scale.json.

    python bench/scale.py [--postgres URL] [--no-sqlite] [--requests 5]
                          [--only 1x|10x] [--keep DIR]

--keep DIR keeps the built SQLite files in DIR/<migration head>-<builder hash>/ and
reuses them on the next run (PostgreSQL is always built afresh). On PostgreSQL, 1x is
built in the database named and 10x in one beside it whose name ends in _10x.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "scale.json"
GROWTH_LIMIT = 1.5
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

# Before config is imported: it reads these once.
_instance = tempfile.mkdtemp(prefix="bench-scale-instance-")
os.environ.update(
    INSTANCE_PATH=_instance,
    APP_ENV="production",
    OUTBOX_SEND_IN_PROCESS="0",
    SECRET_KEY="benchmark-only",
    REQUIRE_2FA_ROLES="",  # staff pages without the second sign-in step
    SESSION_COOKIE_SECURE="0",  # the test client speaks plain http
)
os.environ.pop("TEST_DATABASE_URL", None)
os.environ.pop("DATABASE_URL", None)

import scale_data  # noqa: E402
from sqlalchemy import create_engine, event, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

import config  # noqa: E402
from bookings import create_app  # noqa: E402
from bookings.demo.data import SAM, STAFF_EMAIL  # noqa: E402
from bookings.extensions import db  # noqa: E402
from bookings.models import User  # noqa: E402


def app_for(url: str):
    settings = {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "benchmark-only",
        "RATELIMIT_ENABLED": False,
        # Each request builds its page: how that grows is what is measured.
        "PUBLIC_PAGE_CACHE_SECONDS": 0,
        "OUTBOX_SEND_IN_PROCESS": False,
        "REQUIRE_2FA_ROLES": (),
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
    }
    return create_app(type("ScaleConfig", (config.ProductionConfig,), settings))


def migration_head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    return ScriptDirectory.from_config(cfg).get_current_head()


def cache_key() -> str:
    """The migration head, the migrations' and the builder's source: any change means a
    rebuild (an index added to an existing migration changes the schema too)."""
    digest = hashlib.sha256()
    sources = [ROOT / "bench" / name for name in ("scale.py", "scale_data.py", "scale_rows.py")]
    sources += sorted((ROOT / "migrations" / "versions").glob("*.py"))
    for path in sources:
        digest.update(path.read_bytes())
    digest = digest.hexdigest()[:10]
    return f"{migration_head()}-{digest}"


def populate(url: str, size: str) -> None:
    """Migrate an empty database, load the demo data and the generated rows."""
    from flask_migrate import upgrade

    from bookings import planner
    from bookings.booking.service import reference_prefix
    from bookings.demo.loader import load_demo

    app = app_for(url)
    with app.app_context():
        upgrade()
        load_demo(echo=lambda *_: None)
        db.session.commit()
        scale_data.build(scale_data.SIZES[size], prefix=reference_prefix())
        # As the app does after its first response (bookings/planner.py); PostgreSQL's
        # statistics come from VACUUM ANALYZE in postgres_database, as autovacuum's would.
        planner.refresh_statistics()
        db.engine.dispose()


def sqlite_database(size: str, keep: Path | None, workdir: Path) -> tuple[str, float | None]:
    """The URL of a built SQLite database, and the build time (None when reused)."""
    folder = keep / cache_key() if keep else workdir
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"scale-{size}.sqlite"
    if path.exists():
        return f"sqlite:///{path}", None
    partial = folder / f"scale-{size}.partial.sqlite"
    for leftover in folder.glob(f"scale-{size}.partial.sqlite*"):
        leftover.unlink()
    began = time.perf_counter()
    populate(f"sqlite:///{partial}", size)
    seconds = time.perf_counter() - began
    with sqlite3.connect(partial) as conn:  # fold the WAL in before the rename
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    partial.rename(path)
    for leftover in folder.glob(f"scale-{size}.partial.sqlite-*"):
        leftover.unlink()
    return f"sqlite:///{path}", seconds


def sibling_database(url: str, size: str) -> str:
    """The database for size: the one named in url for 1x, and beside it (on the same
    server, its name ending in _10x) for 10x, made when missing. Each size keeps its
    own, so that their requests can alternate."""
    base = make_url(config.normalise_database_url(url))
    if size == "1x":
        return base.render_as_string(hide_password=False)
    name = f"{base.database}_{size}"
    engine = create_engine(base.set(database="postgres"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def postgres_database(url: str, size: str) -> tuple[str, float]:
    url = sibling_database(url, size)  # normalised: the psycopg 3 driver named
    began = time.perf_counter()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    populate(url, size)
    engine = create_engine(url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # As autovacuum would have by now on a live database: the statistics, and the
        # trigram indexes' pending lists merged in. A bulk load leaves up to
        # gin_pending_list_limit (4 MB) of new entries that every search reads through,
        # and a load of 10x the rows leaves more than one of 1x: the growth measured
        # would be the load's, not the data's.
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return url, time.perf_counter() - began


def pages(app) -> list[tuple[str, str, str]]:
    """(who, name, path) for every page measured, found through the models."""
    with app.app_context():
        upcoming = scale_data.sample_session(future=True)
        past = scale_data.sample_session(future=False)
    today = datetime.now(UTC).date()
    export = f"/staff/exports?date_from={today - timedelta(days=6 * 366)}" + (
        f"&date_to={today + timedelta(days=2 * 366)}&course=0"
    )
    return [
        ("visitor", "home", "/"),
        ("visitor", "catalogue", "/courses"),
        ("visitor", "catalogue search", "/courses?q=course&available=1"),
        ("visitor", "course page", f"/courses/{scale_data.sample_course_slug()}"),
        ("visitor", "calendar feed", "/calendar.ics"),
        ("learner", "booking page", f"/sessions/{upcoming.id}/book"),
        ("learner", "my bookings", "/account/bookings"),
        ("learner", "account", "/account"),
        ("learner", "my invoices", "/account/invoices"),
        ("trainer", "trainer sessions", "/trainer/sessions"),
        ("trainer", "register", f"/trainer/sessions/{past.id}/register"),
        ("staff", "dashboard", "/staff"),
        ("staff", "bookings", "/staff/bookings"),
        # "User 42" matches users 42, 420-429, 4200-4299...: ten times the learners at
        # 10x, so ten times the bookings to order. One learner's address matches one.
        ("staff", "bookings search", "/staff/bookings?q=User 42"),
        (
            "staff",
            "bookings of one learner",
            f"/staff/bookings?q=user42@{scale_data.LEARNER_DOMAIN}",
        ),
        ("staff", "bookings, course filter", "/staff/bookings?course_q=Scale course 7"),
        # The other substring searches, for one learner's address: one match each.
        ("staff", "users search", f"/staff/users?q=user42@{scale_data.LEARNER_DOMAIN}"),
        (
            "staff",
            "outbox search",
            f"/staff/outbox?show=sent&q=user42@{scale_data.LEARNER_DOMAIN}",
        ),
        ("staff", "invoices search", f"/staff/invoices?q=user42@{scale_data.LEARNER_DOMAIN}"),
        ("staff", "sessions", "/staff/sessions"),
        ("staff", "outbox", "/staff/outbox"),
        ("staff", "users", "/staff/users"),
        ("staff", "invoices", "/staff/invoices"),
        ("staff", "audit", "/staff/audit"),
        ("staff", "reports", "/staff/reports"),
        ("staff", "bookings export", export),
    ]


def clients(app) -> dict:
    """A test client per role, signed in as Flask-Login does it."""
    emails = {
        "learner": f"user42@{scale_data.LEARNER_DOMAIN}",
        "trainer": SAM,
        "staff": STAFF_EMAIL,
    }
    result = {"visitor": app.test_client()}
    with app.app_context():
        for who, email in emails.items():
            user = db.session.scalar(select(User).where(User.email == email))
            client = app.test_client()
            with client.session_transaction() as sess:
                sess["_user_id"] = user.get_id()
                sess["_fresh"] = True
            result[who] = client
    return result


class Target:
    """One database to measure: its app, a signed-in client per role, its pages, and a
    count of the statements its engine runs."""

    def __init__(self, url: str):
        self.app = app_for(url)
        self.statements = 0
        with self.app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._count)
        self.clients = clients(self.app)
        self.pages = pages(self.app)

    def _count(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements += 1

    def get(self, who: str, path: str):
        """One request: (wall seconds, CPU seconds, statements, response, body)."""
        self.statements = 0
        began, began_cpu = time.perf_counter(), time.process_time()
        response = self.clients[who].get(path)
        body = response.get_data()
        return (
            time.perf_counter() - began,
            time.process_time() - began_cpu,
            self.statements,
            response,
            body,
        )

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)
        self.engine.dispose()


def measure(urls: list[str], requests: int) -> list[list[dict]]:
    """The figures of every page for each database in urls. With two, each page's
    requests alternate between them (one to the first, one to the second, and so on),
    so that a change in the machine's load falls on both sizes alike rather than on
    whichever was measured at the time."""
    targets = [Target(url) for url in urls]
    results: list[list[dict]] = [[] for _ in targets]
    for index in range(len(targets[0].pages)):
        samples = []
        for target in targets:
            who, _, path = target.pages[index]
            target.get(who, path)  # warm-up
            samples.append({"times": [], "cpu": [], "statements": [], "last": None})
        for _ in range(requests):
            for target, sample in zip(targets, samples, strict=True):
                who, _, path = target.pages[index]
                took, took_cpu, ran, response, body = target.get(who, path)
                sample["times"].append(took)
                sample["cpu"].append(took_cpu)
                sample["statements"].append(ran)
                sample["last"] = (response, body)
        for target, sample, figures in zip(targets, samples, results, strict=True):
            who, name, path = target.pages[index]
            times, cpu, statements = sample["times"], sample["cpu"], sample["statements"]
            response, body = sample["last"]
            figures.append(
                {
                    "who": who,
                    "page": name,
                    "path": path,
                    "status": response.status_code,
                    "p50_ms": round(statistics.median(times) * 1000, 2),
                    # This process's CPU (SQLite's work included, PostgreSQL's not): less
                    # swayed than wall time by other load on the machine.
                    "p50_cpu_ms": round(statistics.median(cpu) * 1000, 2),
                    "bytes": len(body),
                    "statements": int(statistics.median(statements)),
                    "statements_vary": len(set(statements)) > 1,
                }
            )
        who, _, path = targets[0].pages[index]
        shown = "  ".join(f"{figures[-1]['p50_ms']:>9.1f} ms" for figures in results)
        print(f"  {who:<8} {path[:60]:<60} {shown}", flush=True)
    for target in targets:
        target.close()
    return results


def compare(one: list[dict], ten: list[dict]) -> list[dict]:
    rows = []
    for a, b in zip(one, ten, strict=True):
        growth = round(b["p50_ms"] / a["p50_ms"], 2) if a["p50_ms"] else None
        cpu_growth = round(b["p50_cpu_ms"] / a["p50_cpu_ms"], 2) if a["p50_cpu_ms"] else None
        same = a["statements"] == b["statements"]
        flags = []
        if growth is not None and growth > GROWTH_LIMIT:
            flags.append(f"p50 x{growth}")
        if not same:
            flags.append("statements differ")
        if a["status"] != 200 or b["status"] != 200:
            flags.append(f"status {a['status']}/{b['status']}")
        rows.append(
            {
                "who": a["who"],
                "page": a["page"],
                "1x": {k: v for k, v in a.items() if k not in ("who", "page")},
                "10x": {k: v for k, v in b.items() if k not in ("who", "page")},
                "growth": growth,
                "cpu_growth": cpu_growth,
                "same_statements": same,
                "flags": flags,
            }
        )
    return rows


def kb(n: int) -> str:
    return f"{n / 1024:,.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:,.1f} MB"


def print_table(database: str, rows: list[dict]) -> None:
    print(f"\n{database}: p50 ms, size, SQL statements per request")
    print(
        f"{'page':<48} {'1x ms':>8} {'1x size':>9} {'SQL':>4} "
        f"{'10x ms':>9} {'10x size':>9} {'SQL':>4} {'growth':>7} {'CPU gr':>7}  flags"
    )
    for row in rows:
        a, b = row["1x"], row["10x"]
        growth = f"{row['growth']:.2f}x" if row["growth"] is not None else "-"
        cpu = f"{row['cpu_growth']:.2f}x" if row["cpu_growth"] is not None else "-"
        print(
            f"{a['path'][:48]:<48} {a['p50_ms']:>8.1f} {kb(a['bytes']):>9} {a['statements']:>4} "
            f"{b['p50_ms']:>9.1f} {kb(b['bytes']):>9} {b['statements']:>4} {growth:>7} {cpu:>7}  "
            + ("FLAG: " + ", ".join(row["flags"]) if row["flags"] else "ok")
        )


def print_single(database: str, size: str, figures: list[dict]) -> None:
    print(f"\n{database} at {size}: p50 ms, size, SQL statements per request")
    for f in figures:
        print(f"{f['path'][:60]:<60} {f['p50_ms']:>9.1f} {kb(f['bytes']):>9} {f['statements']:>4}")


def run_database(
    name: str, make, sizes: list[str], requests: int, *, together: bool = False
) -> dict:
    """Build each size and measure it. together: both sizes are built first, each in
    its own database, then measured with their requests alternating; else each size is
    measured once built."""
    result = {
        "build_seconds": {},
        "figures": {},
        "measured": "alternating" if together else "in turn",
    }
    urls = {}
    for size in sizes:
        print(f"\n{name} {size}: building...", flush=True)
        cpu = time.process_time()
        url, seconds = make(size)
        cpu = time.process_time() - cpu
        if seconds is None:
            result["build_seconds"][size] = "reused"
            print(f"{name} {size}: reused the kept database", flush=True)
        else:
            result["build_seconds"][size] = round(seconds, 1)
            result.setdefault("build_cpu_seconds", {})[size] = round(cpu, 1)
            print(
                f"{name} {size}: built in {seconds:.1f} s ({cpu:.1f} s CPU in this process, "
                f"load average {os.getloadavg()[0]:.1f})",
                flush=True,
            )
        if together and len(sizes) > 1:
            urls[size] = url
        else:
            print(f"{name} {size}: measuring", flush=True)
            result["figures"][size] = measure([url], requests)[0]
    if urls:
        print(f"{name}: measuring {' and '.join(sizes)}, requests alternating", flush=True)
        for size, figures in zip(sizes, measure(list(urls.values()), requests), strict=True):
            result["figures"][size] = figures
    if len(sizes) == 2:
        result["pages"] = compare(result["figures"]["1x"], result["figures"]["10x"])
        print_table(name, result["pages"])
    else:
        print_single(name, sizes[0], result["figures"][sizes[0]])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", help="also measure on this PostgreSQL db")
    parser.add_argument("--no-sqlite", action="store_true", help="leave SQLite out")
    parser.add_argument("--requests", type=int, default=5, help="requests per page (default 5)")
    parser.add_argument("--only", choices=["1x", "10x"], help="build and measure one size")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep and reuse built SQLite")
    args = parser.parse_args()
    if args.no_sqlite and not args.postgres:
        parser.error("--no-sqlite needs --postgres")
    sizes = [args.only] if args.only else ["1x", "10x"]
    workdir = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    load_before = os.getloadavg()
    databases = {}
    try:
        if not args.no_sqlite:
            keep = args.keep.resolve() if args.keep else None
            databases["sqlite"] = run_database(
                "SQLite",
                lambda size: sqlite_database(size, keep, workdir),
                sizes,
                args.requests,
                together=True,
            )
        if args.postgres:
            databases["postgresql"] = run_database(
                "PostgreSQL",
                lambda size: postgres_database(args.postgres, size),
                sizes,
                args.requests,
                together=True,
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(_instance, ignore_errors=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                    "sqlite": sqlite3.sqlite_version,
                },
                "load_average": {"before": load_before, "after": os.getloadavg()},
                "requests_per_page": args.requests,
                "growth_limit": GROWTH_LIMIT,
                "sizes": {size: scale_data.SIZES[size].as_dict() for size in sizes},
                "databases": databases,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"\nWrote {RESULTS.relative_to(ROOT)}")
    flagged = [
        row for result in databases.values() for row in result.get("pages", []) if row["flags"]
    ]
    return 1 if flagged else 0


if __name__ == "__main__":
    sys.exit(main())
