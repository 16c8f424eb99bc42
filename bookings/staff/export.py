"""The bookings export: one CSV row a booking, for sessions in a range of dates."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import timefmt
from ..audit import service as audit
from ..enums import SECTOR_LABELS, AuditAction
from ..extensions import db
from ..models import Booking, Session, User
from ..spreadsheet import csv_text

EXPORT_HEADER = [
    "Reference",
    "Status",
    "Course",
    "Session start",
    "Learner name",
    "Learner email",
    "Organisation",
    "Sector",
    "Price (GBP)",
    "Access needs",
    "Dietary needs",
    "Attended",
    "Booked at",
]


def _local_iso(instant: datetime | None) -> str:
    return timefmt.to_local(instant).isoformat(timespec="seconds") if instant else ""


def export_bookings_csv(
    date_from: date, date_to: date, course_id: int = 0, by: User | None = None
) -> str:
    """Bookings for sessions starting on date_from to date_to (London dates) as CSV with a BOM.

    The export is recorded in the audit trail: it holds names, addresses and needs.
    """
    start = timefmt.from_local(datetime.combine(date_from, time.min))
    end = timefmt.from_local(datetime.combine(date_to + timedelta(days=1), time.min))
    query = (
        select(Booking)
        .join(Booking.session)
        .options(
            selectinload(Booking.learner),
            selectinload(Booking.session).selectinload(Session.course),
        )
        .where(Session.starts_at >= start, Session.starts_at < end)
        .order_by(Session.starts_at, Booking.id)
    )
    if course_id:
        query = query.where(Session.course_id == course_id)
    bookings = db.session.scalars(query).all()
    scope = f"sessions from {date_from.isoformat()} to {date_to.isoformat()}"
    if course_id:
        scope += f", course {course_id}"
    audit.record(
        AuditAction.DATA_EXPORTED,
        by=by,
        subject=("export", "Bookings CSV"),
        summary=f"Bookings CSV: {len(bookings)} booking(s), {scope}.",
    )
    return csv_text(
        EXPORT_HEADER,
        (
            [
                booking.reference,
                booking.status,
                booking.session.course.title,
                _local_iso(booking.session.starts_at),
                booking.learner.name,
                booking.learner.email,
                booking.organisation,
                SECTOR_LABELS.get(booking.sector, booking.sector),
                timefmt.pounds(booking.price_pence),
                booking.access_needs,
                booking.dietary_needs,
                {True: "yes", False: "no"}.get(booking.attended, ""),
                _local_iso(booking.created_at),
            ]
            for booking in bookings
        ),
    )
