"""SQLite's planner statistics are refreshed after a response, once per interval."""

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

import config
from bookings import create_app

from .factories import make_course, make_session


def _stat_tables(url: str) -> set[str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = conn.execute(text("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'"))
        if found.first() is None:
            return set()
        tables = set(conn.execute(text("SELECT tbl FROM sqlite_stat1")).scalars())
    engine.dispose()
    return tables


@pytest.mark.sqlite_only
def test_statistics_are_refreshed_after_a_response_and_then_not_until_due(tmp_path):
    url = f"sqlite:///{tmp_path / 'planner.sqlite'}"

    class Analysing(config.load("test")):
        SQLALCHEMY_DATABASE_URI = url
        SQLITE_ANALYZE_SECONDS = 3600

    app = create_app(Analysing)
    with app.app_context():
        upgrade()
        for n in range(3):
            make_session(make_course(title=f"Course {n}"))
        client = app.test_client()
        assert _stat_tables(url) == set()

        response = client.get("/courses")
        assert response.status_code == 200
        assert _stat_tables(url) == set(), "nothing is analysed before the response has gone"
        response.close()
        assert {"courses", "sessions"} <= _stat_tables(url)

        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM sqlite_stat1"))
        engine.dispose()
        client.get("/courses").close()
        assert _stat_tables(url) == set(), "not again within SQLITE_ANALYZE_SECONDS"


def test_the_test_configuration_leaves_statistics_alone(app):
    assert app.config["SQLITE_ANALYZE_SECONDS"] == 0
