"""Production serving as real processes: gunicorn app servers, outbox senders, SMTP.

Two gunicorn servers on one PostgreSQL database, sharing sign-in limits through Redis,
with two `outbox send --loop` workers delivering to aiosmtpd, take 100 concurrent
bookings over HTTP. And gunicorn's workers each start their in-process sender after
the fork, delivering every message once between them.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from contextlib import ExitStack, suppress
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

from bookings.enums import OutboxStatus
from bookings.extensions import db
from bookings.mail import messages, outbox
from bookings.models import Booking, OutboxMessage

from .conftest import CSRF_RE, _create_database_if_missing, _reset_postgres, require_service
from .factories import PASSWORD, make_learners, make_session, make_user
from .smtp_server import Collector, SmtpServer, free_port

# Each test starts a fleet of processes: run alone (make test), one after the other, so
# that on a small machine they do not also compete with each other.
pytestmark = pytest.mark.exclusive

ROOT = Path(__file__).resolve().parents[1]
REDIS = ("127.0.0.1", 6379)
REDIS_DB = 5
LEARNERS = 100
CAPACITY = 20
# A priced place asks who pays; these learners pay for themselves.
BOOKING_FORM = {"consent": "y", "access_needs": "", "dietary_needs": "", "payer": "self"}


def redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


# Processes -------------------------------------------------------------------------------


class Process:
    """A child process in its own process group, its output kept in a file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log_dir: Path):
        self.name = name
        self.log = log_dir / f"{name}.log"
        with self.log.open("wb") as out:
            self.popen = subprocess.Popen(
                args,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def check_alive(self) -> None:
        if self.popen.poll() is not None:
            pytest.fail(
                f"{self.name} exited with {self.popen.returncode}:\n{self.output()[-3000:]}"
            )

    def terminate(self) -> None:
        """Ask it to stop: gunicorn and the senders finish what they are doing."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)

    def stop(self, deadline: float) -> None:
        """Wait until deadline for it to stop, then SIGKILL its whole process group."""
        with suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=max(deadline - time.monotonic(), 0.1))
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)  # anything left behind, workers too
        self.popen.wait(timeout=10)


class Fleet(list):
    """The processes a test started; stopped together, all of them, however it ends."""

    def start(self, name: str, args: list[str], env: dict, log_dir: Path) -> Process:
        process = Process(name, args, env, log_dir)
        self.append(process)
        return process

    def gunicorn(self, name: str, port: int, env: dict, log_dir: Path) -> Process:
        args = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"]
        args += ["--bind", f"127.0.0.1:{port}"]
        return self.start(name, args, {**env, "PORT": str(port)}, log_dir)

    def stop(self) -> None:
        for process in self:
            process.terminate()
        deadline = time.monotonic() + 20
        for process in self:
            process.stop(deadline)


def wait_until_serving(process: Process, port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        process.check_alive()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{process.name} is not serving after {timeout} s:\n{process.output()[-3000:]}")


def base_env(database_url: str, smtp_port: int, instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"TEST_DATABASE_URL", "PORT"}}
    env.update(
        INSTANCE_PATH=str(instance),
        DATABASE_URL=database_url,
        SECRET_KEY="several-servers-" + uuid.uuid4().hex,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp_port),
        OUTBOX_POLL_SECONDS="0.2",
        OUTBOX_BATCH_SIZE="5",
        PYTHONUNBUFFERED="1",
    )
    return env


# A browser ---------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies, CSRF tokens and one network address, as one visitor's browser has."""

    def __init__(self, base: str, address: str):
        self.base = base
        self.address = address
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        """(status, body, Location) of one request; redirects are not followed."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(
            self.base + path, data=body, headers={"X-Forwarded-For": self.address}
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode(), ""
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace"), exc.headers.get("Location", "")

    def post_form(self, path: str, data: dict) -> tuple[int, str, str]:
        status, page, _ = self.request(path)
        assert status == 200, f"GET {path}: {status}"
        match = CSRF_RE.search(page)
        assert match, f"no csrf_token at {path}"
        return self.request(path, {**data, "csrf_token": match.group(1)})

    def sign_in(self, email: str, password: str) -> int:
        return self.post_form("/auth/login", {"email": email, "password": password})[0]


def in_threads(work, args_list: list[tuple]) -> list:
    """work(*args) in one thread each, all at once; the results in order, errors raised."""
    results: list = [None] * len(args_list)
    errors: list[BaseException] = []

    def run(index: int, args: tuple) -> None:
        try:
            results[index] = work(*args)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(args_list)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    if errors:
        raise errors[0]
    return results


# Checking the mail ---------------------------------------------------------------------------


def wait_for_the_outbox(collector: Collector, senders: list[Process], timeout: float = 60):
    """Until nothing is left to send and aiosmtpd has every message; the outbox rows."""
    deadline = time.monotonic() + timeout
    while True:
        for sender in senders:
            sender.check_alive()
        db.session.expire_all()
        rows = db.session.execute(
            select(OutboxMessage.message_id, OutboxMessage.recipient, OutboxMessage.status)
        ).all()
        done = all(row.status != OutboxStatus.PENDING for row in rows)
        if done and len(collector.envelopes) >= len(rows):
            time.sleep(0.5)  # anything sent twice would arrive now
            db.session.rollback()
            return rows
        if time.monotonic() > deadline:
            pending = sum(row.status == OutboxStatus.PENDING for row in rows)
            pytest.fail(f"{pending} of {len(rows)} emails still pending after {timeout} s")
        db.session.rollback()
        time.sleep(0.2)


def assert_each_delivered_once(collector: Collector, rows) -> None:
    assert rows, "no email was queued"
    assert {row.status for row in rows} == {OutboxStatus.SENT}
    delivered = collector.messages
    by_id = Counter(message["Message-ID"].strip("<> ") for message in delivered)
    assert by_id == Counter(row.message_id.strip("<> ") for row in rows)
    assert set(by_id.values()) == {1}
    by_recipient = Counter(str(message["To"]).split("<")[-1].strip("> ") for message in delivered)
    assert by_recipient == Counter(row.recipient for row in rows)


# Two app servers, two senders, one PostgreSQL database, Redis --------------------------------


@pytest.fixture
def redis_server():
    require_service(redis_answers(), "needs Redis on 127.0.0.1:6379 for the shared sign-in limits")


@pytest.fixture
def own_postgres_database(app, postgres):
    """A database for the servers beside the test database, made once, emptied each run.

    Kept rather than dropped: DROP DATABASE waits for a checkpoint, which on a busy
    machine takes longer than the test. Commits do not wait for the disk there: what
    is tested is who gets which place, not durability.
    """
    base = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    name = f"{base.database}_servers"
    _create_database_if_missing(base, name)
    url = base.set(database=name).render_as_string(hide_password=False)
    _reset_postgres(url)
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    engine.dispose()
    return url


@pytest.fixture
def served_app(own_postgres_database):
    """The app on that database, migrated, with its context pushed for the test."""
    from flask_migrate import upgrade

    import config
    from bookings import create_app

    class OwnDatabase(config.TestConfig):
        SQLALCHEMY_DATABASE_URI = own_postgres_database

    served = create_app(OwnDatabase)
    with served.app_context():
        upgrade()
        yield served
        db.session.remove()
        db.engine.dispose()


def kinds_and_recipients() -> list[tuple[str, str]]:
    rows = db.session.execute(select(OutboxMessage.kind, OutboxMessage.recipient)).all()
    db.session.rollback()
    return [tuple(row) for row in rows]


def _limit_keys(prefix: str):
    import redis

    client = redis.Redis(*REDIS, db=REDIS_DB)
    return client, [key for key in client.scan_iter(match=f"*{prefix}*")]


@pytest.mark.postgres
def test_two_servers_and_two_senders_take_100_concurrent_bookings(
    redis_server, served_app, tmp_path
):
    # The data, through the app on the servers' database (the test's context is pushed).
    session_id = make_session(capacity=CAPACITY).id
    # A real password check at sign-in, but a quick one: 100 scrypt checks at once
    # would only measure the machine.
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:5000")
    learners = make_learners(LEARNERS, password_hash=password_hash)
    emails = [learner.email for learner in learners]
    db.session.query(OutboxMessage).delete()  # whatever setting up queued
    db.session.commit()

    prefix = f"several-servers-{uuid.uuid4().hex}"
    database_url = served_app.config["SQLALCHEMY_DATABASE_URI"]
    collector = Collector()
    with ExitStack() as stack:
        smtp = SmtpServer(collector).start()
        stack.callback(smtp.stop)
        env = base_env(database_url, smtp.port, tmp_path / "instance")
        env.update(
            APP_ENV="production",
            SESSION_COOKIE_SECURE="0",  # plain HTTP on loopback
            REQUIRE_2FA_ROLES="",
            OUTBOX_SEND_IN_PROCESS="0",  # the two senders below deliver
            WEB_CONCURRENCY="1",  # one process per server, each with threads enough
            GUNICORN_THREADS="8",
            RATELIMIT_STORAGE_URI=f"redis://{REDIS[0]}:{REDIS[1]}/{REDIS_DB}",
            RATELIMIT_KEY_PREFIX=prefix,
            PROXY_COUNT="1",  # each visitor's own address, as behind a load balancer
        )
        fleet = Fleet()
        stack.callback(fleet.stop)
        ports = [free_port(), free_port()]
        servers = [
            fleet.gunicorn(f"server{i}", port, env, tmp_path) for i, port in enumerate(ports)
        ]
        send = [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "send", "--loop"]
        senders = [fleet.start(f"sender{i}", send, env, tmp_path) for i in range(2)]
        for server, port in zip(servers, ports, strict=True):
            wait_until_serving(server, port)
        bases = [f"http://127.0.0.1:{port}" for port in ports]

        # 100 learners, half on each server, each from an address of their own.
        browsers = [
            Browser(bases[n % 2], f"10.20.{n // 200}.{n % 200 + 1}") for n in range(LEARNERS)
        ]
        statuses = in_threads(
            lambda b, email: b.sign_in(email, PASSWORD), list(zip(browsers, emails, strict=True))
        )
        assert statuses == [302] * LEARNERS

        # Then all book at once.
        barrier = threading.Barrier(LEARNERS)
        path = f"/sessions/{session_id}/book"

        def book(browser: Browser) -> tuple[int, str]:
            status, page, _ = browser.request(path)
            assert status == 200, page[-500:]
            token = CSRF_RE.search(page).group(1)
            barrier.wait(timeout=60)
            status, _, location = browser.request(path, {**BOOKING_FORM, "csrf_token": token})
            return status, location

        outcomes = in_threads(book, [(browser,) for browser in browsers])
        assert [status for status, _ in outcomes] == [302] * LEARNERS
        assert all("/bookings/" in location for _, location in outcomes)

        db.session.expire_all()
        bookings = list(db.session.scalars(select(Booking).where(Booking.session_id == session_id)))
        assert len(bookings) == LEARNERS
        assert sum(b.status == "confirmed" for b in bookings) == CAPACITY
        waiting = sorted(b.waiting_position for b in bookings if b.status == "waitlisted")
        assert waiting == list(range(1, LEARNERS - CAPACITY + 1))
        db.session.rollback()

        # Every email, to aiosmtpd, once.
        rows = wait_for_the_outbox(collector, senders)
        assert_each_delivered_once(collector, rows)
        kinds = Counter(kind for kind, recipient in kinds_and_recipients() if recipient in emails)
        assert kinds["booking_confirmed"] == CAPACITY
        assert kinds["waitlisted"] == LEARNERS - CAPACITY

        # Sign-in limits are shared: 6 wrong passwords on one server, 4 on the other,
        # then the 11th is refused on both.
        one, other = Browser(bases[0], "198.51.100.7"), Browser(bases[1], "198.51.100.7")
        wrong = [one.sign_in("nobody@example.org", "not the password") for _ in range(6)]
        wrong += [other.sign_in("nobody@example.org", "not the password") for _ in range(4)]
        assert wrong == [400] * 10
        assert other.sign_in("nobody@example.org", "not the password") == 429
        assert one.sign_in("nobody@example.org", "not the password") == 429
        # Someone else is still let in to try.
        assert Browser(bases[1], "203.0.113.9").sign_in("nobody@example.org", "x" * 12) == 400

        for process in [*servers, *senders]:
            process.check_alive()

    client, keys = _limit_keys(prefix)
    assert keys, "the limits were not counted in Redis"
    client.delete(*keys)
    client.close()
    for server in servers:
        assert server.popen.returncode == 0, server.output()[-2000:]


# gunicorn's workers each run the in-process sender --------------------------------------------


MESSAGES = 24


def test_each_gunicorn_worker_starts_its_own_sender_and_each_email_goes_once(app, tmp_path):
    user = make_user()
    email = messages.password_reset(user, "http://localhost/auth/reset/token")
    for _ in range(MESSAGES):
        outbox.enqueue(email)
    db.session.commit()

    collector = Collector()
    with ExitStack() as stack:
        smtp = SmtpServer(collector).start()
        stack.callback(smtp.stop)
        env = base_env(app.config["SQLALCHEMY_DATABASE_URI"], smtp.port, tmp_path / "instance")
        env.update(APP_ENV="development", OUTBOX_SEND_IN_PROCESS="1", WEB_CONCURRENCY="2")
        env["OUTBOX_BATCH_SIZE"] = "2"  # many small claims, so the workers compete
        fleet = Fleet()
        stack.callback(fleet.stop)
        server = fleet.gunicorn("server", free_port(), env, tmp_path)
        # No request is made: the workers start sending as soon as they have booted.
        rows = wait_for_the_outbox(collector, [server])
        assert len(rows) == MESSAGES
        assert_each_delivered_once(collector, rows)
        server.check_alive()
    output = server.output()
    master = re.search(r"Listening at: \S+ \((\d+)\)", output).group(1)
    started = set(re.findall(r"Outbox sender started in worker (\d+)", output))
    assert len(started) == 2 and master not in started, output[-3000:]
    assert server.popen.returncode == 0, output[-3000:]
