"""Count the SQL statements a block of code sends (to catch N+1 queries)."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from bookings.extensions import db


@contextmanager
def counting_statements():
    """Yield a list that collects each statement sent while the block runs."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
