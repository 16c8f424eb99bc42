"""The outbox queue: enqueue in the caller's transaction, claim and lease, settle, requeue."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import insert, select, update

from ...audit import service as audit
from ...enums import AuditAction, OutboxStatus
from ...extensions import db
from ...models import OutboxMessage, User, utcnow
from ..messages import Email
from .message import new_message_id

_ENQUEUE = insert(OutboxMessage.__table__)


def enqueue(email: Email, *, booking_id: int | None = None) -> None:
    """Write the message in the current transaction; it goes out only if that commits.

    The email arrives rendered: its words, calendar UID and SEQUENCE are decided in the
    transaction of the event, so a substitution, reschedule or cancellation committed
    before the sender runs cannot change what this message says or to whom. booking_id
    names the booking it is about when the email was rendered before the booking was
    written. One INSERT, at once: the row is never read back in the transaction.
    """
    db.session.execute(
        _ENQUEUE,
        dict(
            kind=email.kind,
            message_id=new_message_id(),
            recipient=email.recipient,
            subject=email.subject,
            body_text=email.body_text,
            body_html=email.body_html,
            ics=email.ics,
            ics_method=email.ics_method,
            attachment=email.attachment,
            booking_id=booking_id or email.booking_id,
            user_id=email.user_id,
            reply_to=email.reply_to,
            unsubscribe_url=email.unsubscribe_url,
            status=OutboxStatus.PENDING,
            next_attempt_at=utcnow(),
        ),
    )


# Claiming and leases --------------------------------------------------------------------


def _lease_end(now: datetime) -> datetime:
    return now + timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])


def claim_batch(
    worker_id: str, limit: int, *, due_by: datetime | None = None
) -> list[OutboxMessage]:
    """Lease up to limit due messages to worker_id and commit, so others skip them.

    due_by (default now) is the latest next_attempt_at taken: a one-off run passes
    its start time so each message is tried at most once per run.
    """
    now = utcnow()
    due_by = due_by or now
    # A claim name unique to this batch, so we read back exactly the rows we took.
    claim = f"{worker_id}/{secrets.token_hex(4)}"[:120]
    due = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= due_by,
            (OutboxMessage.lease_until.is_(None)) | (OutboxMessage.lease_until < now),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        # Rows another sender holds are skipped, not waited for.
        due = due.with_for_update(skip_locked=True)
    try:
        db.session.execute(
            update(OutboxMessage)
            # SQLite runs this one statement under its write lock: the claim is atomic.
            .where(OutboxMessage.id.in_(due.scalar_subquery()))
            .values(lease_until=_lease_end(now), claimed_by=claim)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.claimed_by == claim, OutboxMessage.status == OutboxStatus.PENDING)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        )
    )


def _still_held(message: OutboxMessage, claim: str | None):
    """An UPDATE of message that matches only while it is unsent and claim holds it."""
    statement = update(OutboxMessage).where(
        OutboxMessage.id == message.id, OutboxMessage.status == OutboxStatus.PENDING
    )
    if claim:
        statement = statement.where(OutboxMessage.claimed_by == claim)
    return statement.execution_options(synchronize_session=False)


def renew_lease(message: OutboxMessage, claim: str | None) -> bool:
    """Hold the message for a full lease from now, if it is still ours and unsent; commit.

    A batch can take longer than one lease (a slow server, many messages), and once
    a lease runs out another sender may take the message: each send therefore starts
    with a fresh lease, and a message someone else now holds is left to them.
    """
    if not claim:
        return True
    result = db.session.execute(
        _still_held(message, claim).values(lease_until=_lease_end(utcnow()))
    )
    db.session.commit()
    return result.rowcount == 1


def _settle(message: OutboxMessage, claim: str | None, **values) -> bool:
    """Write the outcome of one attempt and give up the lease, if we still hold it; commit."""
    result = db.session.execute(
        _still_held(message, claim).values(
            lease_until=None, claimed_by=None, attempts=message.attempts + 1, **values
        )
    )
    db.session.commit()
    return result.rowcount == 1


def mark_sent(message: OutboxMessage, claim: str | None) -> bool:
    """The server accepted the message."""
    return _settle(message, claim, status=OutboxStatus.SENT, sent_at=utcnow())


def mark_failed(message: OutboxMessage, claim: str | None, error: str) -> bool:
    """The message will never go out; staff may queue it again (see retry)."""
    return _settle(message, claim, status=OutboxStatus.FAILED, last_error=error)


def try_again_at(message: OutboxMessage, claim: str | None, error: str, when: datetime) -> bool:
    """The attempt failed for now; the message stays pending until when."""
    return _settle(message, claim, last_error=error, next_attempt_at=when)


# Staff ----------------------------------------------------------------------------------


def _requeue(*conditions) -> int:
    """Queue failed messages again with a fresh set of attempts; the caller commits."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.FAILED, *conditions)
        .values(
            status=OutboxStatus.PENDING,
            attempts=0,
            next_attempt_at=utcnow(),
            lease_until=None,
            claimed_by=None,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def retry(message_id: int, by: User | None = None) -> bool:
    """Queue a failed message again with a fresh set of attempts; the caller commits."""
    requeued = _requeue(OutboxMessage.id == message_id) == 1
    if requeued:
        message = db.session.get(OutboxMessage, message_id)
        audit.record(AuditAction.EMAIL_REQUEUED, by=by, subject=message)
    return requeued


def retry_all_failed(by: User | None = None) -> int:
    """Queue every failed message again; the caller commits. Returns how many."""
    count = _requeue()
    if count:
        audit.record(
            AuditAction.EMAIL_REQUEUED,
            by=by,
            subject=("email", "Every failed email"),
            summary=f"{count} failed email(s) queued again.",
        )
    return count
