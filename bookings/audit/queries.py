"""Reading the audit trail: filtered lists, one object's history, the CSV."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, select

from .. import substring, timefmt
from ..batches import in_batches
from ..enums import AUDIT_ACTION_LABELS
from ..extensions import db
from ..models import AuditEntry
from ..spreadsheet import csv_chunks

CSV_HEADER = [
    "When (UK time)",
    "Who",
    "Action",
    "Object type",
    "Object number",
    "Object",
    "Summary",
    "IP address",
]
CSV_LIMIT = 100_000
ENTRIES_ORDER = (AuditEntry.at.desc(), AuditEntry.id.desc())


def _start_of(day: date) -> datetime:
    return timefmt.from_local(datetime.combine(day, time.min))


def entries_query(
    *,
    who: str = "",
    action: str = "",
    object_type: str = "",
    object_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Select:
    """Entries matching every filter given, newest first; dates are UK dates, inclusive."""
    query = select(AuditEntry).order_by(*ENTRIES_ORDER)
    if who and who.strip():
        query = query.where(substring.contains(AuditEntry.actor, substring.like_pattern(who)))
    if action:
        query = query.where(AuditEntry.action == action)
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id:
        query = query.where(AuditEntry.object_id == object_id)
    if date_from:
        query = query.where(AuditEntry.at >= _start_of(date_from))
    if date_to:
        query = query.where(AuditEntry.at < _start_of(date_to + timedelta(days=1)))
    return query


def history(object_type: str, object_id: int) -> list[AuditEntry]:
    """One object's own entries, oldest first."""
    return db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_type == object_type, AuditEntry.object_id == object_id)
        .order_by(AuditEntry.at, AuditEntry.id)
    ).all()


def action_label(action: str) -> str:
    return AUDIT_ACTION_LABELS.get(action, action)


def count_for_csv(query: Select) -> tuple[Select, int]:
    """query held to the entries there are now, and how many rows its CSV has (one
    statement, capped at CSV_LIMIT): the file then has the rows counted, not the entry
    recording the export or any made while it streams."""
    found = query.order_by(None).subquery()
    total, last_id = db.session.execute(select(func.count(), func.max(found.c.id))).one()
    return query.where(AuditEntry.id <= (last_id or 0)), min(total, CSV_LIMIT)


def entries_csv(query: Select) -> Iterator[str]:
    """The entries (CSV_LIMIT at most) as CSV for Excel, written as they are read."""
    rows = (
        [
            timefmt.to_local(e.at).isoformat(timespec="seconds"),
            e.actor,
            action_label(e.action),
            e.object_type,
            e.object_id or "",
            e.object_label,
            e.summary,
            e.ip_address,
        ]
        for e in in_batches(query.limit(CSV_LIMIT)).scalars()
    )
    return csv_chunks(CSV_HEADER, rows)
