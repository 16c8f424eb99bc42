"""Emails about an account: password resets and security notices."""

from __future__ import annotations

from flask import current_app

from ...calendar import ics
from ...models import (
    User,
    utcnow,
)
from .base import Email, _render


def password_reset(user: User, link: str) -> Email:
    """A link to choose a new password."""
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    text, html = _render("password_reset", user=user, link=link, minutes=minutes)
    return Email(
        kind="password_reset",
        recipient=user.email,
        subject="Reset your password",
        body_text=text,
        body_html=html,
        user_id=user.id,
    )


def _security_notice(kind: str, user: User, subject: str, **context) -> Email:
    text, html = _render(
        kind,
        user=user,
        reset_url=ics.site_url("/auth/reset"),
        two_factor_url=ics.site_url("/account/two-factor"),
        changed_at=utcnow(),
        **context,
    )
    return Email(
        kind=kind,
        recipient=user.email,
        subject=subject,
        body_text=text,
        body_html=html,
        user_id=user.id,
    )


def password_changed(user: User) -> Email:
    """The password changed: if it was not them, they can act at once."""
    return _security_notice("password_changed", user, "Your password has been changed")


def two_factor_changed(user: User, change: str) -> Email:
    """Two-factor sign-in was turned on or off, or given new recovery codes."""
    return _security_notice(
        "two_factor_changed", user, "Your two-factor sign-in has changed", change=change
    )
