"""Substring search of the staff lists (bookings, users, outbox, invoices): on SQLite a
search of three characters or more is read from the FTS5 trigram tables of migration
0014, and finds exactly what the plain LIKE finds; the tables stay in step with the
rows; and such a search no longer reads the bookings table.

The same tests run on SQLite and, with TEST_DATABASE_URL, on PostgreSQL (where the
LIKE is served by pg_trgm indexes and the trigram tables do not exist).
"""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, select, text

from bookings import substring
from bookings.accounts.service import erase_account, update_profile
from bookings.booking import service as booking_service
from bookings.booking.service import Needs
from bookings.enums import OUTBOX_STATUSES
from bookings.extensions import db
from bookings.models import Booking, Invoice, User
from bookings.payments.queries import matching as invoices_matching
from bookings.staff.queries import bookings_query, outbox_query, users_query

from ..conftest import login_as, sqlite_app_at
from ..factories import make_course, make_session, make_user
from ..statements import page_selects

FTS_TABLES = ("user_substrings", "booking_substrings", "outbox_substrings", "invoice_substrings")

# (name, email, organisation)
PEOPLE = [
    ("Ann Archer", "ann.archer@example.org", "Age UK"),
    ("Bob O'Brien", "bob.obrien@charity.org", "St. Mungo's"),
    ('Dee "DJ" Jones', "dee@100percent.org", "100% Care_Ltd"),
    ("Near Orwell", "near.or@example.net", "NEAR OR NOT"),
    ("McKenzie-Smith*", "Mixed.Case@Example.ORG", "Shelter (Scotland)"),
    ("Cal Underscore", "cal_u@example.org", "50%_off"),
]

QUERIES = [
    "archer",
    "ARCHER",
    "n.arc",
    "r@exa",
    "le.org",
    "CHARITY",
    "o'b",
    "'",
    "%",
    "_",
    "%_",
    "0%_",
    "0% c",
    "100%",
    "e_l",
    "l_u",
    "a",
    "AN",
    "x",
    "-",
    "-sm",
    "*",
    "h*",
    '"',
    '""',
    '"dj"',
    '"DJ" J',
    "NEAR",
    "near or",
    "OR",
    "or not",
    "AND",
    "(scot",
    ")",
    "{name}",
    "name:",
    "name : ann",
    "ann*",
    "^ann",
    "\\",
    "  arch  ",
    "mixed.case@",
    "zzz",
    "mvn-",
]


@pytest.fixture
def people():
    """Each person with a priced booking: a booking, an email queued, an invoice."""
    session = make_session(make_course(title="Safeguarding"), capacity=20)
    booked = []
    for name, email, organisation in PEOPLE:
        person = make_user(name=name, email=email, organisation=organisation)
        booked.append(booking_service.book(session.id, person, Needs(consent=True)))
    db.session.commit()
    return booked


def found(search: str) -> dict[str, set[int]]:
    """The ids each staff list finds for the search."""
    return {
        "bookings": {b.id for b in db.session.scalars(bookings_query(search=search))},
        "users": {u.id for u in db.session.scalars(users_query(search))},
        "outbox": {
            message.id
            for status in OUTBOX_STATUSES
            for message in db.session.scalars(outbox_query(status, search))
        },
        "invoices": set(db.session.scalars(select(Invoice.id).where(invoices_matching(search)))),
    }


def by_plain_like(search: str, monkeypatch) -> dict[str, set[int]]:
    """What the lists find with the trigram tables left out: lower(column) LIKE."""
    with monkeypatch.context() as patched:
        patched.setattr(substring, "SHORTEST_INDEXED", 10_000)
        return found(search)


def contains(value: str, search: str) -> bool:
    return search.strip().lower() in value.lower()


def test_searches_find_what_a_plain_like_finds(people, monkeypatch):
    references = [booking.reference for booking in people]
    queries = [*QUERIES, references[0], references[1][2:8].lower(), references[2][-4:]]
    bookings = db.session.scalars(select(Booking)).all()
    users = db.session.scalars(select(User)).all()
    for search in queries:
        result = found(search)
        assert result == by_plain_like(search, monkeypatch), search
        assert result["bookings"] == {
            b.id
            for b in bookings
            if any(
                contains(v, search)
                for v in (b.reference, b.organisation, b.learner.name, b.learner.email)
            )
        }, search
        assert result["users"] == {
            u.id for u in users if contains(u.name, search) or contains(u.email, search)
        }, search


