"""Staff-area fixtures: the trainer-tools people and session, plus a staff sign-in."""

from __future__ import annotations

import pytest

from ..conftest import login_as
from ..trainer.conftest import (  # noqa: F401  (fixtures used by the tests here)
    booked_session,
    course,
    learner,
    other_trainer,
    session_of,
    staff,
    trainer,
)


@pytest.fixture
def as_staff(client, staff):  # noqa: F811
    """The client, signed in as staff."""
    login_as(client, staff)
    return client


def field_error(html: str, field_id: str) -> str:
    """The error message shown beside a field ('' when none)."""
    marker = f'<p class="error-message" id="{field_id}-error">'
    if marker not in html:
        return ""
    return html.split(marker, 1)[1].split("</p>", 1)[0]
