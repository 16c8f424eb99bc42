"""Schema objects the migrations make by hand and no model declares.

Full-text search (migration 0011: the FTS5 table and its shadow tables on SQLite, the
tsvector columns and their GIN indexes on PostgreSQL), the trigram indexes behind the
staff searches (0010 on PostgreSQL, 0014's FTS5 trigram tables on SQLite) and two
indexes written in raw SQL (0011). Alembic's
autogenerate compares the models with the database; without this filter it would
offer to drop every one of them. migrations/env.py passes include_object to Alembic.
"""

from __future__ import annotations

INDEXES = frozenset(
    {
        "ix_courses_catalogue_order",
        "ix_sessions_bookable",
        "ix_courses_search_vector",
        "ix_courses_title_words",
    }
)
COLUMNS = frozenset({("courses", "search_vector"), ("courses", "title_words")})
# The FTS5 tables and their shadow tables (SQLite): catalogue, then staff searches.
FTS_TABLES = frozenset(
    {
        "course_search",
        "user_substrings",
        "booking_substrings",
        "outbox_substrings",
        "invoice_substrings",
    }
)
TRIGRAM_SUFFIX = "_trgm"


def is_unmodelled(name: str | None, type_: str, table: str | None = None) -> bool:
    """Whether a schema object is one of those the migrations keep by hand."""
    if name is None:
        return False
    if type_ == "table":
        return name in FTS_TABLES or name.rpartition("_")[0] in FTS_TABLES
    if type_ == "index":
        return name in INDEXES or name.endswith(TRIGRAM_SUFFIX)
    if type_ == "column":
        return (table, name) in COLUMNS
    return False


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's hook: compare everything but what is only in the database by design."""
    if not reflected or compare_to is not None:
        return True
    table = getattr(getattr(obj, "table", None), "name", None)
    return not is_unmodelled(name, type_, table)
