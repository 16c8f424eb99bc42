"""People and a session for the trainer tools: a trainer, another trainer, learners, staff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ..factories import make_booking, make_course, make_session, make_user


@pytest.fixture
def trainer():
    return make_user("trainer", name="Tess Trainer", email="tess@example.org")


@pytest.fixture
def other_trainer():
    return make_user("trainer", name="Oscar Other", email="oscar@example.org")


@pytest.fixture
def staff():
    return make_user("staff", name="Sam Staff", email="sam@example.org")


@pytest.fixture
def learner():
    return make_user(name="Lena Learner", email="lena@example.org", organisation="Age UK Medway")


@pytest.fixture
def course():
    return make_course(title="Living with ADHD", slug="living-with-adhd")


@pytest.fixture
def session_of(course):
    """A factory of sessions of the course, starting after a given delay."""

    def make(trainer, starts_in=timedelta(days=10), **fields):
        start = (datetime.now(UTC) + starts_in).replace(second=0, microsecond=0)
        return make_session(course, starts_at=start, trainer=trainer, **fields)

    return make


@pytest.fixture
def booked_session(session_of, trainer, learner):
    """Tess's upcoming session: Lena booked with needs, two others, one waiting."""
    session = session_of(trainer, capacity=3)
    make_booking(session, learner, access_needs="Step-free access", dietary_needs="Vegan")
    make_booking(session, make_user(name="Pat Private", sector="private", organisation="Acme Ltd"))
    make_booking(session, make_user(name="Ben Busy"))
    make_booking(session, make_user(name="Wendy Waiting"), status="waitlisted")
    return session
