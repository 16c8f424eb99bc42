"""Limits on registering, signing in and asking for password resets.

Each case runs in its own process: the limiter is one object per process, and the
rest of the suite runs with limits off.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import re, sys
    from bookings import create_app
    import config

    class Limited(config.load("test")):
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        RATELIMIT_ENABLED = True
        RATELIMIT_STORAGE_URI = "memory://"

    app = create_app(Limited)
    with app.app_context():
        from bookings.extensions import db
        db.create_all()
    client = app.test_client()
    path, attempts = sys.argv[1], int(sys.argv[2])
    page = client.get(path).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    for n in range(attempts):
        # Invalid each time (passwords differ), so nothing is created and no one signs in.
        response = client.post(path, data={
            "csrf_token": token, "email": f"person{n}@example.org", "name": "A Person",
            "password": "x" * 12, "confirm": "y" * 12, "sector": "voluntary",
        })
        print(response.status_code)
    """
)


def attempts(tmp_path, path: str, count: int) -> list[str]:
    env = {**os.environ, "INSTANCE_PATH": str(tmp_path), "APP_ENV": "test"}
    env.pop("TEST_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, path, str(count)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.split()


def test_registering_is_limited_per_visitor(tmp_path):
    codes = attempts(tmp_path, "/auth/register", 11)
    assert codes[:10] == ["400"] * 10
    assert codes[10] == "429"


def test_password_reset_requests_are_limited_per_visitor(tmp_path):
    codes = attempts(tmp_path, "/auth/reset", 6)
    assert codes[:5] == ["200"] * 5
    assert codes[5] == "429"
