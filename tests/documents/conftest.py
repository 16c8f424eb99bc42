"""Fixtures for the documents people keep: the trainer tools' people and sessions."""

from __future__ import annotations

from ..trainer.conftest import (  # noqa: F401  (fixtures used here)
    course,
    learner,
    session_of,
    staff,
    trainer,
)
