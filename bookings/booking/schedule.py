"""Changes to a session that every booked learner and its trainer hear about:
reschedule, cancel, a change of trainer.

Each change writes the emails in the same transaction; the caller commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from .. import timefmt
from ..audit import service as audit
from ..enums import AuditAction, BookingStatus, SessionStatus
from ..errors import NoSuchRecord, Refusal, ScheduleError
from ..extensions import db
from ..mail import messages, outbox
from ..models import Session, User, utcnow
from ..payments import service as payments
from .queries import active_bookings
from .seats import lock_session


def _session_for_update(session_id: int) -> Session:
    """The session, locked against bookings and other changes, as last committed.

    The lock is a write (see booking.service), so on SQLite too the bookings read
    next are all there are until we commit; the row is read again in full, not
    taken from what this request loaded before the lock.
    """
    lock_session(session_id)
    session = db.session.execute(
        select(Session).where(Session.id == session_id).execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if session is None:
        raise NoSuchRecord(Refusal.NO_SUCH_SESSION)
    return session


def reschedule_session(
    session_id: int,
    *,
    starts_at: datetime,
    ends_at: datetime,
    venue_name: str,
    venue_address: str,
    online_url: str,
    by: User | None = None,
) -> Session:
    """Move a session in time or place, and send every booked and waiting learner the
    calendar update (same UID, SEQUENCE the new revision). No change, no emails."""
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ValueError("starts_at and ends_at must be aware instants")
    if ends_at <= starts_at:
        raise ScheduleError(Refusal.ENDS_BEFORE_START)
    session = _session_for_update(session_id)
    refusal = session.change_refusal()
    if refusal is not None:
        raise refusal
    old_when = (session.starts_at, session.ends_at)
    # Learners without a confirmed place never see the joining link, old or new; the
    # trainer does.
    old_place = {True: session.location, False: session.public_location}
    changed = (
        session.starts_at != starts_at
        or session.ends_at != ends_at
        or session.venue_name != venue_name
        or session.venue_address != venue_address
        or session.online_url != online_url
    )
    if not changed:
        return session
    session.starts_at = starts_at
    session.ends_at = ends_at
    session.venue_name = venue_name
    session.venue_address = venue_address
    session.online_url = online_url
    session.revision += 1
    db.session.flush()
    told = active_bookings(session.id)
    for booking in told:
        outbox.enqueue(
            messages.session_rescheduled(booking, *old_when, old_place[booking.has_place])
        )
    audit.record(
        AuditAction.SESSION_RESCHEDULED,
        by=by,
        subject=session,
        summary=(
            f"From {timefmt.when(*old_when)}, {old_place[True]} "
            f"to {timefmt.when(starts_at, ends_at)}, {session.location}. "
            f"{len(told)} learner(s) sent the update."
        ),
    )
    if session.trainer is not None:
        outbox.enqueue(
            messages.trainer_rescheduled(session, session.trainer, *old_when, old_place[True])
        )
    return session


def cancel_session(session_id: int, by: User | None = None, reason: str = "") -> Session:
    """Cancel a session and every booking on it, confirmed and waiting, telling each
    learner with METHOD:CANCEL for the invitation they hold."""
    session = _session_for_update(session_id)
    refusal = session.cancel_refusal()
    if refusal is not None:
        raise refusal
    now = utcnow()
    bookings = active_bookings(session.id)
    payments.credit_session_cancelled(session.id, by=by)
    for booking in bookings:
        # Written before the booking changes, so it tells what the learner had.
        outbox.enqueue(messages.session_cancelled(booking, reason=reason))
        # Nobody attended or cancelled late a session that did not run.
        booking.record_outcome(None)
        booking.status = BookingStatus.CANCELLED
        booking.waiting_position = None
        booking.cancelled_at = now
    session.status = SessionStatus.CANCELLED
    session.cancelled_at = now
    session.seats_taken = 0
    db.session.flush()
    summary = f"{len(bookings)} booking(s) cancelled and told."
    audit.record(
        AuditAction.SESSION_CANCELLED,
        by=by,
        subject=session,
        summary=summary + (f" Reason: {reason}" if reason else ""),
    )
    if session.trainer is not None:
        outbox.enqueue(messages.trainer_session_cancelled(session, session.trainer, reason))
    return session


def set_trainer(session_id: int, trainer_id: int | None) -> Session:
    """Give a session its trainer, or none: the trainer until now gets METHOD:CANCEL for
    the event they hold, the new one an invitation to an event of their own. No change,
    no emails; a cancelled session changes hands without telling anyone."""
    session = _session_for_update(session_id)
    trainer_id = trainer_id or None
    if session.trainer_id == trainer_id:
        return session
    if session.trainer is not None and session.is_scheduled:
        outbox.enqueue(messages.trainer_unassigned(session, session.trainer))
    session.trainer_id = trainer_id
    session.trainer_changes += 1
    db.session.flush()
    db.session.expire(session, ["trainer"])
    invite_trainer(session)
    return session


def invite_trainer(session: Session) -> None:
    """Send the session's trainer, if it has one, the invitation to it. A session made in
    this transaction needs no more than this: nobody else has seen it to change it."""
    if session.trainer is not None and session.is_scheduled:
        outbox.enqueue(messages.trainer_assigned(session, session.trainer))
