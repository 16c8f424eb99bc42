"""The email outbox: messages are queued in the caller's transaction, then delivered.

Senders claim due rows with a lease (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite:
one atomic conditional UPDATE), deliver each through Flask-Mail's SMTP connection
and mark it sent only once the server has accepted it. A sender that dies leaves
its lease to run out, and another sender retries the rows. Several senders may
run at once on any number of machines.
"""

from __future__ import annotations

import logging
import os
import random
import secrets
import signal
import smtplib
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path

import flask_mail
from flask import current_app
from sqlalchemy import select, update

from ..extensions import db, mail
from ..models import OutboxMessage, utcnow
from .messages import Email

log = logging.getLogger(__name__)

DEFAULTS = {
    "OUTBOX_BATCH_SIZE": 20,
    "OUTBOX_LEASE_SECONDS": 300,
    "OUTBOX_RETRY_BASE_SECONDS": 30,
    "OUTBOX_RETRY_MAX_SECONDS": 3600,
    "OUTBOX_MAX_ATTEMPTS": 10,
    "OUTBOX_POLL_SECONDS": 1.5,
    "MAIL_TIMEOUT": 30,
}


def _setting(name: str):
    return current_app.config.get(name, DEFAULTS[name])


def _message_id() -> str:
    domain = current_app.config["ORG_EMAIL"].rpartition("@")[2] or "localhost"
    return f"<{utcnow():%Y%m%d%H%M%S}.{secrets.token_hex(8)}@{domain}>"


def enqueue(email: Email) -> OutboxMessage:
    """Add the message to the current transaction; it goes out only if that commits."""
    message = OutboxMessage(
        kind=email.kind,
        message_id=_message_id(),
        recipient=email.recipient,
        subject=email.subject,
        body_text=email.body_text,
        body_html=email.body_html,
        ics=email.ics,
        ics_method=email.ics_method,
        booking_id=email.booking_id,
        user_id=email.user_id,
        status="pending",
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    return message


# Claiming -----------------------------------------------------------------------------


def claim_batch(
    worker_id: str, limit: int, *, due_by: datetime | None = None
) -> list[OutboxMessage]:
    """Lease up to limit due messages to worker_id and commit, so others skip them.

    due_by (default now) is the latest next_attempt_at taken: a one-off run passes
    its start time so each message is tried at most once per run.
    """
    now = utcnow()
    due_by = due_by or now
    # A claim name unique to this batch, so we read back exactly the rows we took.
    claim = f"{worker_id}/{secrets.token_hex(4)}"[:120]
    due = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == "pending",
            OutboxMessage.next_attempt_at <= due_by,
            (OutboxMessage.lease_until.is_(None)) | (OutboxMessage.lease_until < now),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        # Rows another sender holds are skipped, not waited for.
        due = due.with_for_update(skip_locked=True)
    try:
        db.session.execute(
            update(OutboxMessage)
            # SQLite runs this one statement under its write lock: the claim is atomic.
            .where(OutboxMessage.id.in_(due.scalar_subquery()))
            .values(
                lease_until=now + timedelta(seconds=_setting("OUTBOX_LEASE_SECONDS")),
                claimed_by=claim,
            )
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.claimed_by == claim, OutboxMessage.status == "pending")
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        )
    )


# Building the email ---------------------------------------------------------------------


def build_mime(message: OutboxMessage) -> EmailMessage:
    """The email as sent: multipart/mixed > multipart/alternative (text, HTML, calendar)
    and the calendar again as invite.ics, for clients that only look at attachments."""
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.recipient
    # A course title typed with a line break must not break the header (or add one).
    email["Subject"] = " ".join(message.subject.split())
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = message.message_id
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body_text, subtype="plain", charset="utf-8", cte="quoted-printable")
    if message.body_html:
        email.add_alternative(
            message.body_html, subtype="html", charset="utf-8", cte="quoted-printable"
        )
    if message.ics:
        method = message.ics_method or "PUBLISH"
        # Calendar files fold lines at 75 octets: plain 7bit when ASCII, else base64.
        ascii_only = message.ics.isascii()
        email.add_alternative(
            message.ics,
            subtype="calendar",
            charset="UTF-8",
            cte="7bit" if ascii_only else "base64",
            params={"method": method},
        )
        calendar_part = email.get_payload()[-1]
        # Content-Type: text/calendar; method=...; charset=UTF-8, the order clients know.
        del calendar_part["Content-Type"]
        calendar_part["Content-Type"] = f"text/calendar; method={method}; charset=UTF-8"
        email.make_mixed()
        email.add_attachment(
            message.ics.encode("utf-8"),
            maintype="application",
            subtype="ics",
            filename="invite.ics",
            params={"name": "invite.ics"},
        )
    return email


