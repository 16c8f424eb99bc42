"""Append a row to the audit trail, in the caller's transaction.

Services call `record` beside the write they make, so a change made from a page and
the same change made from the command line leave the same row; if the write is rolled
back, so is its row. The actor is whoever the service was told acted (`by`); None
means the command line or the system itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import partial

from flask import has_request_context, request

from .. import timefmt
from ..enums import AuditAction
from ..extensions import db
from ..models import (
    AuditEntry,
    Booking,
    Brochure,
    Course,
    CreditNote,
    Invoice,
    NewsPost,
    OutboxMessage,
    Session,
    User,
    utcnow,
)
from .queries import count_for_csv, entries_csv, entries_query

SYSTEM_ACTOR = "Command line or system"
SUMMARY_MAX = 2000
LABEL_MAX = 300
VALUE_MAX = 80


def _session_label(session: Session) -> str:
    return f"{session.course.title}, {timefmt.when(session.starts_at)}"


# How each kind of thing is named in the trail: its type and a label a person recognises.
_SUBJECTS = {
    Course: ("course", lambda c: c.title),
    Session: ("session", _session_label),
    Booking: ("booking", lambda b: f"{b.reference} ({b.learner.name})"),
    User: ("user", lambda u: f"{u.name} <{u.email}>"),
    Brochure: ("brochure", lambda b: f"{b.sector} brochure {b.original_name or b.stored_name}"),
    NewsPost: ("news", lambda n: n.title),
    OutboxMessage: ("email", lambda m: f"{m.subject} to {m.recipient}"),
    Invoice: ("invoice", lambda i: i.number),
    CreditNote: ("credit_note", lambda c: c.number),
}
# Every object type the trail names, for filters: the models', and what has no row.
OBJECT_TYPES = {
    **{name: name.replace("_", " ").capitalize() for name, _ in _SUBJECTS.values()},
    "import": "Import",
    "export": "Export",
}


def watched(user: User | None) -> bool:
    """Whether sign-ins and security changes of this account are recorded: trainers and staff."""
    return user is not None and user.is_trainer


def actor_name(user: User | None) -> str:
    return f"{user.name} <{user.email}>" if user is not None else SYSTEM_ACTOR


def describe(subject) -> tuple[str, int | None, str]:
    """(object type, id, label) for a model instance, or for a (type, label) pair."""
    if subject is None:
        return "", None, ""
    # current_user is a proxy; the trail names what stands behind it.
    subject = getattr(subject, "_get_current_object", lambda: subject)()
    if isinstance(subject, tuple):
        kind, label = subject
        return kind, None, label
    kind, label = _SUBJECTS.get(type(subject), (type(subject).__name__.lower(), str))
    return kind, getattr(subject, "id", None), label(subject)


def record(
    action: AuditAction | str, *, by: User | None, subject=None, summary: str = ""
) -> AuditEntry:
    """Add one row: when, who, what, which object, and a short summary of the change.

    subject is the model instance acted on (a Course, Session, Booking, User...), or a
    (type, label) pair for what has no row of its own (an import, an export).
    """
    kind, object_id, label = describe(subject)
    entry = AuditEntry(
        at=utcnow(),
        actor_id=by.id if by is not None else None,
        actor=actor_name(by)[:400],
        action=str(action),
        object_type=kind,
        object_id=object_id,
        object_label=label[:LABEL_MAX],
        summary=summary[:SUMMARY_MAX],
        ip_address=(request.remote_addr or "")[:64] if has_request_context() else "",
    )
    db.session.add(entry)
    return entry


def _shown(value) -> str:
    text = "" if value is None else str(value)
    text = " ".join(text.split())
    return repr(text[:VALUE_MAX] + ("…" if len(text) > VALUE_MAX else ""))


def changes(before: Mapping, after: Mapping) -> str:
    """'name: old → new' for each value that differs, or 'No changes.'"""
    parts = [
        f"{name}: {_shown(before.get(name))} → {_shown(value)}"
        for name, value in after.items()
        if before.get(name) != value
    ]
    return "; ".join(parts) if parts else "No changes."


def snapshot(thing, names) -> dict:
    """The named attributes of thing, to compare with after a change."""
    return {name: getattr(thing, name) for name in names}


def export_csv(filters: dict, by: User | None) -> Callable[[], Iterator[str]]:
    """What writes the entries matching filters as CSV chunks, as they stream; the
    export itself is recorded now, with the count of rows the file will have."""
    query, count = count_for_csv(entries_query(**filters))
    shown = ", ".join(f"{name}={value}" for name, value in sorted(filters.items())) or "none"
    record(
        AuditAction.DATA_EXPORTED,
        by=by,
        subject=("export", "Audit trail CSV"),
        summary=f"Audit trail CSV: {count} entries; filters: {shown}.",
    )
    return partial(entries_csv, query)
