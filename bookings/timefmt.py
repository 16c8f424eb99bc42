"""Times in Europe/London and money in pounds, written the UK way (Babel)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_currency
from flask import current_app, has_app_context

LOCALE = "en_GB"
# Parsed once: Babel parses a locale name again on every call otherwise.
_LOCALE = Locale.parse(LOCALE)
# Pages show the same few dates, times and prices many times over; each is formatted
# by Babel once per process. The results depend only on the arguments (the zone is
# one of them), so a cached answer is always the one Babel would give.
_CACHE_SIZE = 4096
DAY = "EEE d MMM y"
LONG_DAY = "EEEE d MMMM y"


def local_zone() -> ZoneInfo:
    name = current_app.config["TIMEZONE"] if has_app_context() else "Europe/London"
    return ZoneInfo(name)


def to_local(instant: datetime) -> datetime:
    """An aware instant in the organisation's time zone."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(local_zone())


def from_local(value: datetime) -> datetime:
    """A wall-clock time in the organisation's zone (or aware) as an aware UTC instant."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=local_zone())
    return value.astimezone(UTC)


def _local_date(instant: datetime | date, zone: ZoneInfo) -> date:
    if isinstance(instant, datetime):
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=UTC)
        return instant.astimezone(zone).date()
    return instant


@lru_cache(maxsize=_CACHE_SIZE)
def _format_day(value: date, pattern: str) -> str:
    return format_date(value, pattern, locale=_LOCALE)


def day(instant: datetime | date) -> str:
    """'Thu 5 Oct 2017'."""
    return _format_day(_local_date(instant, local_zone()), DAY)


def long_day(instant: datetime | date) -> str:
    """'Thursday 5 October 2017'."""
    return _format_day(_local_date(instant, local_zone()), LONG_DAY)


@lru_cache(maxsize=_CACHE_SIZE)
def _clock(instant: datetime, zone: ZoneInfo) -> str:
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return format_time(instant.astimezone(zone), "HH:mm", locale=_LOCALE)


def clock(instant: datetime) -> str:
    """'10:00'."""
    return _clock(instant, local_zone())


@lru_cache(maxsize=_CACHE_SIZE)
def _when(starts_at: datetime, ends_at: datetime | None, zone: ZoneInfo) -> str:
    starts_on = _local_date(starts_at, zone)
    text = f"{_format_day(starts_on, DAY)}, {_clock(starts_at, zone)}"
    if ends_at is None:
        return text
    ends_on = _local_date(ends_at, zone)
    if ends_on != starts_on:
        return f"{text} to {_format_day(ends_on, DAY)}, {_clock(ends_at, zone)}"
    return f"{text} to {_clock(ends_at, zone)}"


def when(starts_at: datetime, ends_at: datetime | None = None) -> str:
    """'Thu 5 Oct 2017, 10:00 to 13:00' (the end date is given when it differs)."""
    return _when(starts_at, ends_at, local_zone())


@lru_cache(maxsize=_CACHE_SIZE)
def money(pence: int | None) -> str:
    """'£45.00', or 'Free' for nothing."""
    if not pence:
        return "Free"
    return format_currency(pence / 100, "GBP", locale=_LOCALE)


def pounds(pence: int) -> str:
    """'45.00': pence as a plain decimal for forms and CSV."""
    return f"{pence // 100}.{pence % 100:02d}"


def month_label(year: int, month: int) -> str:
    """'October 2017'."""
    return format_date(date(year, month, 1), "MMMM y", locale=_LOCALE)


def register_filters(app) -> None:
    app.jinja_env.filters.update(
        day=day,
        long_day=long_day,
        clock=clock,
        money=money,
        pounds=pounds,
        amount=amount,
        local=to_local,
    )
    app.jinja_env.globals.update(when=when, month_label=month_label)


def amount(pence: int) -> str:
    """'£65.00' for any amount, nothing ('£0.00') and credits ('-£65.00') included: for
    invoices and credit notes, which never say 'Free'."""
    return format_currency(Decimal(pence) / 100, "GBP", locale=_LOCALE)


def decimal_pounds(pence: int) -> str:
    """'65.00', '-65.50': pence as a plain decimal for accounting files."""
    sign = "-" if pence < 0 else ""
    return sign + pounds(abs(pence))
