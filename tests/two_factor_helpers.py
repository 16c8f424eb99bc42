"""Codes computed from the secret inside the test, as an authenticator app would."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pyotp

from bookings.extensions import db
from bookings.models import TwoFactor

from .conftest import post_form
from .factories import PASSWORD

STEP = 30


def turn_on(user, secret: str | None = None) -> str:
    """Give user a confirmed authenticator with no code used yet; returns its secret."""
    secret = secret or pyotp.random_base32()
    user.two_factor = TwoFactor(secret=secret, last_step=0)
    db.session.commit()
    return secret


def steady_clock(margin: float = 3.0) -> None:
    """Wait, if need be, until the current time step has margin seconds left, so a code
    computed now is read in the same step by the server."""
    left = STEP - time.time() % STEP
    if left < margin:
        time.sleep(left + 0.1)


def code(secret: str, steps: int = 0) -> str:
    """The code an app shows now, or steps time steps earlier (negative) or later."""
    steady_clock()
    return pyotp.TOTP(secret).at(datetime.now(UTC) + timedelta(seconds=STEP * steps))


def password_step(client, user, password: str = PASSWORD, remember: bool = False):
    data = {"email": user.email, "password": password}
    if remember:
        data["remember"] = "y"
    return post_form(client, "/auth/login", data)


def second_step(client, entered: str, remember_device: bool = False):
    data = {"code": entered}
    if remember_device:
        data["remember_device"] = "y"
    return post_form(client, "/auth/two-factor", data)


def signed_in(client) -> bool:
    return client.get("/account").status_code == 200


KEY_RE = re.compile(r'<p class="secret-key"><code>([A-Z2-7 ]+)</code></p>')
RECOVERY_RE = re.compile(r"<li><code>([a-z0-9-]{19})</code></li>")


def set_up(client) -> tuple[str, list[str], str]:
    """Turn two-factor on through the pages: (secret, recovery codes, the page)."""
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = KEY_RE.search(page).group(1).replace(" ", "")
    response = post_form(client, "/account/two-factor", {"code": code(secret)})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return secret, RECOVERY_RE.findall(html), html