def _envelope_sender() -> str:
    return parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]


# Delivery -------------------------------------------------------------------------------


class TemporaryFailure(Exception):
    """Try again later (4xx reply for this message)."""


class PermanentFailure(Exception):
    """The server refused this message for good (5xx)."""


class ServerUnavailable(Exception):
    """The mail server could not be reached or would not talk to us; nothing is the
    message's fault, so such failures never make a message fail for good."""


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


class SmtpSender:
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
        connection.timeout = _setting("MAIL_TIMEOUT")
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
        try:
            # policy.SMTP: CRLF line ends, which smtplib does not add to bytes itself.
            host.sendmail(_envelope_sender(), [recipient], email.as_bytes(policy=email_policy.SMTP))
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


class FileSender:
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


def _sender():
    return SmtpSender() if current_app.config.get("MAIL_SERVER") else FileSender()


def _retry_delay(attempts: int) -> timedelta:
    base = float(_setting("OUTBOX_RETRY_BASE_SECONDS"))
    cap = float(_setting("OUTBOX_RETRY_MAX_SECONDS"))
    delay = min(base * 2 ** max(attempts - 1, 0), cap)
    # A little jitter so senders that failed together do not retry together.
    return timedelta(seconds=delay * random.uniform(1.0, 1.1))


def _finish(message: OutboxMessage, claim: str | None, **values) -> bool:
    """Write the outcome if we still hold the message; commit."""
    still_ours = update(OutboxMessage).where(
        OutboxMessage.id == message.id, OutboxMessage.status == "pending"
    )
    if claim:
        still_ours = still_ours.where(OutboxMessage.claimed_by == claim)
    result = db.session.execute(
        still_ours.values(lease_until=None, claimed_by=None, **values).execution_options(
            synchronize_session=False
        )
    )
    db.session.commit()
    return result.rowcount == 1


def _record_failure(message: OutboxMessage, claim: str | None, exc: Exception) -> str:
    attempts = message.attempts + 1
    error = str(exc)[:2000] or type(exc).__name__
    if isinstance(exc, PermanentFailure):
        _finish(message, claim, status="failed", attempts=attempts, last_error=error)
        return "failed"
    if isinstance(exc, TemporaryFailure) and attempts >= _setting("OUTBOX_MAX_ATTEMPTS"):
        _finish(
            message,
            claim,
            status="failed",
            attempts=attempts,
            last_error=f"gave up after {attempts} attempts: {error}",
        )
        return "failed"
    _finish(
        message,
        claim,
        attempts=attempts,
        last_error=error,
        next_attempt_at=utcnow() + _retry_delay(attempts),
    )
    return "retrying"


def _renew_lease(message: OutboxMessage, claim: str | None) -> bool:
    """Hold the message for a full lease from now, if it is still ours and unsent; commit.

    A batch can take longer than one lease (a slow server, many messages), and once
    a lease runs out another sender may take the message: each send therefore starts
    with a fresh lease, and a message someone else now holds is left to them.
    """
    if not claim:
        return True
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message.id,
            OutboxMessage.status == "pending",
            OutboxMessage.claimed_by == claim,
        )
        .values(lease_until=utcnow() + timedelta(seconds=_setting("OUTBOX_LEASE_SECONDS")))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _deliver_with(sender, message: OutboxMessage) -> str | None:
    """Deliver over sender's connection; ServerUnavailable is recorded, then raised.

    None when the message is no longer ours to send (another sender took it over).
    """
    claim = message.claimed_by
    if not _renew_lease(message, claim):
        log.warning("Outbox message %s was taken over by another sender", message.id)
        return None
    try:
        email = build_mime(message)
    except Exception as exc:  # a message that cannot be built now never will be
        log.exception("Cannot build outbox message %s", message.id)
        return _record_failure(message, claim, PermanentFailure(f"cannot build: {exc}"))
    try:
        sender.send(email, message.recipient)
    except (TemporaryFailure, PermanentFailure, ServerUnavailable) as exc:
        log.warning("Outbox message %s not delivered: %s", message.id, exc)
        outcome = _record_failure(message, claim, exc)
        if isinstance(exc, ServerUnavailable):
            raise
        return outcome
    _finish(message, claim, status="sent", sent_at=utcnow(), attempts=message.attempts + 1)
    return "sent"


