"""Substring search for the staff lists: rows whose columns contain the text typed, in
any case, with `%` and `_` taken as they are.

PostgreSQL answers lower(column) LIKE '%text%' from pg_trgm GIN indexes (migration
0010). SQLite cannot index such a LIKE; there, migration 0014 keeps FTS5 tables with
the trigram tokenizer in step with the searched tables by triggers, each over the
columns searched together and with the table's id as its rowid:

    user_substrings      users (name, email)
    booking_substrings   bookings (reference, organisation)
    outbox_substrings    outbox_messages (recipient)
    invoice_substrings   invoices (number, buyer_name, buyer_email,
                         buyer_organisation, po_number)

A search of three characters or more becomes `id IN (SELECT rowid FROM <table> WHERE
<table> MATCH '"text"')`: the text as one quoted phrase, which FTS5 cuts into its
trigrams and finds where they follow one another, that is where the text appears.
Quotes are doubled, so `*`, `-`, `NEAR` or `OR` in the text are only characters.
Shorter text has no trigram to look up: it keeps the LIKE, which reads the table.

The trigram tokenizer folds case letter by letter as Unicode does ("É" finds "é"), as
PostgreSQL's lower() does; SQLite's lower() and LIKE fold only A to Z, so one or two
letters other than those match in their own case only on SQLite.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Integer, Select, column, func, literal_column, or_, select
from sqlalchemy import table as table_clause

from .extensions import db

SHORTEST_INDEXED = 3  # one trigram


def on_sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def like_pattern(text: str) -> str:
    """'%text%' for LIKE with the escape character '\\': in lower case, % and _ literal."""
    escaped = text.strip().lower().replace("\\", "\\\\")
    return "%" + escaped.replace("%", "\\%").replace("_", "\\_") + "%"


def contains(column_, like: str) -> ColumnElement[bool]:
    """lower(column) LIKE like: served by a trigram index on PostgreSQL."""
    return func.lower(column_).like(like, escape="\\")


def indexed(text: str) -> bool:
    """Whether SQLite finds the text through its trigram tables (three characters or
    more); PostgreSQL always finds it through its trigram indexes."""
    return on_sqlite() and len(text.strip()) >= SHORTEST_INDEXED


def phrase(text: str) -> str:
    """An FTS5 query for the text as it is: one quoted string, its quotes doubled."""
    return '"' + text.strip().replace('"', '""') + '"'


def ids_containing(fts_table: str, text: str) -> Select:
    """The ids of rows whose columns in fts_table contain the text (SQLite, 3+ characters)."""
    fts = table_clause(fts_table, column("rowid", Integer))
    return select(fts.c.rowid).where(literal_column(fts_table).op("MATCH")(phrase(text)))


def matching(id_column, fts_table: str, columns, text: str) -> ColumnElement[bool]:
    """Rows with the text in one of columns: on SQLite, from fts_table when it can."""
    if indexed(text):
        return id_column.in_(ids_containing(fts_table, text))
    like = like_pattern(text)
    return or_(*(contains(c, like) for c in columns))
