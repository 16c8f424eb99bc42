"""The bookings export: one CSV row a booking, for sessions in a range of dates.

The file is written as it streams, from rows read in batches (see batches.py), so
exporting every booking ever made takes no more memory than exporting a week's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, func, select

from .. import timefmt
from ..audit import service as audit
from ..batches import in_batches
from ..enums import SECTOR_LABELS, AuditAction
from ..extensions import db
from ..models import Booking, Course, Session, User
from ..spreadsheet import csv_chunks

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


@dataclass(frozen=True)
class BookingsExport:
    """What an export covers: sessions starting date_from to date_to (London dates,
    inclusive), of one course or (course_id 0) every course; with up_to_id, only the
    bookings that existed when it was counted (see counted_now)."""

    date_from: date
    date_to: date
    course_id: int = 0
    up_to_id: int | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        start = timefmt.from_local(datetime.combine(self.date_from, time.min))
        end = timefmt.from_local(datetime.combine(self.date_to + timedelta(days=1), time.min))
        conditions = [Session.starts_at >= start, Session.starts_at < end]
        if self.course_id:
            conditions.append(Session.course_id == self.course_id)
        if self.up_to_id is not None:
            conditions.append(Booking.id <= self.up_to_id)
        return conditions

    @property
    def filename(self) -> str:
        return f"bookings-{self.date_from.isoformat()}-to-{self.date_to.isoformat()}.csv"

    @property
    def scope(self) -> str:
        scope = f"sessions from {self.date_from.isoformat()} to {self.date_to.isoformat()}"
        return scope + (f", course {self.course_id}" if self.course_id else "")


def count_bookings(export: BookingsExport) -> int:
    """How many rows the export will have: one COUNT with the export's own filters."""
    return db.session.scalar(
        select(func.count(Booking.id)).join(Booking.session).where(*export.conditions())
    )


def counted_now(export: BookingsExport) -> tuple[BookingsExport, int]:
    """The export held to the bookings there are now, and how many rows it has (one
    statement): the file then has exactly the rows the audit trail records, even if
    bookings are made while it streams."""
    count, last_id = db.session.execute(
        select(func.count(Booking.id), func.max(Booking.id))
        .join(Booking.session)
        .where(*export.conditions())
    ).one()
    return replace(export, up_to_id=last_id or 0), count


def _local_iso(instant: datetime | None) -> str:
    return timefmt.to_local(instant).isoformat(timespec="seconds") if instant else ""


def _rows(export: BookingsExport) -> Iterator[list[object]]:
    """The export's rows in session and booking order, read a batch at a time: plain
    columns, not models, so nothing piles up in the session's identity map."""
    query = (
        select(
            Booking.reference,
            Booking.status,
            Course.title,
            Session.starts_at,
            User.name,
            User.email,
            Booking.organisation,
            Booking.sector,
            Booking.price_pence,
            Booking.access_needs,
            Booking.dietary_needs,
            Booking.attended,
            Booking.created_at,
        )
        .join(Session, Session.id == Booking.session_id)
        .join(Course, Course.id == Session.course_id)
        .join(User, User.id == Booking.learner_id)
        .where(*export.conditions())
        .order_by(Session.starts_at, Booking.id)
    )
    last_start, start_text = None, ""
    for (
        reference,
        status,
        title,
        starts_at,
        name,
        email,
        organisation,
        sector,
        price_pence,
        access_needs,
        dietary_needs,
        attended,
        created_at,
    ) in in_batches(query):
        # A session's start repeats on each of its bookings: converted once.
        if starts_at != last_start:
            last_start, start_text = starts_at, _local_iso(starts_at)
        yield [
            reference,
            status,
            title,
            start_text,
            name,
            email,
            organisation,
            SECTOR_LABELS.get(sector, sector),
            timefmt.pounds(price_pence),
            access_needs,
            dietary_needs,
            {True: "yes", False: "no"}.get(attended, ""),
            _local_iso(created_at),
        ]


def record_export(export: BookingsExport, count: int, by: User | None) -> None:
    """The export is recorded in the audit trail: it holds names, addresses and needs."""
    audit.record(
        AuditAction.DATA_EXPORTED,
        by=by,
        subject=("export", "Bookings CSV"),
        summary=f"Bookings CSV: {count} booking(s), {export.scope}.",
    )


def bookings_csv(export: BookingsExport) -> Iterator[str]:
    """The export as CSV with a BOM, a chunk of rows at a time, written as it is read."""
    return csv_chunks(EXPORT_HEADER, _rows(export))
