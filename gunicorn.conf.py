"""gunicorn's settings for `make run` and production: `gunicorn -c gunicorn.conf.py`.

Each worker process builds its own app after the fork (no preload), so no database
connection or thread is shared across processes. With OUTBOX_SEND_IN_PROCESS on (the
default in development), each worker starts its own outbox sender once it has booted;
claiming is safe across processes, so every message still goes out once. Any setting
here can be overridden on the command line or in GUNICORN_CMD_ARGS.
"""

import os

wsgi_app = "wsgi:app"
bind = f"127.0.0.1:{os.environ.get('PORT') or '5000'}"
# Processes, each with a few threads: SQLite and PostgreSQL calls release the GIL.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2)
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
# A request silent for longer than timeout has its worker restarted; a worker asked to
# stop gets graceful_timeout to finish what it is serving. Exports stream, so they
# keep their worker busy but never silent.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
graceful_timeout = 30
# No keep-alive: each request comes on its own connection, so whichever worker is free
# takes it. A threaded worker keeps every connection it accepts, and a client (or a
# proxy's pool) that opens several at once often has them all taken by the first worker
# awake: that worker then serves them on one core while the others idle. Measured with
# wrk (16 connections, 2 workers), a page ran at half its rate in about one run in four
# with keep-alive; without it, every run alike. Clients keep their connections to the
# proxy in front (TLS ends there); it is the proxy's hop to gunicorn that reconnects.
keepalive = 0
# Recycle workers now and then so slow growth in memory never adds up: rarely, because a
# new worker spends a second or two of CPU loading the app, starts with cold caches, and
# takes no kept-alive connections from the others (so one worker serves them all until
# they reconnect). At 5,000 a busy server restarted a worker every few seconds.
max_requests = 100_000
max_requests_jitter = 10_000
preload_app = False
# No control socket (gunicornc): its one default path would be shared by every gunicorn
# of this user, so two servers on one machine would take it from each other.
control_socket_disable = True
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms'


def post_worker_init(worker):
    """The worker has loaded the app after the fork: start its outbox sender now."""
    from bookings.mail.outbox.worker import start_sender_in_worker

    if start_sender_in_worker(worker.wsgi):
        worker.log.info("Outbox sender started in worker %s", worker.pid)


def worker_exit(server, worker):
    """Let the sender finish the message in hand before the worker goes."""
    from bookings.mail.outbox.worker import stop_background_sender

    stop_background_sender(timeout=graceful_timeout / 2)
