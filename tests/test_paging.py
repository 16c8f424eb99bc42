"""Paged lists: walking every page shows every row once, in order, even while rows are
added between the requests; the links are accessible; old and forged addresses work."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bookings.extensions import db
from bookings.models import AuditEntry, Booking, Enquiry, OutboxMessage, Session, User
from bookings.paging import COUNT_LIMIT

from .conftest import login_as
from .factories import make_course, make_session, make_user

NOW = datetime.now(UTC).replace(microsecond=0)
_serial = itertools.count(1)
MAX_PAGES = 40


def _stamp(n: int, forward: bool = False) -> datetime:
    """Times that repeat in runs of five, so the id must break the ties."""
    step = timedelta(minutes=n // 5)
    return NOW + step if forward else NOW - timedelta(days=1) - step


def _learner(n: int, name: str | None = None) -> User:
    return User(
        email=f"walker{n}@example.org",
        name=name or f"Walker {n:04}",
        role="learner",
        sector="voluntary",
        organisation=f"Org {n % 3}",
    )


def add_bookings(count: int, session: Session | None = None, **fields) -> list[int]:
    session = session or make_session(capacity=1000)
    rows = []
    for _ in range(count):
        n = next(_serial)
        learner = _learner(n)
        rows.append(
            Booking(
                reference=f"PGT-{n:05}",
                session=session,
                learner=learner,
                status=fields.get("status", "cancelled"),
                sector="voluntary",
                organisation=learner.organisation,
                price_pence=0,
                created_at=fields.get("created_at") or _stamp(n),
            )
        )
    db.session.add_all(rows)
    db.session.commit()
    return [b.id for b in rows]


def add_sessions(count: int, *, past: bool = False, trainer=None) -> list[int]:
    course = make_course()
    rows = []
    for _ in range(count):
        n = next(_serial)
        # Runs of five sessions start at once (each of its own course, as the rule asks).
        starts = NOW + timedelta(days=1 + n // 5) if not past else NOW - timedelta(days=1 + n // 5)
        rows.append(
            Session(
                course=course if n % 5 == 0 else make_course(commit=False),
                starts_at=starts,
                ends_at=starts + timedelta(hours=3),
                capacity=10,
                trainer=trainer,
                venue_name="Hall",
                venue_address="1 High Street",
            )
        )
    db.session.add_all(rows)
    db.session.commit()
    return [s.id for s in rows]


def add_users(count: int) -> list[int]:
    # Names repeat, so the id breaks ties among equal names.
    rows = [_learner(n, name=f"Walker {n // 3:04}") for n in (next(_serial) for _ in range(count))]
    db.session.add_all(rows)
    db.session.commit()
    return [u.id for u in rows]


def add_outbox(count: int, status: str) -> list[str]:
    rows = []
    for _ in range(count):
        n = next(_serial)
        rows.append(
            OutboxMessage(
                kind="booking_confirmed",
                message_id=f"<walk{n}@example.org>",
                recipient=f"mail{n:05}@example.org",
                subject="Hello",
                body_text="Hello",
                status=status,
                created_at=_stamp(n),
                sent_at=_stamp(n) + timedelta(minutes=1) if status == "sent" else None,
            )
        )
    db.session.add_all(rows)
    db.session.commit()
    return [m.recipient.split("@")[0] for m in rows]


def add_audit(count: int) -> list[str]:
    rows = []
    for _ in range(count):
        n = next(_serial)
        rows.append(
            AuditEntry(at=_stamp(n), actor="Sam Staff", action="news.saved", summary=f"entry-{n}.")
        )
    db.session.add_all(rows)
    db.session.commit()
    return [r.summary.rstrip(".") for r in rows]


def add_enquiries(count: int) -> list[int]:
    rows = []
    for _ in range(count):
        n = next(_serial)
        rows.append(
            Enquiry(
                name=f"Asker {n}",
                email=f"asker{n}@example.org",
                subject=f"Question {n}",
                message="Do you run this in Kent?",
                created_at=_stamp(n),
            )
        )
    db.session.add_all(rows)
    db.session.commit()
    return [e.id for e in rows]


@dataclass
class Listing:
    """A paged list: where it is, how its rows are told apart, and how to add rows."""

    path: str
    row: str  # a pattern whose first group identifies a row
    add: object  # add(count) -> the identifiers of the rows added
    key: object = int


def _lists(trainer) -> dict[str, Listing]:
    return {
        "bookings": Listing("/staff/bookings", r'href="/staff/bookings/(\d+)"', add_bookings),
        "bookings searched": Listing(
            "/staff/bookings?q=walker",
            r'href="/staff/bookings/(\d+)"',
            add_bookings,
        ),
        "bookings by status": Listing(
            "/staff/bookings?status=waitlisted",
            r'href="/staff/bookings/(\d+)"',
            lambda n: add_waiting(n),
        ),
        "upcoming sessions": Listing(
            "/staff/sessions", r'<td><a href="/staff/sessions/(\d+)">', add_sessions
        ),
        "past sessions": Listing(
            "/staff/sessions?show=past",
            r'<td><a href="/staff/sessions/(\d+)">',
            lambda n: add_sessions(n, past=True),
        ),
        "users": Listing("/staff/users?role=learner", r'href="/staff/users/(\d+)"', add_users),
        "outbox waiting": Listing(
            "/staff/outbox?show=pending",
            r"(mail\d+)@example.org</td>",
            lambda n: add_outbox(n, "pending"),
            str,
        ),
        "outbox sent": Listing(
            "/staff/outbox?show=sent",
            r"(mail\d+)@example.org</td>",
            lambda n: add_outbox(n, "sent"),
            str,
        ),
        "audit": Listing("/staff/audit", r"(entry-\d+)\.", add_audit, str),
        "enquiries": Listing("/staff/enquiries", r'href="/staff/enquiries/(\d+)"', add_enquiries),
        "trainer upcoming": Listing(
            "/trainer/sessions",
            r'href="/trainer/sessions/(\d+)"',
            lambda n: add_sessions(n, trainer=trainer),
        ),
        "trainer past": Listing(
            "/trainer/sessions",
            r'href="/trainer/sessions/(\d+)"',
            lambda n: add_sessions(n, past=True, trainer=trainer),
        ),
    }


def add_waiting(count: int) -> list[int]:
    ids = []
    for _ in range(count):
        session = make_session(capacity=0)
        ids += add_bookings(1, session, status="cancelled")
    # Waiting bookings need a place in the queue: give each its own session.
    for booking_id in ids:
        booking = db.session.get(Booking, booking_id)
        booking.session.waitlist_last += 1
        booking.status = "waitlisted"
        booking.waiting_position = booking.session.waitlist_last
    db.session.commit()
    return ids


LIST_NAMES = list(_lists(None))


def _next(html: str, which: str = "next", section: str | None = None) -> str | None:
    if section:
        html = _section(html, section)
    match = re.search(rf'<a rel="{which}" href="([^"]+)"', html)
    return match.group(1).replace("&amp;", "&") if match else None


def _section(html: str, section: str) -> str:
    """The part of the trainer's page that holds one of its two lists."""
    upcoming, past = html.split('<section id="past"', 1)
    return past if section == "past" else upcoming


