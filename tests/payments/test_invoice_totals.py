"""The invoice totals and document counts the triggers keep (migration 0013) agree with
the invoices themselves after every kind of change, and the staff invoices page reads
the same figures from them as it would from the invoices.

The same tests run on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, func, select, text

from bookings import timefmt
from bookings.booking import service
from bookings.booking.team import Attendee, book_team
from bookings.enums import InvoiceList, PaymentMethod
from bookings.extensions import db
from bookings.models import CreditNote, DocumentCount, Invoice, InvoiceLine, InvoiceTotal
from bookings.payments import collection
from bookings.payments import queries as invoice_queries
from bookings.payments import service as payments
from bookings.staff.views import invoices as invoices_view

from ..conftest import login_as, sqlite_app_at
from ..factories import make_session, make_user
from .conftest import ACME, book

# A condition that chooses every invoice, so the summaries are summed from the invoices.
EVERY_INVOICE = Invoice.id.is_not(None)


def direct_totals() -> dict:
    """(status, due date) -> (invoices, still charged, credited), from the invoices."""
    rows = db.session.execute(
        select(
            Invoice.status,
            Invoice.due_on,
            func.count(),
            func.sum(Invoice.total_pence - Invoice.credited_pence),
            func.sum(Invoice.credited_pence),
        ).group_by(Invoice.status, Invoice.due_on)
    )
    return {(s, d): (n, int(due), int(credited)) for s, d, n, due, credited in rows}


def kept_totals() -> dict:
    rows = db.session.scalars(select(InvoiceTotal))
    return {(r.status, r.due_on): (r.invoice_count, r.due_pence, r.credited_pence) for r in rows}


def kept_counts() -> dict:
    counts = {r.table_name: r.row_count for r in db.session.scalars(select(DocumentCount))}
    return {name: counts.get(name, 0) for name in ("invoice_lines", "credit_notes")}


def direct_counts() -> dict:
    return {
        "invoice_lines": db.session.scalar(select(func.count(InvoiceLine.id))),
        "credit_notes": db.session.scalar(select(func.count(CreditNote.id))),
    }


def assert_kept_in_step() -> None:
    db.session.expire_all()
    assert kept_totals() == direct_totals()
    assert kept_counts() == direct_counts()
    day = payments.today()
    for on in (day - timedelta(days=400), day, day + timedelta(days=31), day + timedelta(days=90)):
        assert invoice_queries.list_summaries([], on) == invoice_queries.list_summaries(
            [EVERY_INVOICE], on
        )
    assert invoice_queries.export_sizes([], [], []) == invoice_queries.export_sizes(
        [EVERY_INVOICE], [], []
    )


@pytest.fixture
def as_staff(client, staff):
    login_as(client, staff)
    return client


def invoice_of(booking) -> Invoice:
    return db.session.scalar(
        select(Invoice).join(InvoiceLine).where(InvoiceLine.booking_id == booking.id)
    )


def line_of(booking) -> InvoiceLine:
    return db.session.scalar(select(InvoiceLine).where(InvoiceLine.booking_id == booking.id))


@pytest.fixture
def trading(course, learner, money_config):
    """Invoices issued, paid, credited in part and in full, waived and made overdue,
    checking after each step that the kept figures follow."""
    money_config["CANCELLATION_CHARGE_PERCENT"] = 50
    people = [make_user(sector="private", email=f"buyer{n}@example.org") for n in range(6)]
    soon = make_session(course, starts_in=timedelta(days=3), capacity=10)
    later = [make_session(course, starts_in=timedelta(days=30 + n)) for n in range(4)]

    book(later[0], learner, ACME)
    team = [Attendee(f"Member {n}", f"member{n}@example.org") for n in range(3)]
    book_team(later[1].id, people[0], team, with_organiser=False, billing=ACME)
    db.session.commit()
    paid, credited, charged, waived, overdue = (
        book(later[2], people[1]),
        book(later[3], people[2]),
        book(soon, people[3]),
        book(soon, people[4]),
        book(later[2], people[5]),
    )
    assert_kept_in_step()

    collection.mark_paid(
        invoice_of(paid), paid_on=payments.today(), method=PaymentMethod.CARD, by=None
    )
    db.session.commit()
    service.cancel(credited.id, credited.learner)  # weeks ahead: credited in full
    service.cancel(charged.id, charged.learner)  # days ahead: a charge stays due
    service.cancel(waived.id, waived.learner)
    db.session.commit()
    assert_kept_in_step()

    collection.waive(line_of(waived), "Bereavement", by=None)
    db.session.commit()
    late = invoice_of(overdue)
    late.issued_on = payments.today() - timedelta(days=45)
    late.due_on = payments.today() - timedelta(days=15)
    db.session.commit()
    assert_kept_in_step()
    return {"paid": paid, "charged": charged, "late": late}


def test_kept_totals_follow_every_change_to_the_invoices(trading):
    statuses = {status for status, _ in kept_totals()}
    assert statuses == {"issued", "paid", "credited"}
    assert kept_counts()["credit_notes"] == 4

    # Deleting an invoice takes its lines and credit notes with it (ON DELETE CASCADE).
    charged = invoice_of(trading["charged"])
    assert charged.status == "issued" and 0 < charged.credited_pence < charged.total_pence
    db.session.execute(delete(Invoice).where(Invoice.id == charged.id))
    db.session.commit()
    assert_kept_in_step()
    assert kept_counts()["credit_notes"] == 3

    db.session.execute(delete(Invoice))
    db.session.commit()
    assert kept_totals() == {}
    assert kept_counts() == {"invoice_lines": 0, "credit_notes": 0}


def test_the_page_shows_the_figures_of_the_invoices_themselves(as_staff, trading):
    html = as_staff.get("/staff/invoices").get_data(as_text=True)

    direct = invoice_queries.list_summaries([EVERY_INVOICE], payments.today())
    assert direct[InvoiceList.OVERDUE].count == 1
    for which in InvoiceList:
        figure = direct[which]
        assert f"{which.label} ({figure.count}): {timefmt.amount(figure.total_pence)}" in html
    sizes = invoice_queries.export_sizes([EVERY_INVOICE], [], [])
    assert f"Invoices for Xero: {sizes.xero:,} invoice lines" in html
    assert f"Invoices and credit notes: {sizes.documents:,} rows" in html


def test_overdue_follows_the_day_with_no_change_to_the_invoices(as_staff, trading, monkeypatch):
    def overdue_tab() -> str:
        html = as_staff.get("/staff/invoices").get_data(as_text=True)
        return html.split("Overdue (", 1)[1].split("<", 1)[0]

    assert overdue_tab() == f"1): {timefmt.amount(trading['late'].total_pence)}"
    # A month on, the invoices issued today (due in 30 days) are overdue too.
    month_on = payments.today() + timedelta(days=31)
    monkeypatch.setattr(invoices_view, "today", lambda: month_on)
    expected = invoice_queries.list_summaries([EVERY_INVOICE], month_on)[InvoiceList.OVERDUE]
    assert expected.count > 1
    assert overdue_tab() == f"{expected.count}): {timefmt.amount(expected.total_pence)}"


def test_a_search_still_sums_the_invoices_it_finds(as_staff, trading):
    html = as_staff.get("/staff/invoices?q=Acme").get_data(as_text=True)

    acme = invoice_queries.list_summaries([invoice_queries.matching("Acme")], payments.today())
    assert acme[InvoiceList.OUTSTANDING].count == 2
    total = timefmt.amount(acme[InvoiceList.OUTSTANDING].total_pence)
    assert f"Outstanding (2): {total}" in html


# The migration fills the tables from the invoices already there, and reverses.

OLD_INVOICE = (
    "INSERT INTO invoices (number, payer, buyer_name, buyer_email, buyer_organisation, "
    "buyer_address, po_number, seller_name, seller_address, charity_number, vat_number, "
    "vat_rate_bp, issued_on, due_on, net_pence, vat_pence, total_pence, credited_pence, "
    "status, paid_on, payment_method, payment_reference, created_at) VALUES "
    "(:number, 'self', 'Old Buyer', 'old@example.org', '', '', '', 'Seller', '', '', '', "
    "0, '2025-01-02', '2025-02-01', 6500, 0, 6500, :credited, :status, :paid_on, :method, "
    "'', '2025-01-02 09:00')"
)
OLD_LINE = (
    "INSERT INTO invoice_lines (invoice_id, description, quantity, unit_pence, net_pence, "
    "vat_pence, total_pence, credited_pence, live) "
    "SELECT id, 'A place', 1, 6500, 6500, 0, 6500, 0, :live FROM invoices"
)


def _old_invoices(conn) -> None:
    for number, status, credited, paid_on, method in (
        ("INV-2025-00001", "issued", 0, None, ""),
        ("INV-2025-00002", "issued", 1500, None, ""),
        ("INV-2025-00003", "paid", 0, "2025-01-05", "card"),
    ):
        conn.execute(
            text(OLD_INVOICE),
            {
                "number": number,
                "status": status,
                "credited": credited,
                "paid_on": paid_on,
                "method": method,
            },
        )
    conn.execute(text(OLD_LINE), {"live": True})


def _filled(conn) -> tuple[list, list]:
    totals = conn.execute(
        text(
            "SELECT status, invoice_count, due_pence, credited_pence FROM invoice_totals "
            "ORDER BY status"
        )
    ).all()
    counts = conn.execute(
        text("SELECT table_name, row_count FROM document_counts ORDER BY table_name")
    ).all()
    return [tuple(row) for row in totals], [tuple(row) for row in counts]


FILLED = (
    [("issued", 2, 11500, 1500), ("paid", 1, 6500, 0)],
    [("credit_notes", 0), ("invoice_lines", 3)],
)


@pytest.mark.sqlite_only
def test_migration_fills_the_totals_and_reverses_on_sqlite(tmp_path):
    app, engine = sqlite_app_at(tmp_path / "old.sqlite")
    with app.app_context():
        upgrade(revision="0012")
        with engine.begin() as conn:
            _old_invoices(conn)
        upgrade(revision="0013")
        with engine.connect() as conn:
            assert _filled(conn) == FILLED
        downgrade(revision="0012")
        with engine.connect() as conn:
            names = conn.execute(text("SELECT name FROM sqlite_master")).scalars().all()
        assert not [n for n in names if "totals" in n or "document_counts" in n or "_count_" in n]
        upgrade(revision="0013")
        with engine.connect() as conn:
            assert _filled(conn) == FILLED
    engine.dispose()


@pytest.mark.postgres
def test_migration_fills_the_totals_and_reverses_on_postgres(app, postgres):
    db.session.remove()
    downgrade(revision="0012")
    try:
        with db.engine.begin() as conn:
            _old_invoices(conn)
        upgrade(revision="0013")
        with db.engine.connect() as conn:
            assert _filled(conn) == FILLED
        downgrade(revision="0012")
        with db.engine.connect() as conn:
            left = conn.execute(
                text(
                    "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
                    "UNION ALL SELECT proname FROM pg_proc WHERE proname LIKE '%document_counts%' "
                    "OR proname LIKE '%invoice_totals%' "
                    "UNION ALL SELECT relname FROM pg_class "
                    "WHERE relname IN ('invoice_totals', 'document_counts')"
                )
            ).scalars()
            assert set(left) == {"audit_entries_append_only"}
    finally:
        upgrade()
    with db.engine.connect() as conn:
        assert _filled(conn) == FILLED
