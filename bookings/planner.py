"""Keep SQLite's query-planner statistics fresh, as PostgreSQL's autovacuum does.

Without statistics (sqlite_stat1) SQLite's planner guesses that an equality on any
indexed column picks a handful of rows, so with an index on bookings (status, ...)
it may walk every confirmed booking instead of starting from one course's
sessions: a course page went from 5 ms to 90 ms at 100,000 bookings that way.
So each app process refreshes them once every SQLITE_ANALYZE_SECONDS, after the
response that noticed it was due has gone (no visitor waits for it), reading at
most ANALYSIS_LIMIT rows of each index: a few milliseconds at any size.
PostgreSQL keeps its own statistics; there this does nothing.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask

from .extensions import db

ANALYSIS_LIMIT = 1000
log = logging.getLogger(__name__)


def refresh_statistics() -> bool:
    """Analyse the SQLite database (within an app context); False on PostgreSQL."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return False
    with engine.begin() as conn:
        conn.exec_driver_sql(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        conn.exec_driver_sql("ANALYZE")
    return True


def init_app(app: Flask) -> None:
    interval = app.config.get("SQLITE_ANALYZE_SECONDS", 3600)
    if not interval or not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    due = {"at": 0.0}
    lock = threading.Lock()

    def refresh_after_response() -> None:
        try:
            with app.app_context():
                refresh_statistics()
        except Exception:  # a busy database only delays the next refresh
            log.warning("Could not refresh SQLite's planner statistics", exc_info=True)

    @app.after_request
    def _refresh_when_due(response):
        now = time.monotonic()
        with lock:
            if now < due["at"]:
                return response
            due["at"] = now + interval
        response.call_on_close(refresh_after_response)
        return response