def test_searches_find_the_text_in_the_middle_of_a_value(people):
    ann, bob = people[0], people[1]
    assert found("n.arch")["bookings"] == {ann.id}
    assert found("BRIEN@CHAR")["users"] == {bob.learner_id}
    assert found("mungo")["bookings"] == {bob.id}
    assert found(bob.reference[3:9].lower())["bookings"] == {bob.id}
    assert found("obrien@")["outbox"] and found("obrien@")["invoices"]


def test_percent_and_underscore_are_only_characters(people):
    cal = people[5]
    assert found("%_")["bookings"] == {cal.id}
    assert found("l_u")["users"] == {cal.learner_id}
    assert found("100%")["bookings"] == {people[2].id}
    assert found("l%u")["users"] == set()


def test_letters_beyond_a_to_z_match_in_any_case():
    session = make_session(capacity=5)
    booking = booking_service.book(
        session.id, make_user(name="Élodie Ünal", email="elodie@example.org"), Needs()
    )
    db.session.commit()
    for search in ("ÉLODIE", "élodie", "ünal", "ÜNAL"):
        assert found(search)["bookings"] == {booking.id}, search
        assert found(search)["users"] == {booking.learner_id}, search


@pytest.mark.parametrize("search", QUERIES)
def test_every_staff_search_answers_without_error(as_staff, people, search):
    for path in ("/staff/bookings", "/staff/users", "/staff/outbox", "/staff/invoices"):
        response = as_staff.get(path, query_string={"q": search})
        assert response.status_code == 200, (path, search)


def test_the_bookings_page_lists_what_the_search_finds(as_staff, people):
    html = as_staff.get("/staff/bookings", query_string={"q": 'DJ" J'}).get_data(as_text=True)
    assert people[2].reference in html
    assert people[0].reference not in html


# The index kept in step ----------------------------------------------------------


def assert_in_step():
    """On SQLite, FTS5 compares each trigram table with the rows it indexes."""
    if db.session.get_bind().dialect.name != "sqlite":
        return
    for table in FTS_TABLES:
        db.session.execute(
            text(f"INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 1)")
        )


def test_index_follows_a_renamed_and_readdressed_user(people):
    ann = people[0].learner
    update_profile(ann, name="Ann Bowman", organisation="Age UK", sector="voluntary")
    ann.email = "a.bowman@elsewhere.net"
    db.session.commit()
    assert found("archer")["users"] == set()
    assert found("archer")["bookings"] == set()
    assert found("bowman")["users"] == {ann.id}
    assert found("bowman")["bookings"] == {people[0].id}
    assert found("elsewhere.n")["users"] == {ann.id}
    assert_in_step()


def test_index_follows_bookings_made_and_cancelled(people, staff):
    eve = make_user(name="Eve Newcomer", email="eve@example.org", organisation="Mind Medway")
    booking = booking_service.book(make_session(capacity=5).id, eve, Needs(consent=True))
    db.session.commit()
    assert found("newcomer")["bookings"] == {booking.id}
    assert found("mind med")["bookings"] == {booking.id}
    assert found(booking.reference)["bookings"] == {booking.id}
    booking_service.cancel(booking.id, by=staff)
    db.session.commit()
    assert found(booking.reference)["bookings"] == {booking.id}
    assert_in_step()


def test_erasing_an_account_takes_its_details_out_of_the_search(people):
    bob = people[1].learner
    erase_account(bob)
    db.session.commit()
    result = found("obrien")
    assert result["users"] == result["bookings"] == set()
    # Delivered messages go; those still queued (the cancellation, say) go out.
    assert result["outbox"] == found("obrien")["outbox"] & {
        m.id for m in db.session.scalars(outbox_query("pending"))
    }
    assert found("mungo")["bookings"] == set()
    assert found("erased account")["users"] == {bob.id}
    # An invoice keeps its copy of the buyer.
    assert found("obrien")["invoices"]
    assert_in_step()


