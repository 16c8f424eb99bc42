"""Trainer tools: who may see a session, the register, attendee lists, attendance."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from .. import timefmt
from ..audit import service as audit
from ..certificates import service as certificates
from ..enums import SECTOR_LABELS, AuditAction
from ..errors import NotYourSession, RegisterNotOpen
from ..extensions import db
from ..models import Session, User, utcnow
from ..pdf import Document
from ..spreadsheet import csv_text
from .queries import attendees, waiting_list


def check_delivers(user: User, session: Session) -> None:
    """Raise NotYourSession unless user delivers the session; staff may see every one."""
    if not user.is_staff and session.trainer_id != user.id:
        raise NotYourSession("This session is delivered by another trainer.")


def register_open(session: Session, user: User, now: datetime | None = None) -> bool:
    """Trainers take the register from the start of the session; staff at any time."""
    return user.is_staff or (now or utcnow()) >= session.starts_at


def mark_attendance(
    session: Session, marks: dict[int, str], by: User, now: datetime | None = None
) -> int:
    """Record an outcome (attended, absent, late cancellation) for confirmed bookings;
    returns how many changed. A learner no longer marked attended loses their
    certificate (it is withdrawn)."""
    if not register_open(session, by, now):
        raise RegisterNotOpen(
            "You can take the register from the start of the session, "
            f"{timefmt.when(session.starts_at)}."
        )
    changed = []
    for booking in attendees(session):
        if booking.id in marks and booking.record_outcome(marks[booking.id]):
            certificates.attendance_changed(booking, now)
            changed.append(
                f"{booking.learner.name} ({booking.reference}): {booking.outcome_label.lower()}"
            )
    db.session.flush()
    if changed:
        audit.record(
            AuditAction.ATTENDANCE_MARKED, by=by, subject=session, summary="; ".join(changed) + "."
        )
    return len(changed)


CSV_HEADER = [
    "Name",
    "Email",
    "Organisation",
    "Sector",
    "Access needs",
    "Dietary needs",
    "Booking reference",
    "Status",
    "Attendance",
]


def attendees_csv(session: Session, by: User | None = None) -> str:
    """Attendees then the waiting list, as CSV text for Excel; the download is recorded."""
    rows = [(b, "Confirmed") for b in attendees(session)]
    # Numbered in order, as the learners see their place, not by stored position.
    rows += [
        (b, f"Waiting list ({place})") for place, b in enumerate(waiting_list(session), start=1)
    ]
    audit.record(
        AuditAction.DATA_EXPORTED,
        by=by,
        subject=session,
        summary=f"Attendee list (CSV with needs): {len(rows)} learner(s).",
    )
    return csv_text(
        CSV_HEADER,
        (
            [
                booking.learner.name,
                booking.learner.email,
                booking.organisation,
                SECTOR_LABELS.get(booking.sector, booking.sector),
                booking.access_needs,
                booking.dietary_needs,
                booking.reference,
                status,
                booking.outcome_label if status == "Confirmed" else "",
            ]
            for booking, status in rows
        ),
    )


def register_pdf(session: Session, by: User | None = None) -> bytes:
    """A printable sign-in sheet: one row per confirmed learner with space to sign.

    The download is recorded: it lists names and needs."""
    audit.record(
        AuditAction.DATA_EXPORTED,
        by=by,
        subject=session,
        summary=f"Register (PDF with needs): {len(attendees(session))} learner(s).",
    )
    org = current_app.config["ORG_NAME"]
    pdf = Document(f"Register: {session.course.title}", org, orientation="landscape")
    pdf.add_page()
    pdf.heading(f"Sign-in sheet: {session.course.title}")
    pdf.paragraph(timefmt.when(session.starts_at, session.ends_at))
    pdf.paragraph(session.location)
    if session.trainer:
        pdf.paragraph(f"Trainer: {session.trainer.name}")
    pdf.ln(4)
    pdf.set_font(size=10)
    with pdf.table(
        col_widths=(60, 55, 35, 60, 55),
        line_height=5,
        padding=(1.5, 2),
        min_row_height=11,  # room to sign
        text_align="LEFT",
        first_row_as_headings=True,
    ) as table:
        header = table.row()
        for text in ("Name", "Organisation", "Reference", "Needs", "Signature"):
            header.cell(text)
        for booking in attendees(session):
            needs = "; ".join(n for n in (booking.access_needs, booking.dietary_needs) if n)
            row = table.row()
            row.cell(booking.learner.name)
            row.cell(booking.organisation)
            row.cell(booking.reference)
            row.cell(needs)
            row.cell("")
    return pdf.to_bytes()
