"""Bulk rows for bench/scale_data.py: the chunked insert, invoices and outbox mail."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select, text

from bookings.enums import BookingStatus, InvoiceStatus, OutboxStatus
from bookings.extensions import db
from bookings.models import Invoice, InvoiceLine, NumberSequence, OutboxMessage
from bookings.payments.numbering import INVOICE

CHUNK = 5_000
MAIL_DOMAIN = "scale.example.org"
OUTBOX_KINDS = ["booking_confirmed", "booking_waitlisted", "booking_cancelled", "reminder"]


def insert_rows(table, rows: list[dict], numbered: bool = False) -> list[int]:
    """Insert rows in chunks (executemany; COPY on PostgreSQL, which fires triggers
    all the same); numbered gives them ids after the largest taken, and returns those
    ids in the order given (PostgreSQL's sequence follows)."""
    ids: list[int] = []
    if numbered:
        first = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
        ids = list(range(first, first + len(rows)))
        for row, row_id in zip(rows, ids, strict=True):
            row["id"] = row_id
    if not rows:
        return ids
    if db.session.get_bind().dialect.name != "postgresql":
        for start in range(0, len(rows), CHUNK):
            db.session.execute(insert(table), rows[start : start + CHUNK])
        return ids
    _copy(table, rows)
    if numbered:
        db.session.execute(
            text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :last)"),
            {"table": table.name, "last": ids[-1]},
        )
    return ids


def _plain(value):
    """What COPY takes: instants as naive UTC, as UTCDateTime stores them."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _copy(table, rows: list[dict]) -> None:
    """COPY rows into table on the session's own connection, inside its transaction.
    Psycopg's executemany sends one INSERT a row, several times slower."""
    columns = list(rows[0])
    for name in columns:
        table.c[name]  # a KeyError for a column the table does not have
    raw = db.session.connection().connection.dbapi_connection
    names = ", ".join(f'"{name}"' for name in columns)
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([_plain(row[name]) for name in columns])


def invoices(bookings, booking_ids, learners_by_id, course_titles) -> None:
    """One issued (or, for past sessions, paid) invoice per confirmed priced booking."""
    taken = {
        row.year: row.last_value
        for row in db.session.scalars(
            select(NumberSequence).where(NumberSequence.series == INVOICE)
        )
    }
    last = dict(taken)
    invoices, lines = [], []
    for booking, booking_id in zip(bookings, booking_ids, strict=True):
        if booking["status"] != BookingStatus.CONFIRMED or not booking["price_pence"]:
            continue
        issued = booking["created_at"].date()
        last[issued.year] = last.get(issued.year, 0) + 1
        learner = learners_by_id[booking["learner_id"]]
        paid = booking["outcome"] is not None
        net = booking["price_pence"]
        invoices.append(
            {
                "number": f"INV-{issued.year}-{last[issued.year]:05d}",
                "user_id": booking["learner_id"],
                "payer": booking["payer"],
                "buyer_name": learner["name"],
                "buyer_email": learner["email"],
                "buyer_organisation": booking["invoice_organisation"],
                "buyer_address": "",
                "po_number": "",
                "seller_name": "Medway Volunteer Network",
                "seller_address": "",
                "charity_number": "",
                "vat_number": "",
                "vat_rate_bp": 0,
                "issued_on": issued,
                "due_on": issued + timedelta(days=30),
                "net_pence": net,
                "vat_pence": 0,
                "total_pence": net,
                "credited_pence": 0,
                "status": (InvoiceStatus.PAID if paid else InvoiceStatus.ISSUED).value,
                "paid_on": issued + timedelta(days=3) if paid else None,
                "payment_method": "bank_transfer" if paid else "",
                "payment_reference": "",
                "created_at": booking["created_at"],
            }
        )
        lines.append(
            {
                "booking_id": booking_id,
                "description": course_titles[booking["session_id"]],
                "quantity": 1,
                "unit_pence": net,
                "net_pence": net,
                "vat_pence": 0,
                "total_pence": net,
                "credited_pence": 0,
                "live": True,
            }
        )
    invoice_ids = insert_rows(Invoice.__table__, invoices, numbered=True)
    for line, invoice_id in zip(lines, invoice_ids, strict=True):
        line["invoice_id"] = invoice_id
    insert_rows(InvoiceLine.__table__, lines)
    table = NumberSequence.__table__
    for year, value in last.items():
        if year in taken:
            db.session.execute(
                table.update()
                .where(table.c.series == INVOICE, table.c.year == year)
                .values(last_value=value)
            )
        else:
            db.session.execute(insert(table).values(series=INVOICE, year=year, last_value=value))


def outbox(n: int, bookings, booking_ids, learners_by_id) -> None:
    rows = []
    for m in range(n if bookings else 0):
        b = m % len(bookings)
        booking = bookings[b]
        learner = learners_by_id[booking["learner_id"]]
        status = OutboxStatus.PENDING if m % 100 == 0 else OutboxStatus.SENT
        status = OutboxStatus.FAILED if m % 50 == 1 else status
        created = booking["created_at"] + timedelta(minutes=m % 60)
        rows.append(
            {
                "kind": OUTBOX_KINDS[m % len(OUTBOX_KINDS)],
                "message_id": f"<scale-{m}-{secrets.token_hex(6)}@{MAIL_DOMAIN}>",
                "recipient": learner["email"],
                "subject": f"Your booking {booking['reference']}",
                "body_text": f"Hello {learner['name']},\n\n" + "Your booking details. " * 12,
                "body_html": "",
                "booking_id": booking_ids[b],
                "user_id": booking["learner_id"],
                "status": status.value,
                "attempts": 0 if status == OutboxStatus.PENDING else 1,
                "next_attempt_at": created,
                "last_error": "550 mailbox unavailable" if status == OutboxStatus.FAILED else None,
                "created_at": created,
                "sent_at": created if status == OutboxStatus.SENT else None,
                "reply_to": "",
                "unsubscribe_url": "",
            }
        )
    insert_rows(OutboxMessage.__table__, rows)
