"""Personal data kept no longer than needed: what `retention purge` erases, and when.

Each kind of data past its keeping time is picked by one condition, used both to
count it (a dry run) and to erase it (a real run), so a real run erases exactly what
a dry run just before it reported. Once erased, a row no longer matches: a second
run finds nothing. The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, and_, delete, func, not_, or_, select, update

from .enums import BookingStatus, EnquiryStatus, OutboxStatus
from .extensions import db
from .models import Booking, CourseInterest, Enquiry, OutboxMessage, Session, User, utcnow

SPAM_KEPT_DAYS = 30
UNCONFIRMED_INTEREST_DAYS = 7

# What a booking holds about its learner beyond their account: their needs, their
# organisation and whom to invoice.
BOOKING_DETAILS = (
    "access_needs",
    "dietary_needs",
    "organisation",
    "invoice_email",
    "invoice_organisation",
    "invoice_address",
    "po_number",
)


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    model: type
    erase: dict | None  # the values an update sets; None deletes the rows


def _over(instant: datetime, days: int) -> datetime:
    return instant - timedelta(days=days)


def _closed_account_bookings(now: datetime) -> ColumnElement[bool]:
    """Bookings still holding details, of accounts that are closed (erased or
    deactivated), once the booking is over: cancelled, or its session has ended."""
    return and_(
        Booking.learner_id.in_(select(User.id).where(User.active.is_(False))),
        or_(
            Booking.status == BookingStatus.CANCELLED,
            Booking.session_id.in_(select(Session.id).where(Session.ends_at <= now)),
        ),
        or_(*(getattr(Booking, name) != "" for name in BOOKING_DETAILS)),
    )


def _expired_needs(now: datetime) -> ColumnElement[bool]:
    """Needs kept past RETENTION_NEEDS_DAYS after the session ended (those of closed
    accounts go with the rest of their details, and are counted there)."""
    ended_by = _over(now, current_app.config["RETENTION_NEEDS_DAYS"])
    return and_(
        Booking.session_id.in_(select(Session.id).where(Session.ends_at <= ended_by)),
        or_(Booking.access_needs != "", Booking.dietary_needs != ""),
        not_(_closed_account_bookings(now)),
    )


def _old_email_bodies(now: datetime) -> ColumnElement[bool]:
    sent_by = _over(now, current_app.config["RETENTION_MAIL_DAYS"])
    return and_(
        OutboxMessage.status == OutboxStatus.SENT,
        OutboxMessage.sent_at <= sent_by,
        or_(
            OutboxMessage.body_text != "",
            OutboxMessage.body_html != "",
            OutboxMessage.ics.is_not(None),
        ),
    )


def _old_spam(now: datetime) -> ColumnElement[bool]:
    return and_(
        Enquiry.status == EnquiryStatus.SPAM, Enquiry.created_at <= _over(now, SPAM_KEPT_DAYS)
    )


def _unconfirmed_interest(now: datetime) -> ColumnElement[bool]:
    return and_(
        CourseInterest.confirmed_at.is_(None),
        CourseInterest.created_at <= _over(now, UNCONFIRMED_INTEREST_DAYS),
    )


KINDS = (
    (
        Kind(
            "closed_accounts",
            "Bookings of closed accounts anonymised",
            Booking,
            dict.fromkeys(BOOKING_DETAILS, ""),
        ),
        _closed_account_bookings,
    ),
    (
        Kind(
            "needs",
            "Bookings whose access and dietary needs were erased",
            Booking,
            {"access_needs": "", "dietary_needs": ""},
        ),
        _expired_needs,
    ),
    (
        Kind(
            "email_bodies",
            "Sent emails whose bodies were deleted (headers kept)",
            OutboxMessage,
            {"body_text": "", "body_html": "", "ics": None},
        ),
        _old_email_bodies,
    ),
    (Kind("spam", "Spam enquiries deleted", Enquiry, None), _old_spam),
    (
        Kind("interest", "Unconfirmed sign-ups for new dates deleted", CourseInterest, None),
        _unconfirmed_interest,
    ),
)


def purge(*, dry_run: bool = False, now: datetime | None = None) -> list[tuple[Kind, int]]:
    """Erase (or, with dry_run, only count) each kind of data past its keeping time."""
    now = now or utcnow()
    # The kinds never overlap (needs leave out closed accounts' bookings, which the
    # first kind empties), so counting each alone gives what erasing them in turn does.
    conditions = [(kind, condition(now)) for kind, condition in KINDS]
    if dry_run:
        return [
            (kind, db.session.scalar(select(func.count()).select_from(kind.model).where(where)))
            for kind, where in conditions
        ]
    counts = []
    for kind, where in conditions:
        if kind.erase is None:
            statement = delete(kind.model).where(where)
        else:
            statement = update(kind.model).where(where).values(**kind.erase)
        result = db.session.execute(statement.execution_options(synchronize_session=False))
        counts.append((kind, result.rowcount))
    return counts
