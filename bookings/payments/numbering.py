"""Document numbers that run on with no gap and no duplicate, whatever the concurrency.

Each series (invoices, credit notes) keeps its last number per year in one row of
number_sequences. Taking a number is an UPDATE of that row in the transaction that
issues the document: the row stays locked (PostgreSQL) or the database write-locked
(SQLite) until that transaction ends, so the next issuer waits, and a transaction
that rolls back gives its number back with everything else it did.

A transaction that issues both kinds takes the invoice number before the credit
note's, so two of them never hold one counter each while waiting for the other's.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models import NumberSequence

INVOICE = "invoice"
CREDIT_NOTE = "credit_note"


def _ensure_row(series: str, year: int) -> None:
    """The year's row, made if missing; a concurrent maker wins without an error."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(NumberSequence)
        .values(series=series, year=year, last_value=0)
        .on_conflict_do_nothing(index_elements=["series", "year"])
    )


def next_number(series: str, prefix: str, year: int) -> str:
    """The next number of a series for a year, as PREFIX-YYYY-NNNNN."""
    taken = (
        update(NumberSequence)
        .where(NumberSequence.series == series, NumberSequence.year == year)
        .values(last_value=NumberSequence.last_value + 1)
        .returning(NumberSequence.last_value)
        .execution_options(synchronize_session=False)
    )
    value = db.session.scalar(taken)
    if value is None:
        _ensure_row(series, year)
        value = db.session.scalar(taken)
    return f"{prefix}-{year}-{value:05d}"
