"""The seat counter and waiting-list positions: conditional updates of the session row.

Capacity is decided here, in the database: every change to a session's places starts
with an UPDATE of its row, so that row is locked (PostgreSQL) or the database is
write-locked (SQLite) for the rest of the transaction, and the counter only moves
through conditional updates the check constraint also guards.
"""

from __future__ import annotations

from sqlalchemy import Row, bindparam, update
from sqlalchemy.orm.attributes import set_committed_value

from ..enums import SessionStatus
from ..extensions import db
from ..models import Session

# The seat and waiting-list updates return the row's counters and updated_at as they
# stand once locked (RETURNING): one statement instead of an update and a read. Core
# statements on the table: nothing for the ORM to load. Neither changes updated_at, so
# a different updated_at means the session was edited (a reschedule, say) meanwhile.
_sessions = Session.__table__
_STANDING = (_sessions.c.seats_taken, _sessions.c.waitlist_last, _sessions.c.updated_at)
_TAKE_SEAT = (
    update(_sessions)
    .where(
        _sessions.c.id == bindparam("session_id"),
        _sessions.c.seats_taken < _sessions.c.capacity,
        _sessions.c.status == SessionStatus.SCHEDULED,
    )
    .values(seats_taken=_sessions.c.seats_taken + 1, updated_at=_sessions.c.updated_at)
    .returning(*_STANDING)
)
_JOIN_WAITING_LIST = (
    update(_sessions)
    .where(
        _sessions.c.id == bindparam("session_id"),
        _sessions.c.status == SessionStatus.SCHEDULED,
    )
    .values(waitlist_last=_sessions.c.waitlist_last + 1, updated_at=_sessions.c.updated_at)
    .returning(*_STANDING)
)


def take_seat(session_id: int) -> Row | None:
    """Take one confirmed place if one is free; the database decides, atomically.

    Returns the session's counters and updated_at as they now stand (see caught_up),
    or None when no place was taken.
    """
    return db.session.execute(_TAKE_SEAT, {"session_id": session_id}).first()


def free_seat(session_id: int) -> None:
    db.session.execute(
        update(Session)
        .where(Session.id == session_id, Session.seats_taken > 0)
        .values(seats_taken=Session.seats_taken - 1, updated_at=Session.updated_at)
        .execution_options(synchronize_session=False)
    )


def join_waiting_list(session_id: int) -> Row | None:
    """Hand out the next waiting-list position (waitlist_last of the row returned).

    Returns the session's counters and updated_at as they now stand (see caught_up),
    or None when it is not scheduled.
    """
    return db.session.execute(_JOIN_WAITING_LIST, {"session_id": session_id}).first()


def caught_up(session: Session, standing: Row) -> bool:
    """Bring session up to the row as locked; True when it was edited since it was read
    (then it is read again: a reschedule moved its time, place and revision, which
    emails must carry)."""
    if standing.updated_at != session.updated_at:
        reload(session)
        return True
    set_committed_value(session, "seats_taken", standing.seats_taken)
    set_committed_value(session, "waitlist_last", standing.waitlist_last)
    return False


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
