"""Certificate fixtures: the trainer tools' people, and a learner who attended."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ..factories import make_booking
from ..trainer.conftest import (  # noqa: F401  (fixtures used here)
    course,
    learner,
    other_trainer,
    session_of,
    staff,
    trainer,
)


@pytest.fixture
def attended_booking(session_of, trainer, learner, course):  # noqa: F811
    """Lena attended Tess's ADHD session two days ago; she has access needs on file."""
    course.duration = "Half day (3 hours)"
    course.outcomes = "Describe how ADHD shows itself\nAdapt your service for people with ADHD"
    session = session_of(trainer, starts_in=timedelta(days=-2))
    return make_booking(session, learner, attended=True, access_needs="Hearing loop")
