"""On PostgreSQL, the hot lists are served from indexes: with a few thousand rows in each
big table, no statement a list page runs has to read a big table from end to end.

The statements are the ones the pages really run, captured as the test client asks for
each page, then explained with their own parameters.
"""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import text

from bookings.extensions import db

from .conftest import login_as
from .factories import make_course, make_user
from .statements import page_selects

pytestmark = pytest.mark.postgres

BIG_TABLES = {"bookings", "outbox_messages", "users", "sessions", "audit_entries"}
USERS, SESSIONS, BOOKINGS, MESSAGES, ENTRIES = 20_000, 3_000, 100_000, 30_000, 20_000

BULK = [
    f"""INSERT INTO users (email, name, organisation, role, active, calendar_token,
        staff_calendar_token, created_at)
    SELECT substr(md5('e' || g), 1, 12) || '@example.org',
        'Bulk ' || substr(md5(g::text), 1, 10), 'Org ' || (g % 50),
        'learner', true, 'ct-' || g, 'st-' || g, now()
    FROM generate_series(1, {USERS}) g""",
    f"""INSERT INTO sessions (course_id, trainer_id, starts_at, ends_at, venue_name,
        venue_address, online_url, capacity, seats_taken, waitlist_last, status, revision,
        notes, created_at, updated_at)
    SELECT (SELECT min(id) FROM courses) + g % 20,
        CASE WHEN g % 10 = 0 THEN :other ELSE :trainer END,
        now() + (g - {SESSIONS // 2}) * interval '3 hours',
        now() + (g - {SESSIONS // 2}) * interval '3 hours' + interval '2 hours',
        'Hall', '1 High Street', '', 20, 0, 0, 'scheduled', 0, '', now(), now()
    FROM generate_series(1, {SESSIONS}) g""",
    f"""INSERT INTO bookings (reference, session_id, learner_id, status, sector,
        organisation, price_pence, access_needs, dietary_needs, consent, created_at,
        updated_at)
    SELECT 'BLK-' || g, (SELECT min(id) FROM sessions) + g % {SESSIONS},
        (SELECT min(id) FROM users WHERE name LIKE 'Bulk %') + g % {USERS},
        CASE WHEN g <= 50000 THEN 'confirmed' ELSE 'cancelled' END, 'voluntary',
        'Org ' || (g % 50), 0, '', '', true, now() - g * interval '1 minute', now()
    FROM generate_series(1, {BOOKINGS}) g""",
    f"""INSERT INTO outbox_messages (kind, message_id, recipient, subject, body_text,
        body_html, status, attempts, next_attempt_at, created_at, sent_at)
    SELECT 'booking_confirmed', '<bulk' || g || '@example.org>',
        'bulk' || g || '@example.org', 'Booking confirmed', '', '',
        CASE g % 10 WHEN 0 THEN 'failed' WHEN 1 THEN 'pending' ELSE 'sent' END, 0, now(),
        now() - g * interval '1 minute',
        CASE WHEN g % 10 > 1 THEN now() - g * interval '1 minute' END
    FROM generate_series(1, {MESSAGES}) g""",
    f"""INSERT INTO audit_entries (at, actor, action, object_type, object_label, summary,
        ip_address)
    SELECT now() - g * interval '1 minute', 'Staff ' || (g % 30),
        CASE g % 3 WHEN 0 THEN 'news.saved' WHEN 1 THEN 'session.created'
            ELSE 'booking.cancelled' END, '', '', '', ''
    FROM generate_series(1, {ENTRIES}) g""",
]

STAFF_PAGES = [
    "/staff",
    "/staff/bookings",
    "/staff/bookings?status=confirmed",
    "/staff/bookings?course={course}",
    "/staff/sessions",
    "/staff/sessions?show=past",
    "/staff/sessions?course={course}",
    "/staff/users",
    "/staff/users?q={needle}",
    "/staff/users?role=trainer",
    "/staff/outbox?show=sent",
    "/staff/outbox?show=pending",
    "/staff/outbox?show=failed",
    "/staff/outbox?show=sent&q=bulk42",
    "/staff/audit",
    "/staff/audit?action=news.saved",
]
# Substring searches across tables. On tables this small the planner may rightly prefer
# reading the users' primary key with a filter to a trigram index scan (its estimate for
# a GIN scan is above that of reading 20,000 short rows): for these, the test asks only
# that no statement needs a sequential scan, i.e. that an index can serve every part.
SEARCH_PAGES = [
    "/staff/bookings?q={needle}",
    "/staff/bookings?q=org+42",
    "/staff/bookings?q=BLK-4242",
]
TRAINER_PAGES = ["/trainer/sessions"]
# Calendar apps poll the public feeds often: when a feed last changed is a few index
# lookups, and what is in it a range of its window, however many sessions were held.
FEED_PAGES = ["/calendar.ics", "/courses/{course_slug}/calendar.ics"]


