"""The migrations and the models describe one schema, so autogenerate proposes nothing."""

from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bookings.extensions import db
from bookings.models.unmodelled import include_object, is_unmodelled


def differences(include=None) -> list:
    with db.engine.connect() as conn, warnings.catch_warnings():
        # SQLite cannot reflect expression indexes; Alembic says so, and skips them.
        warnings.simplefilter("ignore", UserWarning)
        opts = {"compare_type": True}
        if include is not None:
            opts["include_object"] = include
        return compare_metadata(MigrationContext.configure(conn, opts=opts), db.metadata)


def test_autogenerate_finds_the_migrated_database_and_the_models_alike():
    assert differences(include_object) == []


def test_without_the_filter_autogenerate_would_drop_the_search_objects(is_postgres):
    # What the filter hides is real and only that: every proposal is a removal of an
    # object the migrations made by hand, and the search objects are among them.
    proposals = differences()
    removed = set()
    for change in proposals:
        kind = change[0]
        assert kind in ("remove_table", "remove_index", "remove_column"), change
        if kind == "remove_column":
            _, _, table, column = change
            assert is_unmodelled(column.name, "column", table), change
            removed.add(column.name)
        else:
            obj = change[1]
            assert is_unmodelled(obj.name, kind.removeprefix("remove_")), change
            removed.add(obj.name)
    expected = {"ix_courses_catalogue_order", "ix_sessions_bookable"}
    if is_postgres:
        expected |= {"search_vector", "title_words", "ix_users_name_trgm"}
    else:
        expected |= {"course_search"}
    assert expected <= removed
