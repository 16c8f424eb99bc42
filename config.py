"""Configuration: values come from the environment names in SPEC.md.

`instance/config.py`, when present, overrides them. Nothing else in the project
reads os.environ.
"""

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """The SECRET_KEY from the environment, or one generated once and kept in instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        # O_EXCL so two workers starting at once agree on one key.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def _roles(name: str, default: str) -> tuple[str, ...]:
    """A list of roles from the environment: 'staff' or 'staff,trainer' (spaces allowed)."""
    value = os.environ.get(name, default)
    return tuple(role for role in value.replace(",", " ").split() if role)


def normalise_database_url(url: str) -> str:
    """postgres:// and postgresql:// URLs name the psycopg 3 driver SQLAlchemy should use."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{INSTANCE_DIR / 'bookings.sqlite'}"


class Config:
    SECRET_KEY = None  # filled in by load()
    SQLALCHEMY_DATABASE_URI = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # PostgreSQL: the planner's cost of reading a page out of order, set for every
    # connection ("" leaves the server's). The server's default, 4, is for spinning
    # disks; a training programme's database is held in memory or on SSD.
    POSTGRES_RANDOM_PAGE_COST = os.environ.get("POSTGRES_RANDOM_PAGE_COST", "1.1")
    # SQLite: refresh the query planner's statistics this often per process (0: never).
    SQLITE_ANALYZE_SECONDS = int(os.environ.get("SQLITE_ANALYZE_SECONDS", "3600"))
    # Public pages built for a visitor who is not signed in are served again to others
    # for this many seconds by the same process (bookings/pagecache.py); 0: never.
    PUBLIC_PAGE_CACHE_SECONDS = float(os.environ.get("PUBLIC_PAGE_CACHE_SECONDS", "2"))

    ORG_NAME = os.environ.get("ORG_NAME", "Medway Volunteer Network")
    ORG_EMAIL = os.environ.get("ORG_EMAIL", "training@medwayvolunteers.org.uk")
    TIMEZONE = os.environ.get("TIMEZONE", "Europe/London")
    # Absolute links in emails and calendar files.
    SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:5000")

    # Money: shown on invoices and credit notes. Prices are net of VAT; VAT_RATE is a
    # percentage (such as 20 or 17.5), 0 when the organisation is not VAT registered.
    ORG_ADDRESS = os.environ.get("ORG_ADDRESS", "")
    CHARITY_NUMBER = os.environ.get("CHARITY_NUMBER", "")
    VAT_NUMBER = os.environ.get("VAT_NUMBER", "")
    VAT_RATE = os.environ.get("VAT_RATE", "0")
    INVOICE_PREFIX = os.environ.get("INVOICE_PREFIX", "INV")
    CREDIT_NOTE_PREFIX = os.environ.get("CREDIT_NOTE_PREFIX", "CN")
    INVOICE_DUE_DAYS = int(os.environ.get("INVOICE_DUE_DAYS", "30"))
    INVOICE_REMINDER_DAYS = int(os.environ.get("INVOICE_REMINDER_DAYS", "14"))
    # Cancelling within this many days of the start is charged this percentage.
    CANCELLATION_FREE_DAYS = int(os.environ.get("CANCELLATION_FREE_DAYS", "7"))
    CANCELLATION_CHARGE_PERCENT = int(os.environ.get("CANCELLATION_CHARGE_PERCENT", "100"))

    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _flag("MAIL_USE_TLS")
    MAIL_USE_SSL = _flag("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Medway Volunteer Network <training@medwayvolunteers.org.uk>"
    )
    MAIL_DIR = str(INSTANCE_DIR / "mail")
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", "30"))  # seconds per SMTP exchange
    # Deliver the outbox from a background thread inside the web process (make run).
    OUTBOX_SEND_IN_PROCESS = _flag("OUTBOX_SEND_IN_PROCESS")
    # Temporary failures wait BASE * 2^(attempts-1) seconds, at most MAX, before the next
    # try; a message the server keeps deferring fails after MAX_ATTEMPTS.
    OUTBOX_RETRY_BASE_SECONDS = float(os.environ.get("OUTBOX_RETRY_BASE_SECONDS", "30"))
    OUTBOX_RETRY_MAX_SECONDS = float(os.environ.get("OUTBOX_RETRY_MAX_SECONDS", "3600"))
    OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "10"))
    OUTBOX_BATCH_SIZE = int(os.environ.get("OUTBOX_BATCH_SIZE", "20"))
    # A sender holds claimed messages this long; if it dies, another retries them after.
    OUTBOX_LEASE_SECONDS = int(os.environ.get("OUTBOX_LEASE_SECONDS", "300"))
    OUTBOX_POLL_SECONDS = float(os.environ.get("OUTBOX_POLL_SECONDS", "1.5"))

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # Keeps this site's counters apart from other apps sharing that Redis.
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "")
    # How many proxies (nginx, a load balancer) stand in front of the app. Their
    # X-Forwarded-For and X-Forwarded-Proto are then believed, so sign-in limits count
    # each visitor's own address rather than the proxy's. 0: no proxy.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
    RATELIMIT_HEADERS_ENABLED = True

    UPLOAD_DIR = str(INSTANCE_DIR / "uploads")
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024
    BROCHURE_MAX_BYTES = 10 * 1024 * 1024

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PASSWORD_RESET_MAX_AGE = 60 * 60  # seconds

    PER_PAGE = 20
    # Registers a constant-bytes route for benchmarks; never set in production.
    BENCH_ROUTES = False

    # Printed on invoices and in their emails: how to pay (bank details, say).
    INVOICE_PAYMENT_DETAILS = os.environ.get("INVOICE_PAYMENT_DETAILS", "")
    # The Xero export: the sales account each invoice line is coded to.
    XERO_SALES_ACCOUNT = os.environ.get("XERO_SALES_ACCOUNT", "200")
    # Users with these roles must set up two-factor sign-in before they reach their
    # area (/staff, /trainer). Empty here; staff in production.
    REQUIRE_2FA_ROLES = _roles("REQUIRE_2FA_ROLES", "")
    # Feedback: requests go to attended learners of sessions that ended within the last
    # FEEDBACK_LINK_DAYS days, and each emailed link works for that many days; answers
    # can be changed for FEEDBACK_EDIT_DAYS days after they are first given.
    FEEDBACK_LINK_DAYS = int(os.environ.get("FEEDBACK_LINK_DAYS", "30"))
    FEEDBACK_EDIT_DAYS = int(os.environ.get("FEEDBACK_EDIT_DAYS", "7"))
    # Retention (`retention purge`): access and dietary needs are erased this many days
    # after a session ends; sent emails keep their headers but lose their bodies after
    # RETENTION_MAIL_DAYS.
    RETENTION_NEEDS_DAYS = int(os.environ.get("RETENTION_NEEDS_DAYS", "30"))
    RETENTION_MAIL_DAYS = int(os.environ.get("RETENTION_MAIL_DAYS", "90"))
    # The contact form: posts per visitor's network address and per sender's email
    # address (Flask-Limiter syntax), the fewest seconds a person takes to fill it in,
    # how long a served form stays usable, and the most links a message may hold.
    ENQUIRY_RATE_LIMIT = os.environ.get("ENQUIRY_RATE_LIMIT", "10 per hour;30 per day")
    ENQUIRY_SENDER_RATE_LIMIT = os.environ.get("ENQUIRY_SENDER_RATE_LIMIT", "5 per hour")
    ENQUIRY_MIN_SECONDS = 3
    ENQUIRY_MAX_AGE_SECONDS = 24 * 60 * 60
    ENQUIRY_MAX_LINKS = 3
    # "Tell me about new dates" sign-ups, which email the address given.
    INTEREST_RATE_LIMIT = os.environ.get("INTEREST_RATE_LIMIT", "10 per hour")


