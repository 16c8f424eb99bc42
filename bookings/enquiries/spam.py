"""Spam defences for the contact form, none of them a puzzle for a person.

- A honeypot field that people (and their screen readers) never see: a form that
  fills it in is kept as spam for staff to look at.
- A signed timestamp of when the form was served: a post under ENQUIRY_MIN_SECONDS
  after is refused (a person cannot type that fast), and so is one older than
  ENQUIRY_MAX_AGE_SECONDS (the sender is asked to check and send again).
- At most ENQUIRY_MAX_LINKS web links in a message, and limits on every field's size
  (the form's validators); per-address rate limits are on the view.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from ..errors import EnquiryRefusal

HONEYPOT = "website"
STAMP_SALT = "contact-form-served-at"
LINK_RE = re.compile(r"(?i)(?:\bhttps?://|\bwww\.|\[url)")


@dataclass(frozen=True)
class Verdict:
    """What the checks make of a post: send it, keep it as spam, or ask the sender."""

    spam_reason: str = ""  # kept as spam, and why
    refusal: str = ""  # shown to the sender above their message, which is not sent
    fresh_stamp: bool = False  # the form needs a new timestamp before it is sent again


SEND = Verdict()


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=STAMP_SALT)


def issue_stamp(served_at: float | None = None) -> str:
    """The form's hidden timestamp: when it was served, signed so it cannot be forged."""
    return _serializer().dumps(int(served_at if served_at is not None else time.time()))


def stamp_age(stamp: str | None, now: float | None = None) -> float | None:
    """Seconds since the form was served, or None when the stamp is missing or forged."""
    try:
        served_at = _serializer().loads(stamp or "")
    except BadSignature:
        return None
    if not isinstance(served_at, int):
        return None
    return (now if now is not None else time.time()) - served_at


def count_links(text: str) -> int:
    return len(LINK_RE.findall(text or ""))


def judge(honeypot: str | None, stamp: str | None, now: float | None = None) -> Verdict:
    """The verdict on a post whose fields are otherwise valid."""
    if (honeypot or "").strip():
        return Verdict(spam_reason="Filled in the hidden field that people never see.")
    config = current_app.config
    age = stamp_age(stamp, now)
    if age is None or age > config["ENQUIRY_MAX_AGE_SECONDS"]:
        return Verdict(refusal=EnquiryRefusal.FORM_EXPIRED, fresh_stamp=True)
    if age < config["ENQUIRY_MIN_SECONDS"]:
        return Verdict(refusal=EnquiryRefusal.TOO_QUICK)
    return SEND
