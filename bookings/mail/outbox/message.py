"""The email as sent: a MIME message built from an OutboxMessage row."""

from __future__ import annotations

import secrets
from email.message import EmailMessage
from email.utils import format_datetime

from flask import current_app

from ...models import OutboxMessage, utcnow
from ...payments import documents


def new_message_id() -> str:
    """A Message-ID unique to one queued email, in the organisation's domain."""
    domain = current_app.config["ORG_EMAIL"].rpartition("@")[2] or "localhost"
    return f"<{utcnow():%Y%m%d%H%M%S}.{secrets.token_hex(8)}@{domain}>"


def build_mime(message: OutboxMessage) -> EmailMessage:
    """The email as sent: multipart/mixed > multipart/alternative (text, HTML, calendar)
    and the calendar again as invite.ics, for clients that only look at attachments."""
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.recipient
    # A course title typed with a line break must not break the header (or add one).
    email["Subject"] = " ".join(message.subject.split())
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = message.message_id
    email["Auto-Submitted"] = "auto-generated"
    if message.reply_to:
        email["Reply-To"] = message.reply_to
    if message.unsubscribe_url:
        # One click in the mail program unsubscribes, with no page to visit (RFC 8058).
        email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(message.body_text, subtype="plain", charset="utf-8", cte="quoted-printable")
    if message.body_html:
        email.add_alternative(
            message.body_html, subtype="html", charset="utf-8", cte="quoted-printable"
        )
    if message.ics:
        _attach_calendar(email, message.ics, message.ics_method or "PUBLISH")
    if message.attachment:
        # Built now from the stored document, which never changes once issued.
        filename, pdf = documents.attachment(message.attachment)
        email.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
    return email


def _attach_calendar(email: EmailMessage, ics: str, method: str) -> None:
    """The calendar as the last alternative, then again as an invite.ics attachment."""
    # Calendar files fold lines at 75 octets: plain 7bit when ASCII, else base64.
    email.add_alternative(
        ics,
        subtype="calendar",
        charset="UTF-8",
        cte="7bit" if ics.isascii() else "base64",
        params={"method": method},
    )
    calendar_part = email.get_payload()[-1]
    # Content-Type: text/calendar; method=...; charset=UTF-8, the order clients know.
    del calendar_part["Content-Type"]
    calendar_part["Content-Type"] = f"text/calendar; method={method}; charset=UTF-8"
    email.make_mixed()
    email.add_attachment(
        ics.encode("utf-8"),
        maintype="application",
        subtype="ics",
        filename="invite.ics",
        params={"name": "invite.ics"},
    )
