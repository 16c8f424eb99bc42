"""The email outbox: messages are queued in the caller's transaction, then delivered."""

from __future__ import annotations

import secrets

from flask import current_app

from ..extensions import db
from ..models import OutboxMessage, utcnow
from .messages import Email


def _message_id() -> str:
    domain = current_app.config["ORG_EMAIL"].rpartition("@")[2] or "localhost"
    return f"<{utcnow():%Y%m%d%H%M%S}.{secrets.token_hex(8)}@{domain}>"


def enqueue(email: Email) -> OutboxMessage:
    """Add the message to the current transaction; it goes out only if that commits."""
    message = OutboxMessage(
        kind=email.kind,
        message_id=_message_id(),
        recipient=email.recipient,
        subject=email.subject,
        body_text=email.body_text,
        body_html=email.body_html,
        ics=email.ics,
        ics_method=email.ics_method,
        booking_id=email.booking_id,
        user_id=email.user_id,
        status="pending",
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    return message


def start_background_sender(app) -> None:
    """Deliver the outbox from a daemon thread in this process (used by make run)."""
