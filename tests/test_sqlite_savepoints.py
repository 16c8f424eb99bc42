"""On SQLite, a nested transaction that starts the transaction waits for the write lock.

A write into a table with a search index (FTS5 triggers) inside a SAVEPOINT opened
outside a transaction used to fail at once with "database is locked" whenever another
connection was writing: registering, or a team booking making accounts for its
attendees, while anyone else booked.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select, text

from bookings.enums import Role
from bookings.extensions import db
from bookings.models import User

pytestmark = pytest.mark.sqlite_only

HELD_SECONDS = 0.5


def hold_the_write_lock(started: threading.Event) -> threading.Thread:
    """Another connection writes and keeps its transaction open for a moment."""
    engine = db.engine

    def writer():
        with engine.connect() as conn:
            conn.execute(text("UPDATE users SET name = name WHERE id = -1"))
            started.set()
            time.sleep(HELD_SECONDS)
            conn.commit()

    thread = threading.Thread(target=writer)
    thread.start()
    return thread


def test_a_new_account_in_a_savepoint_waits_for_another_writer_and_is_kept():
    started = threading.Event()
    writer = hold_the_write_lock(started)
    assert started.wait(timeout=10)
    began = time.monotonic()
    user = User(email="waits@example.org", name="Waits Turn", role=Role.LEARNER)
    with db.session.begin_nested():
        db.session.add(user)
        db.session.flush()
    waited = time.monotonic() - began
    db.session.commit()
    writer.join()
    assert waited >= HELD_SECONDS / 2
    db.session.expire_all()
    assert db.session.scalar(select(User.name).where(User.email == "waits@example.org")) == (
        "Waits Turn"
    )


def test_the_savepoint_belongs_to_the_transaction_and_goes_with_its_rollback():
    with db.session.begin_nested():
        db.session.add(User(email="gone@example.org", name="Not Kept", role=Role.LEARNER))
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(User.id).where(User.email == "gone@example.org")) is None
