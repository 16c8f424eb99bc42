"""Times in Europe/London and money in pounds, written the UK way (Babel)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_currency
from flask import current_app, has_app_context

LOCALE = "en_GB"
# Parsed once: Babel parses a locale name again on every call otherwise.
_LOCALE = Locale.parse(LOCALE)


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


def day(instant: datetime | date) -> str:
    """'Thu 5 Oct 2017'."""
    if isinstance(instant, datetime):
        instant = to_local(instant)
    return format_date(instant, "EEE d MMM y", locale=_LOCALE)


def long_day(instant: datetime | date) -> str:
    """'Thursday 5 October 2017'."""
    if isinstance(instant, datetime):
        instant = to_local(instant)
    return format_date(instant, "EEEE d MMMM y", locale=_LOCALE)


def clock(instant: datetime) -> str:
    """'10:00'."""
    return format_time(to_local(instant), "HH:mm", locale=_LOCALE)


def when(starts_at: datetime, ends_at: datetime | None = None) -> str:
    """'Thu 5 Oct 2017, 10:00 to 13:00' (the end date is given when it differs)."""
    text = f"{day(starts_at)}, {clock(starts_at)}"
    if ends_at is None:
        return text
    if to_local(ends_at).date() != to_local(starts_at).date():
        return f"{text} to {day(ends_at)}, {clock(ends_at)}"
    return f"{text} to {clock(ends_at)}"


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
        local=to_local,
    )
    app.jinja_env.globals.update(when=when, month_label=month_label)
