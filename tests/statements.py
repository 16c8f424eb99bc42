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


def page_selects(client, path: str) -> tuple[list[tuple[str, object]], str]:
    """Every SELECT a page ran, with its parameters, and the page's text (it must be a 200)."""
    ran = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            ran.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        response = client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    assert response.status_code == 200, path
    return ran, response.get_data(as_text=True)
