"""The staff invoices page: lists with totals, search, paying, chasing and waiving."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bookings.booking import service
from bookings.extensions import db
from bookings.models import CreditNote, Invoice, OutboxMessage
from bookings.payments import service as payments

from ..conftest import login_as, post_form
from ..factories import make_session, make_user
from .conftest import ACME, book, field_error, invoices


@pytest.fixture
def as_staff(client, staff):
    login_as(client, staff)
    return client


def overdue(invoice: Invoice, days: int = 10) -> Invoice:
    """Make an invoice fall due days ago (issued earlier still)."""
    today = payments.today()
    invoice.issued_on = today - timedelta(days=30 + days)
    invoice.due_on = today - timedelta(days=days)
    db.session.commit()
    return invoice


@pytest.fixture
def ledger(course, learner):
    """Four invoices, one of each kind: outstanding, overdue, paid and credited."""
    bea = make_user(name="Bea Baker", email="bea@example.org", sector="private")
    cal = make_user(name="Cal Cole", email="cal@example.org", sector="private")
    dot = make_user(name="Dot Dean", email="dot@example.org", sector="private")
    sessions = [make_session(course, starts_in=timedelta(days=20 + n)) for n in range(4)]
    book(sessions[0], learner, ACME)
    book(sessions[1], bea)
    book(sessions[2], cal)
    credited = book(sessions[3], dot)
    service.cancel(credited.id, dot)
    db.session.commit()
    first, second, third, fourth = invoices()
    overdue(second)
    third.status, third.paid_on, third.payment_method = "paid", payments.today(), "card"
    db.session.commit()
    return {"outstanding": first, "overdue": second, "paid": third, "credited": fourth}


def test_staff_see_each_list_with_its_count_and_total(as_staff, ledger):
    html = as_staff.get("/staff/invoices").get_data(as_text=True)

    # Outstanding includes the overdue one; each list says what it comes to.
    assert "Outstanding (2): £130.00" in html
    assert "Overdue (1): £65.00" in html
    assert "Paid (1): £65.00" in html
    assert "Credited (1): £65.00" in html
    assert ledger["outstanding"].number in html and ledger["overdue"].number in html
    assert ledger["paid"].number not in html

    overdue_page = as_staff.get("/staff/invoices?show=overdue").get_data(as_text=True)
    assert ledger["overdue"].number in overdue_page
    assert ledger["outstanding"].number not in overdue_page
    paid_page = as_staff.get("/staff/invoices?show=paid").get_data(as_text=True)
    assert ledger["paid"].number in paid_page and ledger["overdue"].number not in paid_page
    credited_page = as_staff.get("/staff/invoices?show=credited").get_data(as_text=True)
    assert ledger["credited"].number in credited_page


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("acme care", "outstanding"),
        ("bea baker", "overdue"),
        ("cal@example", "paid"),
        ("-00004", "credited"),
    ],
)
def test_staff_search_by_number_organisation_or_learner(as_staff, ledger, search, found):
    show = "credited" if found == "credited" else "paid" if found == "paid" else "outstanding"
    html = as_staff.get(f"/staff/invoices?show={show}&q={search}").get_data(as_text=True)
    assert ledger[found].number in html
    others = [inv.number for key, inv in ledger.items() if key != found]
    assert not any(number in html for number in others)


def test_an_empty_list_says_so(as_staff):
    html = as_staff.get("/staff/invoices?show=overdue").get_data(as_text=True)
    assert "No invoice is overdue." in html


def test_the_list_is_paginated(as_staff, staff):
    today = payments.today()
    db.session.add_all(
        Invoice(
            number=f"INV-2020-{n:05d}",
            payer="self",
            buyer_name=f"Buyer {n}",
            buyer_email="b@example.org",
            seller_name="Medway Volunteer Network",
            issued_on=today,
            due_on=today + timedelta(days=30),
            net_pence=100,
            vat_pence=0,
            total_pence=100,
        )
        for n in range(1, 56)
    )
    db.session.commit()
    first = as_staff.get("/staff/invoices").get_data(as_text=True)
    assert "Outstanding (55): £55.00" in first and "Page 1 of 2" in first
    second = as_staff.get("/staff/invoices?show=outstanding&page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second and second.count('href="/staff/invoices/INV-2020-') == 5


def test_staff_mark_an_invoice_paid(as_staff, ledger):
    invoice = ledger["overdue"]
    path = f"/staff/invoices/{invoice.number}"
    paid_on = payments.today() - timedelta(days=1)

    response = post_form(
        as_staff,
        f"{path}/paid",
        {"paid_on": paid_on.isoformat(), "method": "bank_transfer", "reference": "BACS 991"},
        form_page=path,
    )

    assert response.status_code == 303
    db.session.expire_all()
    invoice = db.session.get(Invoice, invoice.id)
    assert (invoice.status, invoice.paid_on, invoice.payment_method) == (
        "paid",
        paid_on,
        "bank_transfer",
    )
    assert invoice.payment_reference == "BACS 991" and invoice.balance_pence == 0
    page = as_staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "is marked paid" in page and "Bank transfer" in page and "BACS 991" in page
    # Twice is refused, at the top of the page.
    again = post_form(
        as_staff, f"{path}/paid", {"paid_on": paid_on.isoformat(), "method": "card"}, form_page=path
    )
    assert again.status_code == 400
    assert "not awaiting payment, so it cannot be marked paid" in again.get_data(as_text=True)
    assert db.session.get(Invoice, invoice.id).payment_method == "bank_transfer"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"paid_on": "31/02/2026", "method": "card"}, "paid_on", "Not a valid date value."),
        ({"paid_on": "", "method": "card"}, "paid_on", "Enter the date the payment arrived"),
        ({"paid_on": "2999-01-01", "method": "card"}, "paid_on", "cannot be in the future"),
        ({"paid_on": "2001-01-01", "method": "card"}, "paid_on", "before the invoice was issued"),
        ({"paid_on": "today", "method": "gold bars"}, "method", "Not a valid choice"),
        ({"method": "card", "reference": "x" * 121}, "reference", "120 characters or fewer"),
    ],
    ids=[
        "impossible-date",
        "no-date",
        "future",
        "before-issue",
        "unknown-method",
        "long-reference",
    ],
)
def test_marking_paid_with_bad_input_is_refused_beside_the_field(
    as_staff, ledger, data, field, message
):
    invoice = ledger["outstanding"]
    path = f"/staff/invoices/{invoice.number}"
    data = {"paid_on": payments.today().isoformat(), **data}
    if data["paid_on"] == "today":
        data["paid_on"] = payments.today().isoformat()

    response = post_form(as_staff, f"{path}/paid", data, form_page=path)

    assert response.status_code == 400
    assert message in field_error(response.get_data(as_text=True), field)
    db.session.expire_all()
    invoice = db.session.get(Invoice, invoice.id)
    assert invoice.status == "issued" and invoice.paid_on is None


def late_cancellation(course, learner) -> Invoice:
    session = make_session(course, starts_in=timedelta(days=2))
    booking = book(session, learner)
    service.cancel(booking.id, learner)  # inside the free window's close: charged in full
    db.session.commit()
    [invoice] = [i for i in invoices() if i.lines[0].booking_id == booking.id]
    return invoice


def test_staff_waive_a_cancellation_charge_with_a_reason(as_staff, course, learner):
    invoice = late_cancellation(course, learner)
    line = invoice.lines[0]
    path = f"/staff/invoices/{invoice.number}"
    page = as_staff.get(path).get_data(as_text=True)
    assert "Charged £65.00 for the cancellation." in page

    response = post_form(
        as_staff,
        f"{path}/lines/{line.id}/waive",
        {f"line-{line.id}-reason": "Bereavement"},
        form_page=path,
    )

    assert response.status_code == 303
    [note] = db.session.scalars(select(CreditNote)).all()
    assert (note.reason, note.note, note.total_pence) == ("waived", "Bereavement", 6500)
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id).status == "credited"
    page = as_staff.get(response.headers["Location"]).get_data(as_text=True)
    assert f"credit note {note.number} for £65.00" in page
    assert "Cancellation charge waived: Bereavement" in page
    emails = db.session.scalars(
        select(OutboxMessage.kind).where(OutboxMessage.kind == "credit_note_issued")
    ).all()
    assert emails == ["credit_note_issued"]


def test_waiving_without_a_reason_is_refused_beside_the_field(as_staff, course, learner):
    invoice = late_cancellation(course, learner)
    line = invoice.lines[0]
    path = f"/staff/invoices/{invoice.number}"

    response = post_form(
        as_staff, f"{path}/lines/{line.id}/waive", {f"line-{line.id}-reason": "  "}, form_page=path
    )

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Give the reason for waiving the charge." in field_error(html, f"line-{line.id}-reason")
    assert db.session.scalar(select(func.count()).select_from(CreditNote)) == 0


def test_a_place_still_booked_has_no_charge_to_waive(as_staff, priced_session, learner):
    book(priced_session, learner)
    [invoice] = invoices()
    line = invoice.lines[0]
    path = f"/staff/invoices/{invoice.number}"
    assert "No charge to waive" in as_staff.get(path).get_data(as_text=True)

    response = post_form(
        as_staff,
        f"{path}/lines/{line.id}/waive",
        {f"line-{line.id}-reason": "Kind"},
        form_page=path,
    )

    assert response.status_code == 400
    assert "no cancellation charge left to waive" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(CreditNote)) == 0


def test_staff_send_a_reminder_for_an_overdue_invoice(as_staff, ledger):
    invoice = ledger["overdue"]
    path = f"/staff/invoices/{invoice.number}"
    assert "Send a payment reminder" in as_staff.get(path).get_data(as_text=True)

    response = post_form(as_staff, f"{path}/reminder", {}, form_page=path)

    assert response.status_code == 303
    [reminder] = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "invoice_reminder")
    ).all()
    assert reminder.recipient == "bea@example.org"
    assert reminder.attachment == f"invoice:{invoice.number}"
    assert "£65.00 is still owed" in reminder.body_text
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id).reminder_sent_at is not None


def test_no_reminder_for_an_invoice_not_yet_due(as_staff, ledger):
    invoice = ledger["outstanding"]
    path = f"/staff/invoices/{invoice.number}"
    assert "Send a payment reminder" not in as_staff.get(path).get_data(as_text=True)

    response = post_form(as_staff, f"{path}/reminder", {}, form_page=path)

    page = as_staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "not overdue, so no reminder was sent" in page
    assert (
        db.session.scalar(select(func.count()).where(OutboxMessage.kind == "invoice_reminder")) == 0
    )


def test_an_unknown_invoice_is_not_found(as_staff):
    assert as_staff.get("/staff/invoices/INV-1999-00001").status_code == 404


def test_invoices_are_in_the_staff_navigation(as_staff):
    assert 'href="/staff/invoices"' in as_staff.get("/staff").get_data(as_text=True)


def test_reminders_from_cron_go_once_then_not_again_within_the_interval(
    runner, money_config, ledger
):
    money_config["INVOICE_REMINDER_DAYS"] = 14
    invoice = ledger["overdue"]

    first = runner.invoke(args=["invoices", "remind"])
    again = runner.invoke(args=["invoices", "remind"])

    assert first.exit_code == 0 and "Queued 1 invoice reminder." in first.output
    assert again.exit_code == 0 and "Queued 0 invoice reminders." in again.output
    reminders = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "invoice_reminder")
    ).all()
    assert [r.recipient for r in reminders] == ["bea@example.org"]

    # Thirteen days on: still too soon. Fourteen: due again.
    db.session.expire_all()
    invoice = db.session.get(Invoice, invoice.id)
    invoice.reminder_sent_at = datetime.now(UTC) - timedelta(days=13)
    db.session.commit()
    assert "Queued 0" in runner.invoke(args=["invoices", "remind"]).output
    invoice.reminder_sent_at = datetime.now(UTC) - timedelta(days=14)
    db.session.commit()
    assert "Queued 1 invoice reminder." in runner.invoke(args=["invoices", "remind"]).output
    # Paid invoices are never chased.
    invoice.status, invoice.paid_on = "paid", payments.today()
    invoice.reminder_sent_at = None
    db.session.commit()
    assert "Queued 0" in runner.invoke(args=["invoices", "remind"]).output


def test_every_invoice_action_leaves_its_row_in_the_audit_trail(
    as_staff, staff, ledger, course, learner, runner
):
    from bookings.enums import AuditAction
    from bookings.models import AuditEntry

    overdue_one, open_one = ledger["overdue"], ledger["outstanding"]
    path = f"/staff/invoices/{overdue_one.number}"
    post_form(as_staff, f"{path}/reminder", {}, form_page=path)
    paid = {"paid_on": payments.today().isoformat(), "method": "cheque", "reference": "Chq 12"}
    post_form(as_staff, f"{path}/paid", paid, form_page=path)
    charged = late_cancellation(course, make_user(sector="private"))
    line = charged.lines[0]
    waive_path = f"/staff/invoices/{charged.number}"
    post_form(
        as_staff,
        f"{waive_path}/lines/{line.id}/waive",
        {f"line-{line.id}-reason": "Hospital stay"},
        form_page=waive_path,
    )
    assert as_staff.get("/staff/invoices?format=xero").status_code == 200
    assert as_staff.get("/staff/invoices.csv?q=Acme").status_code == 200
    overdue(open_one)
    assert runner.invoke(args=["invoices", "remind"]).exit_code == 0

    rows = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    seen = [(r.action, r.object_label, r.actor_id) for r in rows]
    assert (AuditAction.INVOICE_REMINDED, overdue_one.number, staff.id) in seen
    assert (AuditAction.INVOICE_PAID, overdue_one.number, staff.id) in seen
    assert (AuditAction.INVOICE_CHARGE_WAIVED, charged.number, staff.id) in seen
    assert (AuditAction.INVOICE_REMINDED, open_one.number, None) in seen  # from cron
    exports = [r for r in rows if r.action == AuditAction.DATA_EXPORTED]
    assert [r.object_label for r in exports] == [
        "Invoices for Xero",
        "Invoices and credit notes CSV",
    ]
    assert "q Acme" in exports[1].summary
    waived = next(r for r in rows if r.action == AuditAction.INVOICE_CHARGE_WAIVED)
    assert "Hospital stay" in waived.summary