class DevelopmentConfig(Config):
    DEBUG = False
    OUTBOX_SEND_IN_PROCESS = _flag("OUTBOX_SEND_IN_PROCESS", True)


class TestConfig(Config):
    TESTING = True
    # CSRF stays on: the tests fetch and send the token as a browser would.
    WTF_CSRF_ENABLED = True
    RATELIMIT_ENABLED = False
    # Off, so no test's statement count includes it; tests/test_planner.py turns it on.
    SQLITE_ANALYZE_SECONDS = 0
    # Off, so every request shows the data as the test left it; tests/test_pagecache.py
    # turns it on.
    PUBLIC_PAGE_CACHE_SECONDS = 0
    MAIL_SERVER = None
    SITE_URL = "http://localhost"
    SERVER_NAME = None


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", True)
    REQUIRE_2FA_ROLES = _roles("REQUIRE_2FA_ROLES", "staff")


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def load(name: str | None = None) -> type[Config]:
    """Pick the config class named by name or APP_ENV, with secrets filled in."""
    name = name or os.environ.get("APP_ENV", "development")
    cls = CONFIGS[name]
    cls.SECRET_KEY = _secret_key()
    if name == "test" and os.environ.get("TEST_DATABASE_URL"):
        cls.SQLALCHEMY_DATABASE_URI = normalise_database_url(os.environ["TEST_DATABASE_URL"])
    else:
        cls.SQLALCHEMY_DATABASE_URI = _database_url()
    if os.environ.get("BENCH_ROUTES"):
        cls.BENCH_ROUTES = _flag("BENCH_ROUTES")
    return cls
