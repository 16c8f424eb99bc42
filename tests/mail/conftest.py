from __future__ import annotations

import pytest

from ..smtp_server import Collector, SmtpServer, free_port

MAIL_SETTINGS = (
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_DIR",
    "OUTBOX_RETRY_BASE_SECONDS",
    "OUTBOX_MAX_ATTEMPTS",
)


@pytest.fixture
def mail_config(app, tmp_path):
    """Lets a test point the sender somewhere; restores the settings afterwards."""
    saved = {name: app.config.get(name) for name in MAIL_SETTINGS}
    app.config["MAIL_DIR"] = str(tmp_path / "mail")
    app.config["OUTBOX_RETRY_BASE_SECONDS"] = 0
    yield app.config
    app.config.update(saved)


def use_server(config, server: SmtpServer) -> None:
    config["MAIL_SERVER"] = "127.0.0.1"
    config["MAIL_PORT"] = server.port


@pytest.fixture
def smtp(mail_config):
    """A running server collecting every message, with the app pointed at it."""
    server = SmtpServer(Collector()).start()
    use_server(mail_config, server)
    yield server.handler
    server.stop()


@pytest.fixture
def closed_port(mail_config):
    """The app pointed at a loopback port where nothing listens (connection refused)."""
    port = free_port()
    mail_config["MAIL_SERVER"] = "127.0.0.1"
    mail_config["MAIL_PORT"] = port
    return port
