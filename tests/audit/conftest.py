"""Audit-trail fixtures: the trainer-tools people and sessions, and a staff sign-in."""

from __future__ import annotations

from ..staff.conftest import (  # noqa: F401  (fixtures used by the tests here)
    as_staff,
    booked_session,
    course,
    learner,
    other_trainer,
    session_of,
    staff,
    trainer,
)
