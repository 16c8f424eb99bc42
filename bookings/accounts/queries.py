"""Read-only questions about accounts: who has this address, what they teach, their emails."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from ..enums import SessionStatus
from ..extensions import db
from ..models import OutboxMessage, Session, User


def normalise_email(email: str) -> str:
    return email.strip()


def find_by_email(email: str) -> User | None:
    """The account with this address, whatever its case."""
    return db.session.scalar(
        select(User).where(func.lower(User.email) == normalise_email(email).lower())
    )


def upcoming_sessions_taught(user: User, now: datetime) -> int:
    """How many scheduled sessions user is the trainer for that have not ended."""
    return db.session.scalar(
        select(func.count())
        .select_from(Session)
        .where(
            Session.trainer_id == user.id,
            Session.status == SessionStatus.SCHEDULED,
            Session.ends_at > now,
        )
    )


def emails_to(user: User) -> list[OutboxMessage]:
    """The emails kept for user (queued, sent or failed), oldest first."""
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.user_id == user.id)
            .order_by(OutboxMessage.created_at, OutboxMessage.id)
        )
    )
