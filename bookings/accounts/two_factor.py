"""Two-factor sign-in with an authenticator app (TOTP, RFC 6238) and recovery codes.

A code is accepted within one 30-second time step either way of the server's clock,
and only once: the step of the last accepted code is kept, and a conditional UPDATE
moves it forward, so two requests racing with the same code cannot both win. Each
recovery code is stored as a SHA-256 hash (the codes carry 80 random bits) and is
spent by a conditional UPDATE too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
import segno
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup
from sqlalchemy import delete, func, select, update

from ..audit import service as audit
from ..enums import AuditAction
from ..errors import TwoFactorRefused
from ..extensions import db
from ..mail import messages, outbox
from ..models import RecoveryCode, TwoFactor, User, utcnow

STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
RECOVERY_CODE_LENGTH = 16
REMEMBER_DEVICE_DAYS = 30
DEVICE_COOKIE = "two_factor_device"
DEVICE_SALT = "two-factor-device"

WRONG_CODE = (
    "That code is not right. Enter the 6-digit code your authenticator app shows now, "
    "or one of your recovery codes."
)
CODE_USED = "That code has already been used. Wait for the next one your app shows."
WRONG_SETUP_CODE = (
    "That code is not right. Check the time on your phone is set automatically, "
    "then enter the 6-digit code your app shows now."
)
WRONG_PASSWORD = "That is not your password."
AUTHENTICATOR = "password and authenticator code"
RECOVERY = "password and recovery code"


@dataclass(frozen=True)
class Check:
    """The outcome of the second step: how the user proved it, or why not."""

    method: str | None = None
    refusal: str | None = None


# Who needs it, who has it


def is_enabled(user: User) -> bool:
    return user.two_factor is not None


def is_required(user: User) -> bool:
    """Whether the user's role must sign in with two factors (REQUIRE_2FA_ROLES)."""
    return user.role in current_app.config.get("REQUIRE_2FA_ROLES", ())


def missing(user: User) -> bool:
    """A user whose role needs two-factor sign-in and who has not set it up."""
    return is_required(user) and not is_enabled(user)


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


# Set-up


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, as RFC 4226 recommends


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    issuer = current_app.config["ORG_NAME"]
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_svg(uri: str) -> Markup:
    """The QR code as inline SVG: presentation attributes only, which the CSP allows."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff", svgclass="qr-code", omitsize=False
    )
    label = "QR code for your authenticator app. The key is written out below."
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))


def grouped(secret: str) -> str:
    """The key in groups of four, easier to type: 'ABCD EFGH ...'."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def enable(user: User, secret: str, code: str, now: datetime | None = None) -> list[str]:
    """Turn two-factor sign-in on once a code from the app proves it holds the secret.

    Returns the ten recovery codes, to be shown once; only their hashes are kept.
    """
    if is_enabled(user):
        raise TwoFactorRefused("Two-factor sign-in is already on for your account.")
    step = matching_step(secret, code, now)
    if step is None:
        raise TwoFactorRefused(WRONG_SETUP_CODE)
    user.two_factor = TwoFactor(secret=secret, last_step=step, enabled_at=utcnow())
    codes = _new_recovery_codes(user)
    _changed(user, AuditAction.TWO_FACTOR_ENABLED, "turned on", by=user)
    return codes


# Codes


def _digits(code: str) -> str:
    return "".join((code or "").split())


def matching_step(secret: str, code: str, now: datetime | None = None) -> int | None:
    """The time step whose code this is, within one step either way of now, else None."""
    code = _digits(code)
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = totp.timecode(now or utcnow())
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _normalise_recovery(code: str) -> str:
    return "".join(c for c in (code or "").lower() if c.isalnum())


def _hash_recovery(code: str) -> str:
    return hashlib.sha256(_normalise_recovery(code).encode()).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4))


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash_recovery(c)) for c in codes)
    db.session.flush()
    return codes