def deliver_batch(messages: list[OutboxMessage]) -> dict[str, int]:
    """Deliver claimed messages over one connection; when the server cannot be
    reached, the rest of the batch is rescheduled without trying each in turn."""
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    sender = _sender()
    try:
        for index, message in enumerate(messages):
            try:
                outcome = _deliver_with(sender, message)
                if outcome is not None:
                    counts[outcome] += 1
            except ServerUnavailable as exc:
                counts["retrying"] += 1
                for rest in messages[index + 1 :]:
                    counts[_record_failure(rest, rest.claimed_by, exc)] += 1
                break
    finally:
        sender.close()
    return counts


# Running a sender ----------------------------------------------------------------------


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


def send_pending(
    *,
    loop: bool = False,
    limit: int | None = None,
    stop: threading.Event | None = None,
    echo: Callable[[str], None] | None = None,
    worker: str | None = None,
) -> dict[str, int]:
    """Deliver due messages until none are left (or, with loop, until stop is set)."""
    stop = stop or threading.Event()
    worker = worker or worker_name()
    started = utcnow()
    totals = {"sent": 0, "retrying": 0, "failed": 0}
    while not stop.is_set():
        batch_size = _setting("OUTBOX_BATCH_SIZE")
        if limit is not None:
            batch_size = min(batch_size, limit - sum(totals.values()))
            if batch_size <= 0:
                break
        batch = claim_batch(worker, batch_size, due_by=None if loop else started)
        if batch:
            counts = deliver_batch(batch)
            for key, value in counts.items():
                totals[key] += value
            if echo and loop:
                echo(_summary(counts))
            continue
        if not loop:
            break
        db.session.remove()  # do not hold a connection while idle
        stop.wait(_setting("OUTBOX_POLL_SECONDS"))
    return totals


def _summary(counts: dict[str, int]) -> str:
    return f"Sent {counts['sent']}, to retry {counts['retrying']}, failed {counts['failed']}."


def run_sender(loop: bool = False, limit: int | None = None, echo=print) -> dict[str, int]:
    """The `outbox send [--loop]` command: deliver, and with loop keep polling until
    SIGTERM or SIGINT, finishing the message in hand first."""
    stop = threading.Event()
    previous = {}
    if loop and threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, lambda *_: stop.set())
    worker = worker_name()
    if loop:
        echo(f"Delivering email as {worker} until stopped (Ctrl+C).")
    try:
        totals = send_pending(loop=loop, limit=limit, stop=stop, echo=echo, worker=worker)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    echo(_summary(totals))
    return totals


# Staff ----------------------------------------------------------------------------------


def _requeue(*conditions) -> int:
    """Queue failed messages again with a fresh set of attempts; the caller commits."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "failed", *conditions)
        .values(
            status="pending",
            attempts=0,
            next_attempt_at=utcnow(),
            lease_until=None,
            claimed_by=None,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def retry(message_id: int) -> bool:
    """Queue a failed message again with a fresh set of attempts; the caller commits."""
    return _requeue(OutboxMessage.id == message_id) == 1


def retry_all_failed() -> int:
    """Queue every failed message again; the caller commits. Returns how many."""
    return _requeue()


# In-process sender (development) -------------------------------------------------------

_background_lock = threading.Lock()
_background_thread: threading.Thread | None = None
_background_stop = threading.Event()


def start_background_sender(app) -> None:
    """Deliver the outbox from a daemon thread in this process (used by make run).

    The thread starts on the first request this process serves, so commands such as
    `flask db upgrade` and the reloader's watching process never start one, and it
    starts at most once per process. Never in tests.
    """
    if app.testing:
        return

    @app.before_request
    def _start_sender_once():
        global _background_thread
        if _background_thread is not None:
            return
        with _background_lock:
            if _background_thread is not None:
                return
            _background_stop.clear()
            _background_thread = threading.Thread(
                target=_background_loop, args=(app,), name="outbox-sender", daemon=True
            )
            _background_thread.start()


def stop_background_sender(timeout: float = 10) -> None:
    """Stop this process's background sender after the message in hand."""
    global _background_thread
    with _background_lock:
        thread, _background_thread = _background_thread, None
    if thread is not None:
        _background_stop.set()
        thread.join(timeout)


def _background_loop(app) -> None:
    while not _background_stop.is_set():
        with app.app_context():
            try:
                send_pending(loop=True, stop=_background_stop)
            except Exception:
                log.exception("Outbox sender stopped; restarting in 10 seconds")
            finally:
                db.session.remove()
        _background_stop.wait(10)
