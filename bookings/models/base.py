"""What every model shares: the clock, the UTC column type, writing a row at once."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import DateTime, Insert, Table, TypeDecorator, insert, inspect
from sqlalchemy.orm import make_transient_to_detached


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime in Python, stored as naive UTC in any database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware instant is needed")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


@lru_cache
def _insert_returning(table: Table) -> Insert:
    """One statement per table, its values given at execution: cheaper to look up in
    the compiled cache than a statement built with its values each time."""
    (primary_key,) = table.primary_key.columns
    return insert(table).returning(primary_key)


def write_row(session, obj):
    """Write a new object's row with one INSERT now; obj comes back as persisted but
    detached, with its primary key, for the caller to add to session.

    For the few writes made while a lock is held: the ORM's flush works out the
    order of everything pending, which costs more than the INSERT itself. Every
    column gets its value on obj (the default where none was set), so nothing is
    left to load back. Relationships on obj are not followed: their rows are the
    caller's to write (first, when this row refers to them).
    """
    mapper = inspect(obj).mapper
    values = {}
    for column in mapper.local_table.columns:
        attribute = mapper.get_property_by_column(column).key
        if column.primary_key and getattr(obj, attribute) is None:
            continue
        if attribute in obj.__dict__:
            values[column.key] = obj.__dict__[attribute]
            continue
        default = column.default
        if default is None and column.server_default is None:
            values[column.key] = None
            setattr(obj, attribute, None)
            continue
        if default is None or not (default.is_scalar or default.is_callable):
            continue  # the database's to fill (server default, SQL, sequence): read later
        value = default.arg(None) if default.is_callable else default.arg
        setattr(obj, attribute, value)
        values[column.key] = value
    (primary_key,) = mapper.primary_key
    new_id = session.execute(_insert_returning(mapper.local_table), values).scalar_one()
    setattr(obj, mapper.get_property_by_column(primary_key).key, new_id)
    make_transient_to_detached(obj)
    return obj
