"""The second step of signing in is rate-limited per account: five wrong codes, then wait.

Runs in its own process: the limiter is one object per process, and the rest of the
suite runs with limits off.
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
    import pyotp
    from bookings import create_app
    import config

    class Limited(config.load("test")):
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        RATELIMIT_ENABLED = True
        RATELIMIT_STORAGE_URI = "memory://"

    app = create_app(Limited)
    with app.app_context():
        from bookings.extensions import db
        from bookings.models import TwoFactor, User
        db.create_all()
        user = User(email="sam@example.org", name="Sam Staff", role="staff")
        user.set_password("correct horse battery")
        secret = pyotp.random_base32()
        user.two_factor = TwoFactor(secret=secret, last_step=0)
        db.session.add(user)
        db.session.commit()

    def token(client, path):
        page = client.get(path).get_data(as_text=True)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    def password_step(client, address):
        return client.post("/auth/login", data={
            "csrf_token": token(client, "/auth/login"),
            "email": "sam@example.org", "password": "correct horse battery",
        }, environ_base={"REMOTE_ADDR": address})

    def second_step(client, code, address):
        response = client.post("/auth/two-factor", data={
            "csrf_token": token(client, "/auth/two-factor"), "code": code,
        }, environ_base={"REMOTE_ADDR": address})
        return response.status_code

    client = app.test_client()
    print("password", password_step(client, "198.51.100.7").status_code)
    for _ in range(5):
        print("wrong", second_step(client, "000000", "198.51.100.7"))
    print("right", second_step(client, pyotp.TOTP(secret).now(), "198.51.100.7"))
    # A new sign-in, from another address, for the same account: still waiting.
    other = app.test_client()
    print("password", password_step(other, "203.0.113.9").status_code)
    print("right", second_step(other, pyotp.TOTP(secret).now(), "203.0.113.9"))
    """
)


def test_five_wrong_codes_trigger_the_limit_for_the_account(tmp_path):
    env = {**os.environ, "INSTANCE_PATH": str(tmp_path), "APP_ENV": "test"}
    env.pop("TEST_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines() == [
        "password 302",
        *["wrong 400"] * 5,
        "right 429",
        "password 302",
        "right 429",
    ]


def run(tmp_path, script: str) -> list[str]:
    env = {**os.environ, "INSTANCE_PATH": str(tmp_path), "APP_ENV": "test"}
    env.pop("TEST_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.splitlines()


def test_a_right_code_in_between_does_not_count_towards_the_limit(tmp_path):
    setup = SCRIPT.split("client = app.test_client()")[0]
    steps = textwrap.dedent(
        """
        from bookings.accounts import two_factor
        with app.test_request_context():
            user = db.session.scalar(db.select(User))
            user.two_factor = None
            db.session.flush()
            codes = two_factor.enable(user, secret, pyotp.TOTP(secret).now())
            db.session.commit()
        client = app.test_client()
        password_step(client, "198.51.100.7")
        for _ in range(4):
            print(second_step(client, "000000", "198.51.100.7"))
        print(second_step(client, codes[0], "198.51.100.7"))
        client = app.test_client()
        password_step(client, "198.51.100.7")
        print(second_step(client, "000000", "198.51.100.7"))
        print(second_step(client, codes[1], "198.51.100.7"))
        """
    )
    assert run(tmp_path, setup + steps) == ["400"] * 4 + ["302", "400", "429"]
