"""Sign-in limits work with the Redis storage that several app servers share."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

REDIS = ("127.0.0.1", 6379)
ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import re
    from bookings import create_app
    import config

    class Limited(config.load("test")):
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        RATELIMIT_ENABLED = True
        RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379"
        RATELIMIT_KEY_PREFIX = "{prefix}"

    app = create_app(Limited)
    with app.app_context():
        from bookings.extensions import db
        db.create_all()
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    codes = []
    for _ in range(11):
        response = client.post(
            "/auth/login",
            data={{"csrf_token": token, "email": "nobody@example.org", "password": "x" * 12}},
        )
        codes.append(response.status_code)
    print(" ".join(map(str, codes)))
    """
)


def redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def test_sign_in_limit_holds_with_redis_storage(tmp_path):
    if not redis_answers():
        pytest.skip("needs Redis on 127.0.0.1:6379 to test RATELIMIT_STORAGE_URI=redis://")
    env = {**os.environ, "INSTANCE_PATH": str(tmp_path), "APP_ENV": "test"}
    env.pop("TEST_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(prefix=f"test-{uuid.uuid4().hex}")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    codes = result.stdout.split()
    # Ten wrong passwords are answered beside the field; the eleventh is turned away.
    assert codes == ["400"] * 10 + ["429"], result.stdout
