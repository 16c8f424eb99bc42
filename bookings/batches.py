"""Reading a large result a batch at a time, for exports of any size.

On PostgreSQL the rows come through a server-side cursor (yield_per turns on
stream_results); SQLite's driver fetches from its cursor as rows are asked for. Either
way only one batch of rows is in memory at once.
"""

from __future__ import annotations

from sqlalchemy import Result, Select

from .extensions import db

BATCH_ROWS = 1000


def in_batches(query: Select, batch_rows: int = BATCH_ROWS) -> Result:
    """The rows of query, fetched batch_rows at a time as they are iterated."""
    return db.session.execute(query.execution_options(yield_per=batch_rows))
