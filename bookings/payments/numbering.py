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

from sqlalchemy import bindparam, update
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


_sequences = NumberSequence.__table__
# A Core statement on the table: nothing for the ORM to do while the counter is held.
_TAKE = (
    update(_sequences)
    .where(_sequences.c.series == bindparam("of_series"), _sequences.c.year == bindparam("of_year"))
    .values(last_value=_sequences.c.last_value + 1)
    .returning(_sequences.c.last_value)
)


def next_number(series: str, prefix: str, year: int) -> str:
    """The next number of a series for a year, as PREFIX-YYYY-NNNNN."""
    value = db.session.scalar(_TAKE, {"of_series": series, "of_year": year})
    if value is None:
        _ensure_row(series, year)
        value = db.session.scalar(_TAKE, {"of_series": series, "of_year": year})
    return f"{prefix}-{year}-{value:05d}"