# Nodes through which a Limit above still stops the scan below early.
STREAMING = {
    "Limit",
    "Nested Loop",
    "Result",
    "Subquery Scan",
    "Unique",
    "Incremental Sort",
    "Gather Merge",
}


def _full_reads(plan: dict, bounded: bool = False, strict: bool = True) -> list[str]:
    """The big tables the plan reads end to end: a Seq Scan, or an index scan with no
    condition whose rows are not cut short by a Limit (a full index scan then a sort)."""
    found = []
    node, table = plan["Node Type"], plan.get("Relation Name")
    if node == "Bitmap Index Scan" and "Index Cond" not in plan:
        # A bitmap of the whole index: never cut short, whatever is above it.
        found.append(f"whole-index bitmap of {plan['Index Name']}")
    if table in BIG_TABLES:
        if node == "Seq Scan":
            found.append(f"Seq Scan on {table}")
        elif (
            strict
            and node in ("Index Scan", "Index Only Scan")
            and "Index Cond" not in plan
            and not bounded
        ):
            found.append(f"unbounded {node} of {plan['Index Name']}")
    under_limit = node == "Limit" or (bounded and node in STREAMING)
    for child in plan.get("Plans", []):
        found += _full_reads(child, under_limit, strict)
    return found


@pytest.fixture
def big_data(postgres):
    courses = [make_course(commit=False) for _ in range(20)]
    trainer, other = make_user("trainer"), make_user("trainer")
    staff = make_user("staff")
    db.session.commit()
    for statement in BULK:
        db.session.execute(text(statement), {"trainer": trainer.id, "other": other.id})
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    # Part of one learner's name, as staff would type it.
    needle = db.session.scalar(text("SELECT substr(md5('4242'), 2, 7)"))
    return {"staff": staff, "trainer": trainer, "course": courses[3].id, "needle": needle}


def _explain(statement: str, parameters) -> dict:
    with db.engine.connect() as conn:
        # With sequential scans priced out, the planner still picks one where no index can
        # serve the query: a Seq Scan left in the plan means an index is missing. (On a few
        # thousand rows a table scan can be cheaper, and the plan would say nothing.)
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        row = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters).scalar()
    plan = row if isinstance(row, list) else json.loads(row)
    return plan[0]["Plan"]


def _check(client, path: str, strict: bool = True) -> list[str]:
    """The statements of the page, and of its next page, that scan a big table."""
    problems, html = _problems(client, path, strict)
    match = re.search(r'<a rel="next" href="([^"]+)"', html)
    if match:
        problems += _problems(client, match.group(1).replace("&amp;", "&"), strict)[0]
    return problems


def _problems(client, path: str, strict: bool = True) -> tuple[list[str], str]:
    problems = []
    statements, html = page_selects(client, path)
    assert statements, path
    for statement, parameters in statements:
        scans = _full_reads(_explain(statement, parameters), strict=strict)
        if scans:
            problems.append(f"{path}: {scans} in\n{statement}\n")
    return problems, html


def test_staff_lists_use_indexes(client, big_data):
    login_as(client, big_data["staff"])
    problems = []
    values = {"course": big_data["course"], "needle": big_data["needle"]}
    for path in STAFF_PAGES:
        problems += _check(client, path.format(**values))
    for path in SEARCH_PAGES:
        problems += _check(client, path.format(**values), strict=False)
    values["course_slug"] = db.session.scalar(
        text("SELECT slug FROM courses WHERE id = :id"), {"id": big_data["course"]}
    )
    for path in FEED_PAGES:
        problems += _check(client, path.format(**values))
    assert not problems, "\n".join(problems)


def test_trainer_sessions_use_indexes(client, big_data):
    login_as(client, big_data["trainer"])
    problems = []
    for path in TRAINER_PAGES:
        problems += _check(client, path)
    # The past list's own pages too.
    _, html = page_selects(client, "/trainer/sessions")
    older = re.search(r'<a rel="next" href="([^"]+past_after[^"]+)"', html)
    assert older, "no link to earlier past sessions"
    problems += _check(client, older.group(1).replace("&amp;", "&"))
    assert not problems, "\n".join(problems)


def test_a_name_search_looks_up_the_learners_bookings_by_index_as_the_app_connects(
    client, big_data
):
    """Sequential scans allowed, as in production. The app starts each connection with
    random_page_cost 1.1 (POSTGRES_RANDOM_PAGE_COST): with the server's 4, the planner
    reads all 100,000 bookings to find the few hundred of the learners a name matches."""
    login_as(client, big_data["staff"])
    statements, html = page_selects(client, "/staff/bookings?q=bulk+42")
    assert "BLK-" in html
    problems = []
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW random_page_cost").scalar() == "1.1"
        for statement, parameters in statements:
            row = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters).scalar()
            plan = (row if isinstance(row, list) else json.loads(row))[0]["Plan"]
            scans = _full_reads(plan, strict=False)
            if scans:
                problems.append(f"{scans} in\n{statement}\n")
    assert not problems, "\n".join(problems)
