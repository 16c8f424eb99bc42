"""The in-process sender of `make run`: once per process, never under test."""

from __future__ import annotations

import threading
import time

from sqlalchemy import select

import config
from bookings import create_app
from bookings.extensions import db
from bookings.mail import messages, outbox
from bookings.models import OutboxMessage

from ..factories import make_user


def _sender_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "outbox-sender"]


def test_test_app_never_starts_a_background_sender(client):
    client.get("/healthz")
    assert _sender_threads() == []


def test_development_app_starts_one_sender_on_first_request(app, tmp_path):
    class DevelopmentUnderTest(config.DevelopmentConfig):
        TESTING = False
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        SQLALCHEMY_ENGINE_OPTIONS = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        SECRET_KEY = "x" * 32
        MAIL_SERVER = None
        MAIL_DIR = str(tmp_path / "mail")
        OUTBOX_POLL_SECONDS = 0.1

    dev_app = create_app(DevelopmentUnderTest)
    assert dev_app.config["OUTBOX_SEND_IN_PROCESS"] is True
    user = make_user()
    outbox.enqueue(messages.password_reset(user, "http://localhost/auth/reset/x"))
    db.session.commit()
    assert _sender_threads() == []  # creating the app starts nothing
    try:
        web = dev_app.test_client()
        for _ in range(3):
            assert web.get("/healthz").status_code == 200
        assert len(_sender_threads()) == 1
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not list((tmp_path / "mail").glob("*.eml")):
            time.sleep(0.05)
    finally:
        outbox.stop_background_sender()
        with dev_app.app_context():
            db.engine.dispose()
    assert _sender_threads() == []
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1
    db.session.expire_all()
    assert db.session.scalars(select(OutboxMessage.status)).all() == ["sent"]
