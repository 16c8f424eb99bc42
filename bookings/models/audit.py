"""The audit trail: one row per staff or trainer action and per sign-in to their accounts.

Rows are only ever added. The ORM refuses to update or delete one, and on PostgreSQL
a trigger (see the migration) refuses UPDATE and DELETE from anything else too.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_object", "object_type", "object_id"),
        # The paged lists' indexes (migration 0010; PostgreSQL adds trigram ones there).
        Index("ix_audit_entries_at_id", "at", "id"),
        Index("ix_audit_entries_action_at", "action", "at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # No ON DELETE action: a row that changed when its actor went would not be a record.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # As the actor was named then: names and addresses change, the record should not.
    actor: Mapped[str] = mapped_column(String(400))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(32), default="")
    object_id: Mapped[int | None] = mapped_column(Integer)
    object_label: Mapped[str] = mapped_column(String(300), default="")
    summary: Mapped[str] = mapped_column(String(2000), default="")
    ip_address: Mapped[str] = mapped_column(String(64), default="")


class AuditTrailIsAppendOnly(RuntimeError):
    """Something tried to change or remove a row of the audit trail."""


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_change(mapper, connection, target) -> None:
    raise AuditTrailIsAppendOnly("audit entries are never changed or deleted")
