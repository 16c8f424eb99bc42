"""The staff inbox's reads: enquiries by status, searched, and the courses to ask about."""

from __future__ import annotations

from sqlalchemy import Select, func, or_, select

from .. import substring
from ..enums import EnquiryStatus
from ..extensions import db
from ..models import Course, Enquiry

INBOX_ORDER = (Enquiry.created_at.desc(), Enquiry.id.desc())


def courses_to_ask_about() -> list[Course]:
    return list(db.session.scalars(select(Course).where(Course.published).order_by(Course.title)))


def course_id_for(slug: str | None) -> int:
    """The id of the published course with this slug, or 0."""
    if not slug:
        return 0
    found = db.session.scalar(select(Course.id).where(Course.slug == slug, Course.published))
    return found or 0


def _matching(search: str):
    if not search.strip():
        return None
    like = substring.like_pattern(search)
    return or_(
        *(
            substring.contains(column, like)
            for column in (Enquiry.name, Enquiry.email, Enquiry.subject, Enquiry.message)
        )
    )


def inbox_query(status: str, search: str = "") -> Select:
    """Enquiries of one status, newest first, optionally matching search."""
    query = select(Enquiry).where(Enquiry.status == status).order_by(*INBOX_ORDER)
    matching = _matching(search)
    return query if matching is None else query.where(matching)


def inbox_counts(search: str = "") -> dict[str, int]:
    """How many enquiries of each status (matching search)."""
    query = select(Enquiry.status, func.count()).group_by(Enquiry.status)
    matching = _matching(search)
    if matching is not None:
        query = query.where(matching)
    counts = {status.value: 0 for status in EnquiryStatus}
    counts.update({status: count for status, count in db.session.execute(query)})
    return counts


def new_count() -> int:
    return db.session.scalar(
        select(func.count()).select_from(Enquiry).where(Enquiry.status == EnquiryStatus.NEW)
    )
