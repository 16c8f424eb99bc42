"""Read-only questions about brochures: the uploads, and what a generated one shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..enums import SECTOR_LABELS, SECTORS
from ..extensions import db
from ..models import Brochure, BrochureIntroduction, Course, Session, utcnow


def current_upload(sector: str) -> Brochure | None:
    """The newest upload for the sector that staff have not withdrawn."""
    return db.session.scalar(
        select(Brochure)
        .where(Brochure.sector == sector, Brochure.withdrawn.is_(False))
        .order_by(Brochure.uploaded_at.desc(), Brochure.id.desc())
        .limit(1)
    )


def uploads(sector: str | None = None) -> list[Brochure]:
    """Every upload, newest first."""
    query = select(Brochure).order_by(Brochure.uploaded_at.desc(), Brochure.id.desc())
    if sector:
        query = query.where(Brochure.sector == sector)
    return db.session.scalars(query).all()


def catalogue_changes() -> tuple:
    """(latest course edit, courses, latest session edit, sessions): any change to the
    catalogue changes at least one of them."""
    course_stats = db.session.execute(
        select(func.max(Course.updated_at), func.count(Course.id))
    ).one()
    session_stats = db.session.execute(
        select(func.max(Session.updated_at), func.count(Session.id))
    ).one()
    return (*course_stats, *session_stats)


@dataclass
class BrochureCourse:
    course: Course
    sessions: list[Session]


def brochure_courses(now: datetime | None = None) -> list[BrochureCourse]:
    """Published courses with their upcoming scheduled sessions, by category and title."""
    now = now or utcnow()
    courses = db.session.scalars(
        select(Course)
        .where(Course.published.is_(True))
        .order_by(Course.category, Course.title)
        .options(selectinload(Course.sessions))
    ).all()
    return [
        BrochureCourse(
            course,
            [s for s in course.sessions if s.is_scheduled and s.starts_at > now],
        )
        for course in courses
    ]


@dataclass
class BrochureInfo:
    sector: str
    label: str
    upload: Brochure | None
    updated_at: datetime | None


def brochure_infos() -> list[BrochureInfo]:
    """What /brochures lists: each sector, and when its brochure last changed."""
    infos = []
    for sector in SECTORS:
        upload = current_upload(sector)
        if upload:
            updated = upload.uploaded_at
        else:
            updated = db.session.scalar(
                select(func.max(Course.updated_at)).where(Course.published.is_(True))
            )
            latest_session = db.session.scalar(select(func.max(Session.updated_at)))
            if latest_session and (updated is None or latest_session > updated):
                updated = latest_session
        infos.append(BrochureInfo(sector, SECTOR_LABELS[sector], upload, updated))
    return infos


def introduction(sector: str) -> str | None:
    """The introduction staff wrote for the sector's brochure, or None for the standard one."""
    text = db.session.scalar(
        select(BrochureIntroduction.text).where(BrochureIntroduction.sector == sector)
    )
    return text or None
