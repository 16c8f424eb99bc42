"""Exports for accounting: Xero's sales-invoice import file and a plain CSV, read back."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest

from bookings.booking import service
from bookings.booking.team import Attendee, book_team
from bookings.extensions import db
from bookings.payments import service as payments

from ..conftest import login_as
from ..factories import make_session, make_user
from .conftest import ACME, book, credit_notes, invoices

# Xero's template, as downloaded from Xero (Sales > Invoices > Import): the starred
# columns are the ones Xero requires.
XERO_TEMPLATE = [
    "*ContactName",
    "EmailAddress",
    "POAddressLine1",
    "POAddressLine2",
    "POAddressLine3",
    "POAddressLine4",
    "POCity",
    "PORegion",
    "POPostalCode",
    "POCountry",
    "*InvoiceNumber",
    "Reference",
    "*InvoiceDate",
    "*DueDate",
    "Total",
    "TaxTotal",
    "InvoiceAmountPaid",
    "InvoiceAmountDue",
    "InventoryItemCode",
    "*Description",
    "*Quantity",
    "*UnitAmount",
    "Discount",
    "*AccountCode",
    "*TaxType",
    "TrackingName1",
    "TrackingOption1",
    "TrackingName2",
    "TrackingOption2",
    "Currency",
    "BrandingTheme",
]


def read_csv(response) -> list[dict[str, str]]:
    """The rows of a CSV answer, which must have been streamed (sent as it was written)."""
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.is_streamed  # until read: get_data() below buffers it
    text = response.get_data().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def header(response) -> list[str]:
    return next(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


@pytest.fixture
def as_staff(client, staff):
    login_as(client, staff)
    return client


def test_the_xero_export_has_the_template_header_and_one_row_per_line(
    as_staff, priced_session, learner
):
    book(priced_session, learner, ACME)
    [invoice] = invoices()

    response = as_staff.get("/staff/invoices?format=xero")

    [row] = read_csv(response)
    assert header(response) == XERO_TEMPLATE
    assert not response.get_data().startswith(b"\xef\xbb\xbf")  # Xero wants no BOM
    assert "attachment" in response.headers["Content-Disposition"]
    assert row["*ContactName"] == "Acme Care Ltd"
    assert row["EmailAddress"] == "accounts@acme.example"
    assert [row[f"POAddressLine{n}"] for n in range(1, 5)] == [
        "Unit 4, Riverside Park",
        "Chatham",
        "Kent",
        "",
    ]
    assert row["POPostalCode"] == "ME4 4AA"
    assert row["*InvoiceNumber"] == invoice.number and row["Reference"] == "PO-7781"
    assert row["*InvoiceDate"] == invoice.issued_on.strftime("%d/%m/%Y")
    assert row["*DueDate"] == invoice.due_on.strftime("%d/%m/%Y")
    assert "Living with ADHD" in row["*Description"] and "Ada Lovelace" in row["*Description"]
    assert (row["*Quantity"], row["*UnitAmount"]) == ("1", "65.00")
    assert (row["Total"], row["TaxTotal"]) == ("65.00", "0.00")
    assert (row["InvoiceAmountPaid"], row["InvoiceAmountDue"]) == ("0.00", "65.00")
    assert (row["*AccountCode"], row["*TaxType"], row["Currency"]) == ("200", "No VAT", "GBP")


def test_the_xero_export_names_the_vat_rate_and_amounts_to_the_penny(
    as_staff, money_config, course, learner
):
    money_config.update(VAT_RATE="20", XERO_SALES_ACCOUNT="4000")
    course.price_private_pence = 1999
    db.session.commit()
    sessions = [make_session(course, starts_in=timedelta(days=20 + n)) for n in range(3)]
    for session in sessions:
        book(session, make_user(sector="private"))

    rows = read_csv(as_staff.get("/staff/invoices?format=xero"))

    assert len(rows) == 3
    assert {row["*TaxType"] for row in rows} == {"20% (VAT on Income)"}
    assert {row["*AccountCode"] for row in rows} == {"4000"}
    assert {(row["*UnitAmount"], row["TaxTotal"], row["Total"]) for row in rows} == {
        ("19.99", "4.00", "23.99")
    }
    assert sum(Decimal(row["Total"]) for row in rows) == Decimal("71.97")


def test_the_xero_export_follows_the_search_and_dates(as_staff, course, learner):
    book(make_session(course, starts_in=timedelta(days=20)), learner, ACME)
    book(make_session(course, starts_in=timedelta(days=21)), make_user(sector="private"))
    old, new = invoices()
    old.issued_on -= timedelta(days=40)
    old.due_on -= timedelta(days=40)
    db.session.commit()

    acme = read_csv(as_staff.get("/staff/invoices?format=xero&q=acme"))
    recent = read_csv(
        as_staff.get(
            f"/staff/invoices?format=xero&issued_from={(payments.today() - timedelta(days=7))}"
        )
    )

    assert [row["*InvoiceNumber"] for row in acme] == [old.number]
    assert [row["*InvoiceNumber"] for row in recent] == [new.number]


def test_the_plain_csv_lists_invoices_and_credit_notes_to_the_penny(
    as_staff, money_config, course, learner
):
    money_config["VAT_RATE"] = "20"
    kept = book(make_session(course, starts_in=timedelta(days=20)), learner, ACME)
    cancelled = book(make_session(course, starts_in=timedelta(days=21)), learner)
    service.cancel(cancelled.id, learner)
    db.session.commit()
    first, second = invoices()
    [note] = credit_notes()
    first.status, first.paid_on, first.payment_method = "paid", payments.today(), "cheque"
    first.payment_reference = "=cmd|' /C calc'!A0"
    db.session.commit()

    response = as_staff.get("/staff/invoices.csv")

    rows = read_csv(response)
    assert response.get_data().startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    by_number = {row["Number"]: row for row in rows}
    assert list(by_number) == [first.number, second.number, note.number]
    paid = by_number[first.number]
    assert (paid["Type"], paid["Organisation"], paid["Purchase order"]) == (
        "Invoice",
        "Acme Care Ltd",
        "PO-7781",
    )
    assert (paid["Net (GBP)"], paid["VAT (GBP)"], paid["Total (GBP)"]) == (
        "65.00",
        "13.00",
        "78.00",
    )
    assert (paid["Status"], paid["Paid on"], paid["Payment method"]) == (
        "Paid",
        payments.today().isoformat(),
        "Cheque",
    )
    assert paid["Payment reference"].startswith("'=")  # not run as a formula
    credit = by_number[note.number]
    assert (credit["Type"], credit["Invoice"], credit["Reason"]) == (
        "Credit note",
        second.number,
        "Booking cancelled",
    )
    assert credit["Total (GBP)"] == "-78.00" and credit["VAT (GBP)"] == "-13.00"
    assert by_number[second.number]["Status"] == "Credited"
    # Invoices less credit notes: what was billed and stands.
    assert sum(Decimal(row["Total (GBP)"]) for row in rows) == Decimal("78.00")
    assert kept.id != cancelled.id


def test_the_page_says_how_many_rows_each_export_has(as_staff, course, learner):
    # A team of three on one invoice (three lines), a learner's own place, and a
    # cancelled place (its invoice and a credit note); one invoice issued long ago.
    organiser = make_user(sector="private", organisation="Acme Care Ltd")
    team = [Attendee(f"Member {n}", f"member{n}@example.org") for n in range(3)]
    book_team(
        make_session(course, starts_in=timedelta(days=20)).id,
        organiser,
        team,
        with_organiser=False,
        billing=ACME,
    )
    db.session.commit()
    book(make_session(course, starts_in=timedelta(days=21)), learner)
    cancelled = book(
        make_session(course, starts_in=timedelta(days=22)), make_user(sector="private")
    )
    service.cancel(cancelled.id, cancelled.learner)
    db.session.commit()
    old = invoices()[1]
    old.issued_on -= timedelta(days=40)
    db.session.commit()
    recent = f"issued_from={payments.today() - timedelta(days=7)}"

    for filters in ("", "q=acme", recent, f"q=member&{recent}", "q=no-such-buyer"):
        page = as_staff.get(f"/staff/invoices?{filters}").get_data(as_text=True)
        lines = int(re.search(r"Invoices for Xero: ([\d,]+) invoice line", page)[1])
        documents = int(re.search(r"Invoices and credit notes: ([\d,]+) row", page)[1])
        xero = read_csv(as_staff.get(f"/staff/invoices?format=xero&{filters}"))
        plain = read_csv(as_staff.get(f"/staff/invoices.csv?{filters}"))
        assert (lines, documents) == (len(xero), len(plain)), filters
    page = as_staff.get("/staff/invoices").get_data(as_text=True)
    assert "Invoices for Xero: 5 invoice lines" in page
    assert "Invoices and credit notes: 4 rows" in page


def test_exports_are_for_staff_only(client, learner):
    login_as(client, learner)
    assert client.get("/staff/invoices?format=xero").status_code == 403
    assert client.get("/staff/invoices.csv").status_code == 403


def test_a_bad_export_filter_is_refused(as_staff):
    assert as_staff.get("/staff/invoices.csv?issued_from=yesterday").status_code == 400
    response = as_staff.get("/staff/invoices?format=xero&issued_from=2026-02-31")
    assert response.status_code == 400 and response.mimetype == "text/html"
