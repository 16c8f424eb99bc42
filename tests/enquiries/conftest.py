from __future__ import annotations

import time

import pytest

from bookings.enquiries.spam import issue_stamp

from ..mail.conftest import mail_config, smtp  # noqa: F401  (fixtures used here)


def stamp(seconds_ago: float) -> str:
    """The form's timestamp as if it had been served seconds_ago."""
    return issue_stamp(time.time() - seconds_ago)


ENQUIRY = {
    "name": "Ann Lee",
    "email": "ann@example.org",
    "subject": "Question about booking",
    "course": "0",
    "message": "Can I bring a colleague?\nThanks, Ann",
    "website": "",
}


@pytest.fixture
def enquiry_form():
    """A filled-in contact form, served a minute ago."""
    return {**ENQUIRY, "stamp": stamp(60)}
