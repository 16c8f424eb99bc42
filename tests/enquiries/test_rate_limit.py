"""The contact form's limits per network address and per sender's address.

Each case runs in its own process: the limiter is one object per process, and the
rest of the suite runs with limits off.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import html, json, re, sys, time
    from bookings import create_app
    import config

    class Limited(config.load("test")):
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        RATELIMIT_ENABLED = True
        RATELIMIT_STORAGE_URI = "memory://"
        ENQUIRY_RATE_LIMIT = "3 per hour"
        ENQUIRY_SENDER_RATE_LIMIT = "2 per hour"

    app = create_app(Limited)
    with app.app_context():
        from bookings.extensions import db
        from bookings.enquiries.spam import issue_stamp
        db.create_all()
        stamp = issue_stamp(time.time() - 60)
    client = app.test_client()
    page = client.get("/contact").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    answers = []
    for visitor, email in json.loads(sys.argv[1]):
        response = client.post(
            "/contact",
            data={
                "csrf_token": token, "stamp": stamp, "name": "Ann Lee", "email": email,
                "subject": "Dates", "course": "0", "message": "Any dates in May?",
            },
            environ_base={"REMOTE_ADDR": visitor},
        )
        text = html.unescape(response.get_data(as_text=True))
        kept, why = "Any dates in May?" in text, "try again in an hour" in text
        answers.append([response.status_code, kept, why])
    with app.app_context():
        from bookings.models import Enquiry
        stored = db.session.query(Enquiry).count()
    print(json.dumps({"answers": answers, "stored": stored}))
    """
)


def posts(tmp_path, senders: list[tuple[str, str]]) -> dict:
    env = {**os.environ, "INSTANCE_PATH": str(tmp_path), "APP_ENV": "test"}
    env.pop("TEST_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(senders)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.splitlines()[-1])


def test_one_network_address_is_limited_and_keeps_its_text(tmp_path):
    result = posts(tmp_path, [("198.51.100.7", f"person{n}@example.org") for n in range(4)])
    assert result["answers"][:3] == [[303, False, False]] * 3
    # The fourth is turned away with the form, their words still in it, and why.
    assert result["answers"][3] == [429, True, True]
    assert result["stored"] == 3


def test_one_sender_address_is_limited_whatever_network_it_comes_from(tmp_path):
    cases = ("Same@Example.org", "same@example.org", "SAME@EXAMPLE.ORG")
    senders = [(f"203.0.113.{n}", email) for n, email in enumerate(cases)]
    senders.append(("203.0.113.99", "someone.else@example.org"))
    result = posts(tmp_path, senders)
    assert [status for status, *_ in result["answers"]] == [303, 303, 429, 303]
    assert result["answers"][2] == [429, True, True]
    assert result["stored"] == 3
