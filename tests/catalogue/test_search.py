"""Full-text search of the catalogue: ranking, short searches, query syntax, the index
kept in step with courses, and the migration (SQLite FTS5; PostgreSQL tsvector).

The same tests run on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import io

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select, text

from bookings.catalogue.importer import import_csv
from bookings.extensions import db
from bookings.models import Course
from bookings.search import TextQuery
from tests.catalogue.test_import import csv_text, row
from tests.catalogue.test_pages import page_text, titles
from tests.conftest import sqlite_app_at
from tests.factories import make_course


def search(client, q: str, **filters) -> list[str]:
    response = client.get("/courses", query_string={"q": q, **filters})
    assert response.status_code == 200, q
    return titles(response)


# Ranking ---------------------------------------------------------------------


def test_a_title_match_ranks_above_a_description_only_match(client):
    make_course(title="Managing volunteers", description="Recruiting and keeping people.")
    make_course(title="Running a charity shop", description="Includes safeguarding basics.")
    make_course(title="Safeguarding adults", description="What to do if you are worried.")
    assert search(client, "safeguarding") == ["Safeguarding adults", "Running a charity shop"]


def test_more_relevant_courses_come_first(client):
    make_course(title="Trustee duties", summary="Governance", description="About trustees.")
    make_course(title="Bid writing", summary="Funding", description="For trustees and staff.")
    make_course(title="Recruiting trustees", summary="Find trustees for your board")
    make_course(title="Events", summary="Fundraising events")
    assert search(client, "trustees") == ["Recruiting trustees", "Trustee duties", "Bid writing"]
    # Every word must be there; in the title counts most.
    assert search(client, "trustee board") == ["Recruiting trustees"]


def test_ties_keep_title_order(client):
    for title in ("Charity law C", "Charity law A", "Charity law B"):
        make_course(title=title, summary="", description="")
    assert search(client, "charity law") == ["Charity law A", "Charity law B", "Charity law C"]


def test_other_forms_of_a_word_match(client):
    make_course(title="Trustee Duties", category="Governance")
    make_course(title="Volunteer retention", summary="Keeping volunteers")
    assert search(client, "governing") == ["Trustee Duties"]
    assert search(client, "volunteering") == ["Volunteer retention"]
    # An unfinished last word finds the words it starts, when nothing else matches.
    assert search(client, "volunt") == ["Volunteer retention"]


def test_other_filters_still_apply_to_a_search(client):
    from tests.factories import make_session

    make_session(make_course(title="First aid at work", category="First aid"))
    make_course(title="First aid refresher", category="First aid")
    make_course(title="First steps in governance", category="Governance")
    assert sorted(search(client, "first", category="First aid")) == [
        "First aid at work",
        "First aid refresher",
    ]
    assert search(client, "first aid", available="1") == ["First aid at work"]
    assert sorted(search(client, "first", sector="private")) == [
        "First aid at work",
        "First aid refresher",
        "First steps in governance",
    ]


def test_pages_of_results_keep_the_ranking(client):
    for n in range(25):
        make_course(title=f"Course {n:02d}", summary="", description="", commit=False)
    db.session.add(Course(slug="filler", title="Filler", summary="", description="Course"))
    db.session.commit()
    first = search(client, "course")
    second = search(client, "course", page="2")
    assert first == [f"Course {n:02d}" for n in range(20)]
    assert second == [f"Course {n:02d}" for n in range(20, 25)] + ["Filler"]
    assert "26 courses (page 2 of 2)" in page_text(client.get("/courses?q=course&page=2"))
    assert search(client, "course", page="9") == second  # past the last page: the last


# Short searches --------------------------------------------------------------


def test_one_or_two_letters_find_title_words_starting_with_them(client):
    make_course(title="AI for small charities", summary="")
    make_course(title="First aid at work", summary="")
    make_course(title="IT skills", summary="")
    make_course(title="Bid writing", summary="", description="Raise funds with AI tools")
    response = client.get("/courses?q=ai")
    assert titles(response) == ["AI for small charities", "First aid at work"]
    text_ = page_text(response)
    assert 'id="short-search"' in text_ and "Type at least 3 letters" in text_
    # "it" is a stop word in English; a title search still finds it.
    assert search(client, "IT") == ["IT skills"]
    assert search(client, "f") == ["AI for small charities", "First aid at work"]
    assert search(client, "f a") == ["AI for small charities", "First aid at work"]
    assert "short-search" not in page_text(client.get("/courses?q=aid"))


# What a visitor types is never query syntax ----------------------------------


HOSTILE = [
    '"',
    '"living with',
    'adhd"',
    '""',
    "living-with-adhd",
    "-adhd",
    "adhd*",
    "*",
    "* *",
    "NEAR(living adhd)",
    "living NEAR adhd",
    "living AND adhd",
    "living OR nothing",
    "NOT adhd",
    "title:adhd",
    "title : adhd",
    "{title summary}: adhd",
    "^adhd",
    "adhd + living",
    "(adhd",
    "adhd)",
    "adhd & living",
    "adhd | living",
    "!adhd",
    "adhd <-> living",
    "adhd:*",
    "adhd:A",
    "'adhd'",
    "\\adhd",
    "adhd;--",
    "%_",
    "ａｄｈｄ",  # full-width letters
    "ADHD🙂",
    "ÀDHD",
    "the",
    "a",
    "0",
    "-",
]


@pytest.mark.parametrize("q", HOSTILE)
def test_query_syntax_characters_never_cause_an_error(client, q):
    make_course(title="Living with ADHD", summary="Current information")
    make_course(title="Near me", summary="Local courses")
    response = client.get("/courses", query_string={"q": q})
    assert response.status_code == 200, q


def test_operators_are_taken_as_words(client):
    make_course(title="Living with ADHD", summary="Current information")
    make_course(title="Near neighbours", summary="Local courses for everyone")
    make_course(title="Or else", summary="")
    assert search(client, '"living with adhd"') == ["Living with ADHD"]
    assert search(client, "living-with-adhd") == ["Living with ADHD"]
    assert search(client, "-adhd") == ["Living with ADHD"]  # not "without adhd"
    assert search(client, "adhd*") == ["Living with ADHD"]
    assert search(client, "near") == ["Near neighbours"]
    assert search(client, "NEAR(neighbours everyone)") == ["Near neighbours"]
    assert search(client, "living OR else") == []  # both words, not either
    assert search(client, "title:local") == []  # "title" is a word, not a column
    assert search(client, "*") == []
    assert search(client, '"living adhd') == ["Living with ADHD"]


def test_text_query_quotes_every_word():
    query = TextQuery.parse('NEAR("a" b*) -c title:d')
    assert query.words == ("near", "a", "b", "c", "title", "d")
    assert query.fts5() == '"near" AND "a" AND "b" AND "c" AND "title" AND "d"'
    assert query.tsquery() == "near & a & b & c & title & d"
    assert query.widen().fts5().endswith('"d" *')
    assert TextQuery.parse("ai").fts5() == 'title : "ai" *'
    assert TextQuery.parse("ai hr").tsquery() == "ai:* & hr:*"
    assert TextQuery.parse("100").widen() is None
    assert TextQuery.parse("* - ''").empty


# The index follows the courses -----------------------------------------------


def _indexed_courses() -> int:
    if db.engine.dialect.name == "postgresql":
        return db.session.scalar(text("SELECT count(*) FROM courses WHERE search_vector <> ''"))
    return db.session.scalar(text("SELECT count(*) FROM course_search"))


def test_index_follows_create_edit_unpublish_and_delete(client):
    course = make_course(title="Bookkeeping basics", summary="Keep your accounts")
    assert search(client, "bookkeeping") == ["Bookkeeping basics"]
    course.title = "Payroll basics"
    course.description = "Paying staff and sessional workers"
    db.session.commit()
    assert search(client, "bookkeeping") == []
    assert search(client, "payroll") == ["Payroll basics"]
    assert search(client, "sessional") == ["Payroll basics"]
    course.published = False
    db.session.commit()
    assert search(client, "payroll") == []
    course.published = True
    db.session.commit()
    assert _indexed_courses() == 1
    db.session.delete(course)
    db.session.commit()
    assert search(client, "payroll") == []
    assert _indexed_courses() == 0


def test_csv_import_keeps_the_index_in_step(client):
    import_csv(io.StringIO(csv_text([row(course_title="Living with ADHD")])), progress=False)
    db.session.commit()
    assert search(client, "adhd") == ["Living with ADHD"]
    changed = row(course_title="Living with autism", summary="Current information on autism")
    import_csv(io.StringIO(csv_text([changed])), progress=False)
    db.session.commit()
    assert search(client, "adhd") == []
    assert search(client, "autism") == ["Living with autism"]
    assert _indexed_courses() == db.session.scalar(select(func.count()).select_from(Course))


# The migration ---------------------------------------------------------------


def _old_course(conn) -> None:
    conn.execute(
        text(
            "INSERT INTO courses (slug, title, summary, description, outcomes, audience, "
            "category, duration, price_voluntary_pence, price_private_pence, published, "
            "created_at, updated_at) VALUES ('old', 'Minute taking', 'For secretaries', "
            "'', '', '', 'Governance', '', 0, 0, :yes, '2026-01-01', '2026-01-01')"
        ),
        {"yes": True},
    )


def _found(conn, dialect: str) -> list[str]:
    if dialect == "postgresql":
        statement = (
            "SELECT slug FROM courses WHERE search_vector @@ to_tsquery('english', 'secretary')"
        )
    else:
        statement = (
            "SELECT slug FROM courses JOIN course_search ON course_search.rowid = courses.id "
            "WHERE course_search MATCH 'secretary'"
        )
    return list(conn.execute(text(statement)).scalars())


@pytest.mark.sqlite_only
def test_migration_indexes_existing_courses_and_reverses_on_sqlite(tmp_path):
    app, engine = sqlite_app_at(tmp_path / "old.sqlite")
    with app.app_context():
        upgrade(revision="0010")
        with engine.begin() as conn:
            _old_course(conn)
        upgrade(revision="0011")
        with engine.connect() as conn:
            assert _found(conn, "sqlite") == ["old"]
        downgrade(revision="0010")
        with engine.connect() as conn:
            names = conn.execute(text("SELECT name FROM sqlite_master")).scalars().all()
        assert not [name for name in names if "course_search" in name]
        upgrade(revision="0011")
        with engine.connect() as conn:
            assert _found(conn, "sqlite") == ["old"]
    engine.dispose()


@pytest.mark.postgres
def test_migration_indexes_existing_courses_and_reverses_on_postgres(app, postgres):
    db.session.remove()
    downgrade(revision="0010")
    try:
        with db.engine.begin() as conn:
            _old_course(conn)
        upgrade(revision="0011")
        with db.engine.connect() as conn:
            assert _found(conn, "postgresql") == ["old"]
        downgrade(revision="0010")
        with db.engine.connect() as conn:
            columns = conn.execute(
                text(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_name = 'courses' AND column_name IN "
                    "('search_vector', 'title_words')"
                )
            ).all()
        assert columns == []
    finally:
        upgrade()
    with db.engine.connect() as conn:
        assert _found(conn, "postgresql") == ["old"]


@pytest.mark.postgres
def test_postgres_search_uses_the_gin_index(postgres):
    for n in range(50):
        make_course(title=f"Course {n}", commit=False)
    db.session.commit()
    with db.engine.connect() as conn:
        conn.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(
            conn.execute(
                text(
                    "EXPLAIN SELECT id FROM courses WHERE "
                    "search_vector @@ to_tsquery('english'::regconfig, 'course')"
                )
            ).scalars()
        )
        short_plan = "\n".join(
            conn.execute(
                text(
                    "EXPLAIN SELECT id FROM courses WHERE "
                    "title_words @@ to_tsquery('simple'::regconfig, 'co:*')"
                )
            ).scalars()
        )
    assert "ix_courses_search_vector" in plan
    assert "ix_courses_title_words" in short_plan