def _rows(listing: Listing, html: str, section: str | None) -> list:
    if section:
        html = _section(html, section)
    return [listing.key(found) for found in re.findall(listing.row, html)]


def walk(client, listing: Listing, section=None, between=None, start=None) -> list:
    """Every row from the first page to the last, following the Next links; between()
    runs before each page after the first."""
    seen, path = [], start or listing.path
    for _ in range(MAX_PAGES):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        seen += _rows(listing, html, section)
        path = _next(html, section=section)
        if path is None:
            return seen
        assert "after=" in path
        if between:
            between()
    raise AssertionError("the pages never ended")


@pytest.fixture
def trainer():
    return make_user("trainer", name="Tess Trainer")


@pytest.fixture
def signed_in(client, trainer):
    def sign_in(name: str):
        login_as(client, trainer if name.startswith("trainer") else make_user("staff"))
        return client

    return sign_in


def _section_of(name: str) -> str | None:
    return {"trainer upcoming": "upcoming", "trainer past": "past"}.get(name)


@pytest.mark.parametrize("name", LIST_NAMES)
def test_walking_the_pages_shows_every_row_once_in_order(signed_in, trainer, name):
    listing = _lists(trainer)[name]
    client = signed_in(name)
    present = listing.add(120)

    seen = walk(client, listing, _section_of(name))

    assert len(seen) == len(set(seen)), "a row was shown twice"
    assert set(seen) == set(present), "a row was never shown"


