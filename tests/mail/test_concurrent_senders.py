"""Several `outbox send --loop` processes at once: every message goes out exactly once."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bookings.extensions import db
from bookings.mail import messages, outbox
from bookings.models import OutboxMessage

from ..factories import make_user
from ..smtp_server import Collector, SmtpServer

# Sender processes of their own, timed by a deadline: run alone (make test).
pytestmark = pytest.mark.exclusive

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 200


class SlowCollector(Collector):
    """Takes a few milliseconds per message, so the senders overlap."""

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        await asyncio.sleep(0.003)
        return await super().handle_DATA(server, session, envelope)


def _start_sender(app, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    env.update(
        APP_ENV="production",
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(port),
        OUTBOX_BATCH_SIZE="5",
        OUTBOX_POLL_SECONDS="0.1",
        PYTHONUNBUFFERED="1",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "send", "--loop"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _two_senders_deliver_each_message_once(app):
    server = SmtpServer(SlowCollector()).start()
    senders = [_start_sender(app, server.port) for _ in range(2)]
    try:
        for sender in senders:
            # Both are polling before the messages are queued, so they compete for them.
            assert "Delivering email as" in sender.stdout.readline()
        user = make_user()
        email = messages.password_reset(user, "http://localhost/auth/reset/token")
        for _ in range(MESSAGES):
            outbox.enqueue(email)
        db.session.commit()

        deadline = time.monotonic() + 60
        while len(server.handler.envelopes) < MESSAGES and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # anything sent twice would arrive now
    finally:
        for sender in senders:
            sender.send_signal(signal.SIGTERM)
        outputs = [sender.communicate(timeout=30) for sender in senders]
        server.stop()

    for sender, (_out, err) in zip(senders, outputs, strict=True):
        assert sender.returncode == 0, err
    ids = server.handler.message_ids()
    counts = Counter(ids)
    assert len(ids) == MESSAGES, f"{len(ids)} arrived"
    assert [i for i, n in counts.items() if n > 1] == []
    db.session.expire_all()
    queued = set(db.session.scalars(select(OutboxMessage.message_id)))
    assert set(ids) == queued
    assert db.session.scalar(select(func.count()).where(OutboxMessage.status == "sent")) == MESSAGES
    # Both senders did part of the work, and their totals add up.
    totals = [int(re.findall(r"^Sent (\d+)", out, re.M)[-1]) for out, _ in outputs]
    assert sum(totals) == MESSAGES
    assert all(t > 0 for t in totals), totals


@pytest.mark.postgres
def test_two_looping_senders_on_postgres_deliver_each_message_once(app, postgres):
    _two_senders_deliver_each_message_once(app)


@pytest.mark.sqlite_only
def test_two_looping_senders_on_sqlite_deliver_each_message_once(app):
    _two_senders_deliver_each_message_once(app)
