"""Brochure fixtures: staff sign-in and a small catalogue with different sector prices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ..conftest import login_as
from ..factories import make_course, make_session
from ..trainer.conftest import staff  # noqa: F401  (fixture used here)


@pytest.fixture
def as_staff(client, staff):  # noqa: F811
    login_as(client, staff)
    return client


@pytest.fixture
def catalogue():
    """Two published courses with different prices per sector, one unpublished, dates."""
    adhd = make_course(
        title="Living with ADHD",
        summary="Current information on living with ADHD \u2013 for \u201cparents\u201d too.",
        price_voluntary_pence=2500,
        price_private_pence=4500,
        category="Wellbeing",
    )
    first_aid = make_course(
        title="Emergency First Aid",
        price_voluntary_pence=0,
        price_private_pence=9950,
        category="Health and safety",
    )
    make_course(title="Secret Draft Course", published=False, price_private_pence=7777)
    soon = (datetime.now(UTC) + timedelta(days=20)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    make_session(adhd, starts_at=soon, venue_name="Chatham Hub")
    make_session(first_aid, starts_at=soon + timedelta(days=1), venue_name="Rochester Hall")
    make_session(adhd, starts_at=soon - timedelta(days=60), venue_name="Old Past Venue")
    return adhd, first_aid
