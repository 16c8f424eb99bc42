"""Test app, clean database per test, clients and sign-in helpers.

The schema is built by running the migrations, so they cannot drift from the
models. The suite runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set.
Under pytest-xdist (`make test` runs `-n auto`) each worker process has a database of
its own: a SQLite file in its own temporary instance folder, or on PostgreSQL the
database `<name>_gw0`, `<name>_gw1` ... beside the one TEST_DATABASE_URL names,
created when missing.
"""

from __future__ import annotations

import os
import re
import tempfile
import time

import pytest
from flask import g, request_started

_instance = tempfile.mkdtemp(prefix="tb-test-instance-")
os.environ["INSTANCE_PATH"] = _instance
os.environ.setdefault("APP_ENV", "test")

import config  # noqa: E402
from bookings import create_app  # noqa: E402
from bookings.extensions import db  # noqa: E402

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _create_database_if_missing(url, name: str) -> None:
    """CREATE DATABASE name on url's server unless it exists (connecting to url's database)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import DBAPIError

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        for attempt in range(5):
            with engine.connect() as conn:
                exists = conn.scalar(
                    text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
                )
                if exists:
                    return
                try:
                    conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
                    return
                except DBAPIError:
                    # Another process creating one from the same template at this moment.
                    if attempt == 4:
                        raise
            time.sleep(0.5 * (attempt + 1))
    finally:
        engine.dispose()


def _database_per_worker() -> None:
    """Point TEST_DATABASE_URL at this xdist worker's own PostgreSQL database."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = os.environ.get("TEST_DATABASE_URL")
    if not worker or not url:
        return
    from sqlalchemy.engine import make_url

    base = make_url(config.normalise_database_url(url))
    if not base.drivername.startswith("postgresql"):
        return
    name = f"{base.database}_{worker}"
    _create_database_if_missing(base, name)
    os.environ["TEST_DATABASE_URL"] = base.set(database=name).render_as_string(hide_password=False)


_database_per_worker()


def _forget_request_caches(sender, **extra) -> None:
    g.pop("_login_user", None)
    g.pop("csrf_token", None)


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def app():
    from flask_migrate import upgrade

    cfg = config.load("test")
    url = cfg.SQLALCHEMY_DATABASE_URI
    if url.startswith("sqlite"):
        cfg.SQLALCHEMY_DATABASE_URI = f"sqlite:///{_instance}/test.sqlite"
    else:
        _reset_postgres(url)
    app = create_app(cfg)
    with app.app_context():
        upgrade()
    # Tests hold one app context open, which requests then share; forget what
    # Flask-Login and Flask-WTF cached in g so each request loads its own.
    request_started.connect(_forget_request_caches, app)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def is_postgres(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


_postgres_clean_sql: list[str] = []


def _postgres_clean(conn) -> str:
    """DELETE from every table, children first, and restart the id sequences: one round
    trip. TRUNCATE does the same but makes new files for every table and index, which
    cost 50-130 ms a test against 3 ms for this on tables a test has barely filled.
    Tables whose triggers refuse DELETE (the append-only audit trail, a BEFORE DELETE
    trigger) are truncated; AFTER triggers (the invoice totals) see the DELETEs through."""
    if not _postgres_clean_sql:
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        # pg_trigger.tgtype bits: 2 is BEFORE, 8 is DELETE.
        guarded = set(
            conn.exec_driver_sql(
                "SELECT DISTINCT c.relname FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal "
                "AND t.tgtype & 2 <> 0 AND t.tgtype & 8 <> 0"
            ).scalars()
        )
        sequences = conn.exec_driver_sql(
            "SELECT sequence_name FROM information_schema.sequences "
            "WHERE sequence_schema = current_schema()"
        ).scalars()
        truncate = [n for n in tables if n in guarded]
        _postgres_clean_sql.append(
            "; ".join(
                ([f"TRUNCATE {', '.join(truncate)} CASCADE"] if truncate else [])
                + [f"DELETE FROM {name}" for name in tables if name not in guarded]
                + [f"ALTER SEQUENCE {name} RESTART" for name in sequences]
            )
        )
    return _postgres_clean_sql[0]


def _clean(app) -> None:
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(_postgres_clean(conn))
            else:
                for name in tables:
                    conn.exec_driver_sql(f"DELETE FROM {name}")
                has_sequence = conn.exec_driver_sql(
                    "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'"
                ).first()
                if has_sequence:
                    conn.exec_driver_sql("DELETE FROM sqlite_sequence")


@pytest.fixture(autouse=True)
def _app_context(app):
    """Every test runs inside an app context on an empty database."""
    _clean(app)
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def sqlite_app_at(path):
    """An app on a SQLite file of its own, and an engine on that file: for tests that
    migrate a database step by step. The caller disposes of the engine."""
    from sqlalchemy import create_engine

    url = f"sqlite:///{path}"

    class OwnDatabase(config.load("test")):
        SQLALCHEMY_DATABASE_URI = url

    return create_app(OwnDatabase), create_engine(url)


def require_service(available: bool, reason: str) -> None:
    """Skip a test whose server is absent, with the reason; in CI (REQUIRE_SERVICES) fail."""
    if available:
        return
    if os.environ.get("REQUIRE_SERVICES"):
        pytest.fail(f"{reason} (REQUIRE_SERVICES is set, so a missing server is a failure)")
    pytest.skip(reason)


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "exclusive: opens many connections or servers of its own; `make test` runs these "
        "one at a time after the parallel run",
    )


def _testing_on_postgres() -> bool:
    return config.load("test").SQLALCHEMY_DATABASE_URI.startswith("postgresql")


def pytest_collection_modifyitems(config, items):
    """On PostgreSQL, leave out the tests written for SQLite alone (not skips: not run)."""
    if not _testing_on_postgres():
        return
    deselected = [item for item in items if "sqlite_only" in item.keywords]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if "sqlite_only" not in item.keywords]


@pytest.fixture
def postgres(is_postgres):
    """For tests that only mean something on PostgreSQL."""
    require_service(is_postgres, "needs PostgreSQL: set TEST_DATABASE_URL=postgresql+psycopg://...")


def csrf_token(client, path: str = "/auth/login") -> str:
    """The CSRF token a browser would send, read from a page's form."""
    response = client.get(path)
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, f"no csrf_token in the form at {path}"
    return match.group(1)


def post_form(client, path: str, data: dict, form_page: str | None = None, **kwargs):
    """POST a form the way a browser does: fetch the page, send its CSRF token back."""
    data = dict(data)
    data.setdefault("csrf_token", csrf_token(client, form_page or path))
    return client.post(path, data=data, **kwargs)


def login_as(client, user) -> None:
    """Sign the test client in as user (the same session Flask-Login makes)."""
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True
