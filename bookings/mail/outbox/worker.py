"""Delivering the outbox: the send loop, its retry policy, the command and the in-process thread."""

from __future__ import annotations

import logging
import os
import random
import signal
import socket
import threading
from collections.abc import Callable
from datetime import timedelta

from flask import Flask, current_app

from ...enums import OutboxStatus
from ...extensions import db
from ...models import OutboxMessage, utcnow
from . import queue
from .message import build_mime
from .transport import (
    PermanentFailure,
    ServerUnavailable,
    TemporaryFailure,
    Transport,
    open_transport,
)

log = logging.getLogger(__name__)

RETRYING = "retrying"  # an outcome of one attempt, never a stored status


def _new_counts() -> dict[str, int]:
    return {OutboxStatus.SENT.value: 0, RETRYING: 0, OutboxStatus.FAILED.value: 0}


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the attempts-th temporary failure: doubling, capped."""
    config = current_app.config
    base = float(config["OUTBOX_RETRY_BASE_SECONDS"])
    cap = float(config["OUTBOX_RETRY_MAX_SECONDS"])
    delay = min(base * 2 ** max(attempts - 1, 0), cap)
    # A little jitter so senders that failed together do not retry together.
    return timedelta(seconds=delay * random.uniform(1.0, 1.1))


def _record_failure(message: OutboxMessage, claim: str | None, exc: Exception) -> str:
    """Fail the message for good or schedule its next try; the outcome's name."""
    attempts = message.attempts + 1
    error = str(exc)[:2000] or type(exc).__name__
    if isinstance(exc, PermanentFailure):
        queue.mark_failed(message, claim, error)
        return OutboxStatus.FAILED
    if isinstance(exc, TemporaryFailure) and attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        queue.mark_failed(message, claim, f"gave up after {attempts} attempts: {error}")
        return OutboxStatus.FAILED
    queue.try_again_at(message, claim, error, utcnow() + retry_delay(attempts))
    return RETRYING


def _deliver_with(transport: Transport, message: OutboxMessage, claim: str | None) -> str | None:
    """Deliver over transport's connection; ServerUnavailable is recorded, then raised.

    None when the message is no longer ours to send (another sender took it over).
    """
    if not queue.renew_lease(message, claim):
        log.warning("Outbox message %s was taken over by another sender", message.id)
        return None
    try:
        email = build_mime(message)
    except Exception as exc:  # a message that cannot be built now never will be
        log.exception("Cannot build outbox message %s", message.id)
        return _record_failure(message, claim, PermanentFailure(f"cannot build: {exc}"))
    try:
        transport.send(email, message.recipient)
    except (TemporaryFailure, PermanentFailure, ServerUnavailable) as exc:
        log.warning("Outbox message %s not delivered: %s", message.id, exc)
        outcome = _record_failure(message, claim, exc)
        if isinstance(exc, ServerUnavailable):
            raise
        return outcome
    queue.mark_sent(message, claim)
    return OutboxStatus.SENT


def deliver_batch(messages: list[OutboxMessage]) -> dict[str, int]:
    """Deliver claimed messages over one connection; when the server cannot be
    reached, the rest of the batch is rescheduled without trying each in turn."""
    counts = _new_counts()
    # Each claim as taken: every commit below reloads the rows, and by then another
    # sender may hold a message whose lease ran out.
    claims = [message.claimed_by for message in messages]
    transport = open_transport()
    try:
        for index, (message, claim) in enumerate(zip(messages, claims, strict=True)):
            try:
                outcome = _deliver_with(transport, message, claim)
                if outcome is not None:
                    counts[outcome] += 1
            except ServerUnavailable as exc:
                counts[RETRYING] += 1
                for rest, rest_claim in zip(
                    messages[index + 1 :], claims[index + 1 :], strict=True
                ):
                    counts[_record_failure(rest, rest_claim, exc)] += 1
                break
    finally:
        transport.close()
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
    totals = _new_counts()
    while not stop.is_set():
        batch_size = current_app.config["OUTBOX_BATCH_SIZE"]
        if limit is not None:
            batch_size = min(batch_size, limit - sum(totals.values()))
            if batch_size <= 0:
                break
        batch = queue.claim_batch(worker, batch_size, due_by=None if loop else started)
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
        stop.wait(current_app.config["OUTBOX_POLL_SECONDS"])
    return totals


def _summary(counts: dict[str, int]) -> str:
    sent, failed = counts[OutboxStatus.SENT], counts[OutboxStatus.FAILED]
    return f"Sent {sent}, to retry {counts[RETRYING]}, failed {failed}."


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


# In-process sender (make run) ----------------------------------------------------------


class BackgroundSender:
    """At most one daemon thread per process delivering the outbox (used by make run).

    Threads do not survive fork: a process forked from one that had a sender (a
    gunicorn worker from a preloaded master, say) starts with none and may start its
    own. Several processes each running one is safe: claiming a batch is atomic
    across processes (see queue.claim_batch), so each message goes out once.
    """

    def __init__(self):
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def start(self, app: Flask) -> None:
        """Start delivering for app, unless this process already has a sender running."""
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is not None:
                return
            # A fresh event per thread: one that outlived stop's join stays stopped.
            self._stop = threading.Event()
            self._thread = threading.Thread(
                target=self._run, args=(app, self._stop), name="outbox-sender", daemon=True
            )
            self._thread.start()

    def stop(self, timeout: float = 10) -> None:
        """Stop the sender after the message in hand."""
        with self._lock:
            thread, self._thread = self._thread, None
            self._stop.set()
        if thread is not None:
            thread.join(timeout)

    @staticmethod
    def _run(app: Flask, stop: threading.Event) -> None:
        while not stop.is_set():
            with app.app_context():
                try:
                    send_pending(loop=True, stop=stop)
                except Exception:
                    log.exception("Outbox sender stopped; restarting in 10 seconds")
                finally:
                    db.session.remove()
            stop.wait(10)


# One per process, whichever app starts it: the thread belongs to the process.
_in_process = BackgroundSender()


def start_background_sender(app: Flask) -> None:
    """Deliver the outbox from a daemon thread in this process (used by make run).

    Creating the app starts nothing, so a process that forks after loading it (a
    gunicorn master with preload_app) forks no thread, and commands such as `flask db
    upgrade` never start one. The thread starts in the process that serves: on its
    first request (the debug server's child, not the reloader watching it), or at
    once when gunicorn has booted a worker (start_sender_in_worker, called from
    gunicorn.conf.py's post_worker_init). At most once per process; never in tests.
    """
    if app.testing:
        return
    app.extensions["outbox_sender"] = _in_process

    @app.before_request
    def _start_sender_once():
        _in_process.start(app)


def start_sender_in_worker(app: object) -> bool:
    """Start this process's sender now, if app was set up for one (a booted server worker).

    app is what the server loaded: anything else than such a Flask app is left alone.
    """
    if not isinstance(app, Flask) or app.extensions.get("outbox_sender") is not _in_process:
        return False
    _in_process.start(app)
    return True


def stop_background_sender(timeout: float = 10) -> None:
    """Stop this process's background sender after the message in hand."""
    _in_process.stop(timeout)
