"""Starting a signed-in session, and the half-way state between password and code.

After a right password, an account with two-factor sign-in is not signed in: the
session only holds who is waiting for the second step (with the password's
fingerprint and a time), and Flask-Login knows nobody until the code is checked.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import current_app, g, session
from flask_login import login_user

from ..extensions import db
from ..models import User

PENDING_KEY = "second_step"
PENDING_SECONDS = 10 * 60  # time to fetch the phone and type a code


def safe_next(target: str | None) -> str | None:
    """target when it is a path on this site, else None (no open redirects)."""
    if not target or len(target) > 2000:
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    # Browsers read backslashes as slashes ("/\\evil.example") and drop control characters.
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def clear_session() -> None:
    """Forget everything in the session, the CSRF token this request read from it included."""
    session.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


def start_signed_in_session(user: User, remember: bool = False) -> None:
    """Sign in on a fresh session: nothing set before sign-in (by anyone) carries over."""
    clear_session()
    login_user(user, remember=remember)


def await_second_step(user: User, remember: bool, next_url: str | None) -> None:
    """A right password for an account with two-factor sign-in: wait for the code."""
    clear_session()
    session[PENDING_KEY] = {
        "user": user.id,
        "pw": user.password_fingerprint,
        "remember": bool(remember),
        "next": next_url,
        "since": int(time.time()),
    }


def pending() -> tuple[User, dict] | None:
    """The user waiting for the second step and what they asked for, while still valid."""
    data = session.get(PENDING_KEY)
    if not isinstance(data, dict) or not isinstance(data.get("user"), int):
        return None
    if time.time() - data.get("since", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, data["user"])
    if user is None or not user.active or data.get("pw") != user.password_fingerprint:
        return None
    return user, data


def pending_user_key() -> str:
    """The rate limit's key for the second step: the account, whatever the address."""
    data = session.get(PENDING_KEY)
    user = data.get("user") if isinstance(data, dict) else None
    return f"second-step-user:{user}"
