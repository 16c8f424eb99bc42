"""The migration gives the news posts that already exist a slug each."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from ..conftest import sqlite_app_at


def test_existing_posts_get_unique_slugs_and_the_migration_reverses(tmp_path):
    app, engine = sqlite_app_at(tmp_path / "old.sqlite")
    with app.app_context():
        upgrade(revision="0002")
        with engine.begin() as conn:
            for title in ("Spring dates: ADHD & you", "Spring dates: ADHD & you", "???"):
                conn.execute(
                    text(
                        "INSERT INTO news_posts (title, body, published_at, published, "
                        "created_at) VALUES (:title, '', '2026-01-02 09:00', 1, '2026-01-01')"
                    ),
                    {"title": title},
                )
        upgrade()
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT slug, updated_at FROM news_posts ORDER BY id")).all()
        assert [slug for slug, _ in rows] == [
            "spring-dates-adhd-you",
            "spring-dates-adhd-you-2",
            "news",
        ]
        assert all(str(updated).startswith("2026-01-02 09:00") for _, updated in rows)
        downgrade(revision="0002")
        upgrade()
    engine.dispose()