def use_code(user: User, code: str, now: datetime | None = None) -> str:
    """Accept an authenticator or recovery code once; return how the user proved it.

    Raises TwoFactorRefused for a wrong code, or one already used.
    """
    settings = user.two_factor
    if settings is None:
        raise TwoFactorRefused("Two-factor sign-in is not on for this account.")
    now = now or utcnow()
    if _digits(code).isdigit():
        step = matching_step(settings.secret, code, now)
        if step is None:
            raise TwoFactorRefused(WRONG_CODE)
        moved = db.session.execute(
            update(TwoFactor)
            .where(TwoFactor.user_id == user.id, TwoFactor.last_step < step)
            .values(last_step=step)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.expire(settings, ["last_step"])
        if moved != 1:
            raise TwoFactorRefused(CODE_USED)
        return AUTHENTICATOR
    spent = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_recovery(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if spent != 1:
        raise TwoFactorRefused(WRONG_CODE)
    return RECOVERY


def second_step(user: User, code: str) -> Check:
    """The code asked for after the password: accepted, or refused and the failure recorded.

    Never raises for a wrong code, so the caller commits the failure's audit row too.
    """
    try:
        method = use_code(user, code)
    except TwoFactorRefused as exc:
        if audit.watched(user):
            audit.record(
                AuditAction.SIGN_IN_FAILED,
                by=user,
                subject=user,
                summary=f"Right password, refused second step: {exc}",
            )
        return Check(refusal=str(exc))
    return Check(method=method)


# Changes once it is on


def _check_password_and_code(user: User, password: str, code: str) -> None:
    if not user.check_password(password or ""):
        raise TwoFactorRefused(WRONG_PASSWORD, field="password")
    use_code(user, code)


def disable(user: User, password: str, code: str) -> None:
    """Turn two-factor sign-in off: needs the password and a code (or a recovery code)."""
    _check_password_and_code(user, password, code)
    _remove(user)
    _changed(user, AuditAction.TWO_FACTOR_DISABLED, "turned off", by=user)


def replace_recovery_codes(user: User, code: str) -> list[str]:
    """New recovery codes for old ones; needs a current code. The old ones stop working."""
    use_code(user, code)
    codes = _new_recovery_codes(user)
    _changed(user, AuditAction.RECOVERY_CODES_REPLACED, "given new recovery codes", by=user)
    return codes


def reset(user: User, by: User | None = None) -> bool:
    """Turn someone's two-factor sign-in off for them (a lost phone and lost codes).

    Returns False when it was not on.
    """
    if not is_enabled(user):
        return False
    _remove(user)
    _changed(user, AuditAction.TWO_FACTOR_RESET, "reset by staff", by=by)
    return True


def _remove(user: User) -> None:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(TwoFactor).where(TwoFactor.user_id == user.id))
    db.session.expire(user, ["two_factor"])


def _changed(user: User, action: AuditAction, change: str, by: User | None) -> None:
    """Tell the person by email, and record it for trainers' and staff accounts."""
    outbox.enqueue(messages.two_factor_changed(user, change))
    if audit.watched(user) or by is not user:
        audit.record(action, by=by, subject=user, summary=f"Two-factor sign-in {change}.")


# Remembered devices


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=DEVICE_SALT)


def _secret_fingerprint(user: User) -> str:
    key = current_app.config["SECRET_KEY"]
    key = key if isinstance(key, bytes) else str(key).encode()
    secret = user.two_factor.secret if user.two_factor else ""
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()[:16]


def device_token(user: User) -> str:
    """A signed value for a cookie: this device passed the second step for this user.

    Bound to the password and the authenticator secret: changing either forgets it.
    """
    data = {"u": user.id, "pw": user.password_fingerprint, "tf": _secret_fingerprint(user)}
    return _device_serializer().dumps(data)


def device_remembered(user: User, token: str | None) -> bool:
    if not token or not is_enabled(user):
        return False
    try:
        data = _device_serializer().loads(token, max_age=REMEMBER_DEVICE_DAYS * 24 * 3600)
    except BadSignature:
        return False
    expected = {"u": user.id, "pw": user.password_fingerprint, "tf": _secret_fingerprint(user)}
    return isinstance(data, dict) and data == expected
