"""A real SMTP server on loopback (aiosmtpd) for the email tests."""

from __future__ import annotations

import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Collector:
    """Accepts every message and keeps it."""

    def __init__(self):
        self.envelopes = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return [message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]

    def message_ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.messages]


class Deferring(Collector):
    """Answers 451 to the first `times` messages, then accepts."""

    def __init__(self, times: int = 2):
        super().__init__()
        self.remaining = times
        self.deferred = 0

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.remaining > 0:
                self.remaining -= 1
                self.deferred += 1
                return "451 4.3.0 Try again later"
        return await super().handle_DATA(server, session, envelope)


class Rejecting(Collector):
    """Refuses every recipient for good."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "550 5.1.1 No such mailbox here"


class SmtpServer:
    """An aiosmtpd server on a loopback port; stop() and start() again on the same port."""

    def __init__(self, handler: Collector, port: int | None = None):
        self.handler = handler
        self.port = port or free_port()
        self.controller: Controller | None = None

    def start(self) -> SmtpServer:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
