"""How an email leaves: SMTP through Flask-Mail, or .eml files when there is no server."""

from __future__ import annotations

import smtplib
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Protocol

import flask_mail
from flask import current_app

from ...extensions import mail


class TemporaryFailure(Exception):
    """Try again later (4xx reply for this message)."""


class PermanentFailure(Exception):
    """The server refused this message for good (5xx)."""


class ServerUnavailable(Exception):
    """The mail server could not be reached or would not talk to us; nothing is the
    message's fault, so such failures never make a message fail for good."""


class Transport(Protocol):
    def send(self, email: EmailMessage, recipient: str) -> None: ...

    def close(self) -> None: ...


def open_transport() -> Transport:
    """SMTP when MAIL_SERVER is set, else .eml files in MAIL_DIR."""
    return SmtpTransport() if current_app.config["MAIL_SERVER"] else EmlFileTransport()


def _smtp_error(exc: smtplib.SMTPException) -> Exception:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(exc.recipients.values()))
    elif isinstance(exc, smtplib.SMTPResponseException):
        code, reply = exc.smtp_code, exc.smtp_error
    else:
        return ServerUnavailable(str(exc))
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", "replace")
    text = f"{code} {reply}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return ServerUnavailable(text)
    if 400 <= code < 500:
        return TemporaryFailure(text)
    if code >= 500:
        return PermanentFailure(text)
    return ServerUnavailable(text)


class _Connection(flask_mail.Connection):
    """Flask-Mail's connection, with a timeout so a silent server cannot hang a sender."""

    timeout: float = 30

    def configure_host(self) -> smtplib.SMTP:
        settings = self.mail
        if settings.use_ssl:
            host = smtplib.SMTP_SSL(settings.server, settings.port, timeout=self.timeout)
        else:
            host = smtplib.SMTP(settings.server, settings.port, timeout=self.timeout)
        host.set_debuglevel(int(settings.debug))
        if settings.use_tls:
            host.starttls()
        if settings.username and settings.password:
            host.login(settings.username, settings.password)
        return host


class SmtpTransport:
    """One SMTP connection, opened on first use, through Flask-Mail.

    Flask-Mail keeps its settings from init_app; the state is rebuilt from the
    current app.config so a changed MAIL_SERVER or MAIL_PORT takes effect, and so
    delivery is not suppressed merely because the app is under test.
    """

    def __init__(self):
        self.connection: _Connection | None = None

    def _open(self) -> None:
        state = mail.init_mail(current_app.config, current_app.debug, testing=False)
        connection = _Connection(state)
        connection.timeout = current_app.config["MAIL_TIMEOUT"]
        try:
            connection.__enter__()
        except (OSError, smtplib.SMTPException) as exc:
            raise ServerUnavailable(f"{type(exc).__name__}: {exc}") from exc
        self.connection = connection

    def send(self, email: EmailMessage, recipient: str) -> None:
        if self.connection is None:
            self._open()
        host = self.connection.host
        if host is None:  # MAIL_SUPPRESS_SEND
            return
        envelope_sender = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
        try:
            # policy.SMTP: CRLF line ends, which smtplib does not add to bytes itself.
            host.sendmail(envelope_sender, [recipient], email.as_bytes(policy=email_policy.SMTP))
        except smtplib.SMTPServerDisconnected as exc:
            self.connection = None
            raise ServerUnavailable(f"disconnected: {exc}") from exc
        except smtplib.SMTPException as exc:
            error = _smtp_error(exc)
            if isinstance(error, ServerUnavailable):
                self.close()
            raise error from exc
        except OSError as exc:
            self.connection = None
            raise ServerUnavailable(f"{type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        if self.connection is not None and self.connection.host is not None:
            try:
                self.connection.host.quit()
            except (OSError, smtplib.SMTPException):
                self.connection.host.close()
        self.connection = None


class EmlFileTransport:
    """With no MAIL_SERVER: each message becomes an .eml file in MAIL_DIR to open."""

    def __init__(self):
        self.directory = Path(current_app.config["MAIL_DIR"])

    def send(self, email: EmailMessage, recipient: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        token = email["Message-ID"].strip("<>").split("@")[0]
        target = self.directory / f"{token}.eml"
        partial = target.with_suffix(".eml.part")
        try:
            partial.write_bytes(email.as_bytes())
            partial.replace(target)
        except OSError as exc:
            raise ServerUnavailable(f"cannot write {target}: {exc}") from exc

    def close(self) -> None:
        pass