def test_deleting_a_user_takes_their_bookings_out_of_the_search(people):
    reference, learner_id = people[2].reference, people[2].learner_id
    db.session.execute(delete(User).where(User.id == learner_id))
    db.session.commit()
    assert found("jones")["users"] == set()
    assert found(reference)["bookings"] == set()
    assert_in_step()


# How SQLite finds them -----------------------------------------------------------

BULK_SQLITE = [
    """WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 2000)
    INSERT INTO users (email, name, organisation, role, active, calendar_token,
        staff_calendar_token, created_at)
    SELECT 'bulk' || n || '@example.org', 'Bulk ' || n, 'Org ' || (n % 50), 'learner', 1,
        'ct-' || n, 'st-' || n, datetime('now') FROM g""",
    """WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 10000)
    INSERT INTO bookings (reference, session_id, learner_id, status, sector, organisation,
        price_pence, access_needs, dietary_needs, consent, created_at, updated_at)
    SELECT 'BLK-' || n, :session, (SELECT min(id) FROM users WHERE name LIKE 'Bulk %')
        + n % 2000, 'cancelled', 'voluntary', 'Org ' || (n % 50), 0, '', '', 1,
        datetime('now', '-' || n || ' minutes'), datetime('now') FROM g""",
]


def _plans(client, path: str) -> list[str]:
    """EXPLAIN QUERY PLAN of every SELECT the page ran, one text per statement."""
    ran, _ = page_selects(client, path)
    with db.engine.connect() as conn:
        return [
            "\n".join(row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {s}", p))
            for s, p in ran
        ]


def _scans(plans: list[str], table: str) -> list[str]:
    return [plan for plan in plans if f"SCAN {table}" in plan]


@pytest.mark.sqlite_only
def test_sqlite_search_reads_the_trigram_tables_not_the_bookings(client, staff):
    db.session.execute(text(BULK_SQLITE[0]))
    db.session.execute(text(BULK_SQLITE[1]), {"session": make_session().id})
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    login_as(client, staff)
    plans = _plans(client, "/staff/bookings?q=bulk42@example")
    assert any("booking_substrings VIRTUAL TABLE" in plan for plan in plans)
    assert not _scans(plans, "bookings"), plans
    assert not _scans(plans, "users"), plans
    user_plans = _plans(client, "/staff/users?q=bulk42@example")
    assert not _scans(user_plans, "users"), user_plans
    # One or two characters have no trigram: the LIKE reads the list in order.
    assert _scans(_plans(client, "/staff/bookings?q=42"), "bookings")


# The migration -------------------------------------------------------------------


def _names(engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(text("SELECT name FROM sqlite_master")).scalars())


@pytest.mark.sqlite_only
def test_migration_indexes_existing_rows_and_reverses_on_sqlite(tmp_path):
    app, engine = sqlite_app_at(tmp_path / "old.sqlite")
    with app.app_context():
        upgrade(revision="0013")
        booking = booking_service.book(
            make_session(capacity=5).id,
            make_user(name="Olive Older", email="olive.older@example.org"),
            Needs(consent=True),
        )
        db.session.commit()
        ids = booking.id, booking.learner_id
        upgrade(revision="0014")
        result = found("olive.ol")
        assert (result["bookings"], result["users"]) == ({ids[0]}, {ids[1]})
        assert result["outbox"] and result["invoices"]
        assert_in_step()
        db.session.remove()
        downgrade(revision="0013")
        assert not [n for n in _names(engine) if "substrings" in n]
        upgrade(revision="0014")
        assert found("olive ol")["bookings"] == {ids[0]}
        assert_in_step()
        db.session.remove()
    engine.dispose()


@pytest.mark.postgres
def test_migration_changes_nothing_on_postgres(app, postgres, people):
    ann = people[0].id
    db.session.remove()
    downgrade(revision="0013")
    try:
        assert found("archer")["bookings"] == {ann}
    finally:
        db.session.remove()
        upgrade()
    assert found("archer")["bookings"] == {ann}
