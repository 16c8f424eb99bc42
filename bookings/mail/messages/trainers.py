"""Emails to trainers about the sessions they run, each with its calendar event."""

from __future__ import annotations

from datetime import datetime

from ...calendar import ics, teaching
from ...models import (
    Session,
    User,
)
from .base import Email, _render


def _trainer_email(
    kind: str, session: Session, trainer: User, subject: str, *, method: str, **context
) -> Email:
    """An email to the session's trainer (or its trainer until now) with their own
    calendar event for it: METHOD:REQUEST to add or update, METHOD:CANCEL to remove."""
    context.update(
        session=session,
        course=session.course,
        trainer=trainer,
        session_url=ics.site_url(f"/trainer/sessions/{session.id}"),
        register_url=ics.site_url(f"/trainer/sessions/{session.id}/register"),
    )
    text, html = _render(kind, **context)
    return Email(
        kind=kind,
        recipient=trainer.email,
        subject=f"{subject}: {session.course.title}",
        body_text=text,
        body_html=html,
        ics=teaching.teaching_invitation(session, trainer, method),
        ics_method=method,
        user_id=trainer.id,
    )


def trainer_assigned(session: Session, trainer: User) -> Email:
    """The trainer is to teach the session; the invitation puts it in their calendar."""
    return _trainer_email(
        "trainer_assigned", session, trainer, "You are teaching", method="REQUEST"
    )


def trainer_rescheduled(
    session: Session,
    trainer: User,
    old_starts_at: datetime,
    old_ends_at: datetime,
    old_location: str,
) -> Email:
    """The session the trainer teaches moved; the update keeps the UID, raises SEQUENCE."""
    return _trainer_email(
        "trainer_rescheduled",
        session,
        trainer,
        "Session changed",
        method="REQUEST",
        old_starts_at=old_starts_at,
        old_ends_at=old_ends_at,
        old_location=old_location,
    )


def trainer_unassigned(session: Session, trainer: User) -> Email:
    """Another trainer (or none yet) teaches the session now; it leaves their calendar."""
    return _trainer_email(
        "trainer_unassigned", session, trainer, "You are no longer teaching", method="CANCEL"
    )


def trainer_session_cancelled(session: Session, trainer: User, reason: str = "") -> Email:
    """The session the trainer was to teach is cancelled."""
    return _trainer_email(
        "trainer_session_cancelled",
        session,
        trainer,
        "Session cancelled",
        method="CANCEL",
        reason=reason,
    )
