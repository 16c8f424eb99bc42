"""Fixtures for booking tests: an app whose every session is its own connection."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.pool import NullPool

from bookings.extensions import db
from bookings.models import Booking, OutboxMessage

from ..conftest import post_form

# A priced place asks who pays; these learners pay for themselves.
CONSENT = {"consent": "y", "access_needs": "", "dietary_needs": "", "payer": "self"}


@pytest.fixture(scope="module")
def concurrent_app(app):
    """A second app on the test database that opens a new connection per session.

    Worker threads push its app context, so each has its own session and connection,
    as separate server processes would.
    """
    import config
    from bookings import create_app

    with app.app_context():
        url = db.engine.url.render_as_string(hide_password=False)

    class ConcurrentConfig(config.TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        SQLALCHEMY_ENGINE_OPTIONS = {"poolclass": NullPool}

    other = create_app(ConcurrentConfig)
    yield other
    with other.app_context():
        db.engine.dispose()


def run_in_threads(app, work, args_list):
    """Run work(*args) in one thread per args, each in its own app context, all at once.

    Returns (results, errors) in no particular order.
    """
    barrier = threading.Barrier(len(args_list))
    results, errors = [], []
    lock = threading.Lock()

    def worker(args):
        with app.app_context():
            try:
                barrier.wait(timeout=60)
                outcome = work(*args)
                with lock:
                    results.append(outcome)
            except Exception as exc:  # every error is a failure the test reports
                with lock:
                    errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(a,)) for a in args_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a worker thread is stuck"
    return results, errors


def book_via_form(client, session_id: int, data: dict | None = None, form_page=None):
    path = f"/sessions/{session_id}/book"
    return post_form(client, path, {**CONSENT, **(data or {})}, form_page=form_page)


def outbox_kinds(booking_id: int | None = None) -> list[str]:
    query = select(OutboxMessage.kind).order_by(OutboxMessage.id)
    if booking_id is not None:
        query = query.where(OutboxMessage.booking_id == booking_id)
    return list(db.session.scalars(query))


def booking_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Booking))
