"""The email outbox: messages queued in the caller's transaction, delivered by senders.

queue.py enqueues, claims with a lease (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: one
atomic conditional UPDATE) and requeues; message.py builds the MIME email; transport.py
hands it to the SMTP server (or writes an .eml file); worker.py runs the send loop, marks
a message sent only once the server has accepted it and retries with back-off. A sender
that dies leaves its lease to run out, and another sender retries the rows, so several
senders may run at once on any number of machines.
"""

from .queue import claim_batch, enqueue, retry, retry_all_failed
from .worker import (
    deliver_batch,
    run_sender,
    send_pending,
    start_background_sender,
    stop_background_sender,
)

__all__ = [
    "claim_batch",
    "deliver_batch",
    "enqueue",
    "retry",
    "retry_all_failed",
    "run_sender",
    "send_pending",
    "start_background_sender",
    "stop_background_sender",
]
