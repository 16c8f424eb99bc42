"""People and a finished booking for the security checks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ..factories import make_booking, make_session, make_user
from ..trainer.conftest import other_trainer, staff, trainer  # noqa: F401  (shared people)

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def owner():
    return make_user(name="Olive Owner", email="olive@example.org")


@pytest.fixture
def stranger():
    return make_user(name="Nosy Neighbour", email="nosy@example.org")


@pytest.fixture
def booking(owner, trainer):  # noqa: F811
    """Olive's upcoming confirmed booking on Tess's session."""
    return make_booking(make_session(trainer=trainer), owner)


@pytest.fixture
def attended_booking(owner, trainer):  # noqa: F811
    """Olive attended a session that is over: it earns a certificate."""
    session = make_session(trainer=trainer, starts_in=-timedelta(days=3))
    return make_booking(session, owner, attended=True)
