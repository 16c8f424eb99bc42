"""Reading the audit trail: filtered lists, one object's history, the CSV."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, select

from .. import timefmt
from ..enums import AUDIT_ACTION_LABELS
from ..extensions import db
from ..models import AuditEntry
from ..spreadsheet import csv_text

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


def _like(text: str) -> str:
    escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


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
        query = query.where(func.lower(AuditEntry.actor).like(_like(who), escape="\\"))
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


def entries_csv(query: Select) -> tuple[str, int]:
    """The entries as CSV text for Excel, and how many rows it has."""
    entries = db.session.scalars(query.limit(CSV_LIMIT)).all()
    text = csv_text(
        CSV_HEADER,
        (
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
            for e in entries
        ),
    )
    return text, len(entries)