@pytest.mark.parametrize("name", LIST_NAMES)
def test_rows_added_between_pages_lose_nothing_and_repeat_nothing(signed_in, trainer, name):
    listing = _lists(trainer)[name]
    client = signed_in(name)
    present = listing.add(110)
    added = []

    seen = walk(client, listing, _section_of(name), between=lambda: added.extend(listing.add(7)))

    assert added, "rows were added while paging"
    assert len(seen) == len(set(seen)), "a row was shown twice"
    assert set(present) <= set(seen), "a row present from the start was lost"
    assert set(seen) <= set(present) | set(added)


def test_newest_rows_added_at_the_top_do_not_push_rows_onto_the_next_page(signed_in):
    """With page numbers, rows added at the top shift every row down a page: the next
    page repeats the last rows seen. The cursor continues from the last row itself."""
    client = signed_in("staff")
    listing = _lists(None)["bookings"]
    add_bookings(120)
    first = client.get(listing.path).get_data(as_text=True)
    on_first = _rows(listing, first, None)
    add_bookings(10, created_at=NOW)  # newer than every booking listed
    second = client.get(_next(first)).get_data(as_text=True)
    on_second = _rows(listing, second, None)
    assert len(on_first) == len(on_second) == 50 and not set(on_first) & set(on_second)


def test_previous_links_walk_back_over_the_same_rows(signed_in):
    client = signed_in("staff")
    listing = _lists(None)["users"]
    add_users(130)
    pages, path = [], listing.path
    while path:
        html = client.get(path).get_data(as_text=True)
        pages.append(_rows(listing, html, None))
        last_html, path = html, _next(html)
    assert "Page 3 of 3" in last_html
    back, path = [], _next(last_html, "prev")
    while path:
        html = client.get(path).get_data(as_text=True)
        back.insert(0, _rows(listing, html, None))
        path = _next(html, "prev")
    assert back == pages[:-1]
    assert "Page 1 of 3" in html and 'rel="prev"' not in html


def test_the_page_links_are_a_labelled_navigation_with_a_position(signed_in):
    client = signed_in("staff")
    add_bookings(120)
    html = client.get("/staff/bookings").get_data(as_text=True)
    nav = re.search(r'<nav class="pagination" aria-label="Pagination">(.*?)</nav>', html, re.S)
    assert nav, "no pagination landmark"
    assert "Page 1 of 3 (showing 1–50 of 120)" in nav.group(1)
    assert re.search(r'<a rel="next" href="[^"]+">Next<span class="visually-hidden"> page', html)
    second = client.get(_next(html)).get_data(as_text=True)
    assert "Page 2 of 3 (showing 51–100 of 120)" in second and 'rel="prev"' in second


def test_a_forged_or_foreign_cursor_shows_the_first_page(signed_in):
    client = signed_in("staff")
    add_bookings(60)
    first = client.get("/staff/bookings").get_data(as_text=True)
    token = _next(first).split("after=", 1)[1]
    listing = _lists(None)["bookings"]
    for path in (
        "/staff/bookings?after=not-a-cursor",
        "/staff/bookings?before=eyJrIjpbMV0sIm4iOjJ9.forged",
        f"/staff/sessions?after={token}",  # another list's cursor
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        if path.startswith("/staff/bookings"):
            assert _rows(listing, html, None) == _rows(listing, first, None)


def test_old_page_numbers_still_work(signed_in):
    client = signed_in("staff")
    listing = _lists(None)["bookings"]
    present = add_bookings(120)
    html = client.get("/staff/bookings?page=3").get_data(as_text=True)
    assert "Page 3 of 3" in html and len(_rows(listing, html, None)) == 20
    oldest = db.session.scalars(
        select(Booking.id).order_by(Booking.created_at, Booking.id).limit(20)
    )
    assert set(_rows(listing, html, None)) == set(oldest) <= set(present)


def test_counts_stop_at_the_limit(signed_in):
    client = signed_in("staff")
    add_outbox(COUNT_LIMIT + 5, "pending")
    html = client.get("/staff/outbox?show=pending").get_data(as_text=True)
    assert f"Waiting to be sent (more than {COUNT_LIMIT:,})" in html
    assert re.search(r"Page 1 \(showing 1–50 of more than 1,000\)", html)
