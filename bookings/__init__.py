"""Training Bookings: course catalogue and booking service."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from . import extensions
from .extensions import csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent
ERROR_PAGES = {403: "errors/403.html", 404: "errors/404.html", 429: "errors/429.html"}

# Pages load only this site's stylesheet and icon: no scripts, no inline styles, no frames,
# and forms post only back here.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'none'",
        "style-src 'self'",
        "img-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Password reset links carry their token in the path: keep it off other sites. Not
    # no-referrer: over HTTPS, Flask-WTF refuses form posts that lack a same-site Referer.
    "Referrer-Policy": "same-origin",
}


def create_app(config=None) -> Flask:
    """Build the app; config is a config class, a name ('test'), or None for APP_ENV."""
    import config as config_module

    app = Flask(
        __name__,
        instance_path=str(config_module.INSTANCE_DIR),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    if config is None or isinstance(config, str):
        config = config_module.load(config)
    app.config.from_object(config)
    app.config.from_pyfile("config.py", silent=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # Writers wait for each other instead of failing at once.
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
        options.setdefault("connect_args", {"timeout": 30})
        # A file, not a network connection: nothing to ping before each checkout.
        options["pool_pre_ping"] = False
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        _postgres_settings(app)

    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    # Before any route is added: an id in a URL is at most what an INTEGER column holds.
    app.url_map.converters["int"] = DatabaseIdConverter
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    # Not the module-level name: importing the bookings.mail package rebinds it.
    extensions.mail.init_app(app)
    limiter.init_app(app)
    from . import planner

    planner.init_app(app)

    from . import timefmt
    from .markup import register_filters as register_markup

    timefmt.register_filters(app)
    register_markup(app)

    from .accounts.two_factor_views import bp as two_factor_bp
    from .accounts.views import bp as accounts_bp
    from .api.views import bp as api_bp
    from .booking import team_views  # noqa: F401  (adds the team pages to booking_bp)
    from .booking.views import bp as booking_bp
    from .brochures.views import bp as brochures_bp
    from .calendar.views import bp as calendar_bp
    from .catalogue.views import bp as catalogue_bp
    from .certificates.views import bp as certificates_bp
    from .enquiries.views import bp as enquiries_bp
    from .feedback.views import bp as feedback_bp
    from .interest.views import bp as interest_bp
    from .news.views import bp as news_bp
    from .payments.views import bp as payments_bp
    from .policies.views import bp as policies_bp
    from .staff.views import bp as staff_bp
    from .trainer.views import bp as trainer_bp

    for blueprint in (
        catalogue_bp,
        accounts_bp,
        booking_bp,
        calendar_bp,
        trainer_bp,
        staff_bp,
        brochures_bp,
        api_bp,
        payments_bp,
        two_factor_bp,
        feedback_bp,
        certificates_bp,
        news_bp,
        enquiries_bp,
        interest_bp,
        policies_bp,
    ):
        app.register_blueprint(blueprint)
    csrf.exempt(api_bp)

    if app.config.get("BENCH_ROUTES"):
        from .bench_routes import register as register_bench

        register_bench(app)

    from .cli import register as register_cli

    register_cli(app)
    _register_error_pages(app)
    _register_context(app)
    app.after_request(_security_headers)

    @login_manager.user_loader
    def load_user(user_id: str):
        from .models import User

        # "<id>.<password fingerprint>": a changed password signs out every other session.
        number = user_id.partition(".")[0]
        user = db.session.get(User, int(number)) if number.isascii() and number.isdigit() else None
        return user if user is not None and user.matches_session_id(user_id) else None

    if app.config.get("OUTBOX_SEND_IN_PROCESS") and not app.testing:
        from .mail.outbox.worker import start_background_sender

        start_background_sender(app)

    return app


def _postgres_settings(app: Flask) -> None:
    """Settings every PostgreSQL connection starts with, as libpq startup options.

    random_page_cost: with the server's default (4, for spinning disks) the planner
    reads a whole table rather than look up a few hundred rows by index, e.g. the
    bookings of the learners a staff search found: 80 ms instead of 9 at 100,000
    bookings. Leave it to the server with POSTGRES_RANDOM_PAGE_COST="" (behind a
    pooler that refuses startup options, say)."""
    cost = str(app.config.get("POSTGRES_RANDOM_PAGE_COST") or "").strip()
    if not cost:
        return
    try:
        value = float(cost)
    except ValueError:
        raise ValueError(f"POSTGRES_RANDOM_PAGE_COST must be a number, not {cost!r}") from None
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
    connect_args = dict(options.get("connect_args", {}))
    # Options in the URL would be replaced by connect_args': keep them.
    given = connect_args.get("options") or make_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    ).query.get("options", "")
    connect_args["options"] = f"{given} -c random_page_cost={value:g}".strip()
    options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


class DatabaseIdConverter(IntegerConverter):
    """<int:...> in URLs: larger numbers match no route (404) instead of overflowing SQLite."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Foreign keys on and WAL for every SQLite connection."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


@event.listens_for(Engine, "savepoint")
def _sqlite_savepoint_in_a_writing_transaction(conn, name):
    """On SQLite, a SAVEPOINT outside a transaction starts one with BEGIN IMMEDIATE.

    pysqlite begins a transaction only before INSERT, UPDATE or DELETE, so a SAVEPOINT
    (Session.begin_nested) can be the first statement; SQLite then opens a deferred
    transaction, and its first write inside it must take the write lock from there.
    When the write fires a trigger on an FTS5 table (the search indexes), FTS5 has read
    the database first, and a transaction that has read cannot wait for the write lock:
    it fails at once with "database is locked" while another request writes. BEGIN
    IMMEDIATE waits for the lock (the connection's timeout) before anything is read,
    and the savepoint's RELEASE no longer commits by itself: the session does.
    """
    import sqlite3

    dbapi_connection = conn.connection.dbapi_connection
    if isinstance(dbapi_connection, sqlite3.Connection) and not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN IMMEDIATE")


def _register_error_pages(app: Flask) -> None:
    def wants_json() -> bool:
        return request.path.startswith("/api/")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if wants_json():
            return {"error": exc.name, "message": exc.description}, exc.code
        if isinstance(exc, CSRFError):
            template = "errors/form_expired.html"
        else:
            template = ERROR_PAGES.get(exc.code, "errors/error.html")
        return render_template(template, error=exc), exc.code

    @app.errorhandler(Exception)
    def server_error(exc: Exception):
        logging.getLogger(__name__).exception("Unhandled error on %s", request.path)
        db.session.rollback()
        if wants_json():
            return {"error": "Internal Server Error", "message": "Something went wrong."}, 500
        return render_template("errors/500.html"), 500


def _security_headers(response):
    """Headers every answer carries, error pages and files included."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    # Browsers show PDFs in a built-in viewer that a policy meant for pages can break.
    if response.mimetype != "application/pdf":
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    return response


def _register_context(app: Flask) -> None:
    from .enums import SECTOR_LABELS

    @app.context_processor
    def site():
        return {
            "org_name": app.config["ORG_NAME"],
            "sector_labels": SECTOR_LABELS,
        }
