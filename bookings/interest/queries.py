"""Who is waiting for new dates, course by course."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select

from ..batches import in_batches
from ..extensions import db
from ..models import Course, CourseInterest, User


def interest_in(course_id: int, email: str) -> CourseInterest | None:
    return db.session.scalar(
        select(CourseInterest).where(
            CourseInterest.course_id == course_id, CourseInterest.email == email
        )
    )


def by_token(token: str) -> CourseInterest | None:
    return db.session.scalar(select(CourseInterest).where(CourseInterest.token == token))


def signed_up(course: Course, user) -> CourseInterest | None:
    """The signed-in user's confirmed sign-up for the course, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    found = interest_in(course.id, user.email.lower())
    return found if found is not None and found.is_confirmed else None


def confirmed_for(course_ids: Iterable[int]) -> list[CourseInterest]:
    """Confirmed sign-ups for these courses, grouped by address."""
    return list(
        db.session.scalars(
            select(CourseInterest)
            .where(
                CourseInterest.course_id.in_(list(course_ids)),
                CourseInterest.confirmed_at.is_not(None),
            )
            .order_by(CourseInterest.email, CourseInterest.course_id)
        )
    )


@dataclass(frozen=True)
class Demand:
    course: Course
    confirmed: int
    unconfirmed: int


def demand_per_course() -> list[Demand]:
    """Courses people want new dates for, the most wanted first."""
    confirmed = func.count(CourseInterest.confirmed_at)
    rows = db.session.execute(
        select(Course, confirmed, func.count(CourseInterest.id) - confirmed)
        .join(CourseInterest, CourseInterest.course_id == Course.id)
        .group_by(Course.id)
        .order_by(confirmed.desc(), Course.title)
    ).all()
    return [Demand(course, wanted, waiting) for course, wanted, waiting in rows]


def _exported(course_id: int) -> list:
    conditions = [CourseInterest.confirmed_at.is_not(None)]
    if course_id:
        conditions.append(CourseInterest.course_id == course_id)
    return conditions


def export_count(course_id: int = 0) -> int:
    """How many rows the CSV export has (one COUNT, the export's own filters)."""
    return db.session.scalar(select(func.count(CourseInterest.id)).where(*_exported(course_id)))


def export_rows(course_id: int = 0) -> Iterator[tuple]:
    """Confirmed sign-ups for the CSV export: course, address, name when known, dates;
    read a batch at a time as the file streams."""
    query = (
        select(Course.title, CourseInterest.email, User.name, CourseInterest.confirmed_at)
        .join(Course, Course.id == CourseInterest.course_id)
        .outerjoin(User, User.id == CourseInterest.user_id)
        .where(*_exported(course_id))
        .order_by(Course.title, CourseInterest.confirmed_at, CourseInterest.id)
    )
    return iter(in_batches(query))


def _of_person(user: User):
    return or_(CourseInterest.user_id == user.id, CourseInterest.email == user.email.lower())


def of_person(user: User) -> list[CourseInterest]:
    """The user's sign-ups for new dates: made signed in, or with their address."""
    return list(
        db.session.scalars(
            select(CourseInterest).where(_of_person(user)).order_by(CourseInterest.created_at)
        )
    )


def forget_person(user: User) -> None:
    """Remove the user's sign-ups for new dates (their account is being erased)."""
    db.session.execute(
        delete(CourseInterest).where(_of_person(user)).execution_options(synchronize_session=False)
    )
