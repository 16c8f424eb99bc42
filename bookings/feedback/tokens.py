"""Personal feedback links: /feedback/<token>, signed, for one booking, for a while.

The token carries the booking's id and when it was made, signed with SECRET_KEY
under a salt of its own (a password-reset token is no feedback link). It opens the
form without signing in, so it must not be guessable or transferable: changing the
id breaks the signature. It works for FEEDBACK_LINK_DAYS days after it was made.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from ..errors import FeedbackLinkInvalid, Refusal
from ..models import Booking, utcnow

SALT = "feedback-link"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def link_token(booking: Booking, now: datetime | None = None) -> str:
    """The token of booking's feedback link, made at now."""
    made = int((now or utcnow()).timestamp())
    return _serializer().dumps({"booking": booking.id, "made": made})


def booking_id_from(token: str, now: datetime | None = None) -> int:
    """The booking a token is for; raises FeedbackLinkInvalid (expired or not ours)."""
    try:
        payload = _serializer().loads(token)
    except BadSignature as exc:
        raise FeedbackLinkInvalid(Refusal.FEEDBACK_LINK_INVALID) from exc
    if not isinstance(payload, dict):
        raise FeedbackLinkInvalid(Refusal.FEEDBACK_LINK_INVALID)
    booking_id, made = payload.get("booking"), payload.get("made")
    if not isinstance(booking_id, int) or not isinstance(made, int):
        raise FeedbackLinkInvalid(Refusal.FEEDBACK_LINK_INVALID)
    days = current_app.config["FEEDBACK_LINK_DAYS"]
    if (now or utcnow()) > datetime.fromtimestamp(made, UTC) + timedelta(days=days):
        raise FeedbackLinkInvalid(Refusal.FEEDBACK_LINK_EXPIRED, expired=True)
    return booking_id


def link_path(booking: Booking) -> str:
    """A fresh feedback link for booking, for its learner's own pages."""
    return url_for("feedback.respond", token=link_token(booking))
