"""Sign-in limits: shared through Redis, and counted per visitor behind a proxy.

Each case runs in its own process: the limiter is one object per process, and
the rest of the suite runs with limits off.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

from ..conftest import require_service

REDIS = ("127.0.0.1", 6379)
ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import re, sys
    from bookings import create_app
    import config

    class Limited(config.load("test")):
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        RATELIMIT_ENABLED = True
        RATELIMIT_STORAGE_URI = sys.argv[1]
        RATELIMIT_KEY_PREFIX = sys.argv[2]
        PROXY_COUNT = int(sys.argv[3])

    app = create_app(Limited)
    with app.app_context():
        from bookings.extensions import db
        db.create_all()
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    for visitor in sys.argv[4:]:
        response = client.post(
            "/auth/login",
            data={"csrf_token": token, "email": "nobody@example.org", "password": "x" * 12},
            headers={"X-Forwarded-For": visitor},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
        )
        print(visitor, response.status_code)
    """
)


def sign_in_attempts(tmp_path, storage: str, proxies: int, visitors: list[str]) -> list[str]:
    """Wrong-password sign-ins from each visitor in turn through one proxy at 10.0.0.1."""
    env = {**os.environ, "INSTANCE_PATH": str(tmp_path), "APP_ENV": "test"}
    env.pop("TEST_DATABASE_URL", None)
    prefix = f"test-{uuid.uuid4().hex}"
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, storage, prefix, str(proxies), *visitors],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.splitlines()


def redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def test_sign_in_limit_holds_with_redis_storage(tmp_path):
    require_service(
        redis_answers(), "needs Redis on 127.0.0.1:6379 to test RATELIMIT_STORAGE_URI=redis://"
    )
    lines = sign_in_attempts(tmp_path, "redis://127.0.0.1:6379", 0, ["198.51.100.7"] * 11)
    # Ten wrong passwords are answered beside the field; the eleventh is turned away.
    assert lines == ["198.51.100.7 400"] * 10 + ["198.51.100.7 429"]


def test_behind_a_proxy_each_visitor_has_their_own_sign_in_limit(tmp_path):
    busy, other = "198.51.100.7", "203.0.113.9"
    lines = sign_in_attempts(tmp_path, "memory://", 1, [busy] * 11 + [other])
    assert lines[-2:] == [f"{busy} 429", f"{other} 400"]
