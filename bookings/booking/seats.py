"""The seat counter and waiting-list positions: conditional updates of the session row.

Capacity is decided here, in the database: every change to a session's places starts
with an UPDATE of its row, so that row is locked (PostgreSQL) or the database is
write-locked (SQLite) for the rest of the transaction, and the counter only moves
through conditional updates the check constraint also guards.
"""

from __future__ import annotations

from sqlalchemy import bindparam, update

from ..enums import SessionStatus
from ..extensions import db
from ..models import Session

# The seat and waiting-list updates return the session's row as it stands once
# locked (RETURNING), and that refreshes the Session object: a reschedule committed
# while we waited has moved its time, place and revision, which our emails must
# carry. One statement instead of an update and a read.
_TAKE_SEAT = (
    update(Session)
    .where(
        Session.id == bindparam("session_id"),
        Session.seats_taken < Session.capacity,
        Session.status == SessionStatus.SCHEDULED,
    )
    .values(seats_taken=Session.seats_taken + 1, updated_at=Session.updated_at)
    .returning(Session)
    .execution_options(synchronize_session=False, populate_existing=True)
)
_JOIN_WAITING_LIST = (
    update(Session)
    .where(Session.id == bindparam("session_id"), Session.status == SessionStatus.SCHEDULED)
    .values(waitlist_last=Session.waitlist_last + 1, updated_at=Session.updated_at)
    .returning(Session)
    .execution_options(synchronize_session=False, populate_existing=True)
)


def take_seat(session_id: int) -> Session | None:
    """Take one confirmed place if one is free; the database decides, atomically.

    Returns the session as it now stands, or None when no place was taken.
    """
    return db.session.scalar(_TAKE_SEAT, {"session_id": session_id})


def free_seat(session_id: int) -> None:
    db.session.execute(
        update(Session)
        .where(Session.id == session_id, Session.seats_taken > 0)
        .values(seats_taken=Session.seats_taken - 1, updated_at=Session.updated_at)
        .execution_options(synchronize_session=False)
    )


def join_waiting_list(session_id: int) -> Session | None:
    """Hand out the next waiting-list position (the session's waitlist_last).

    Returns the session as it now stands, or None when it is not scheduled.
    """
    return db.session.scalar(_JOIN_WAITING_LIST, {"session_id": session_id})


def lock_session(session_id: int) -> None:
    """Lock the session row with a write that changes nothing (see above)."""
    db.session.execute(
        update(Session)
        .where(Session.id == session_id)
        .values(waitlist_last=Session.waitlist_last, updated_at=Session.updated_at)
        .execution_options(synchronize_session=False)
    )


def refresh_counters(session: Session) -> None:
    db.session.expire(session, ["seats_taken", "waitlist_last"])


def reload(session: Session) -> None:
    """Read the session again once its row is locked: a reschedule committed while we
    waited has moved its time, place and revision, which our emails must carry."""
    db.session.refresh(session)
