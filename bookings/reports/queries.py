"""The report for funders: what ran, who came, what difference it made, in a date range.

Every figure is aggregated in SQL (a handful of statements whatever the number of
bookings); Python only shapes the rows. Sessions belong to the range by their start
date in the organisation's time zone, both ends included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, distinct, func, literal_column, select

from .. import timefmt
from ..enums import SECTOR_LABELS, AttendanceOutcome, BookingStatus, SessionStatus
from ..extensions import db
from ..models import Booking, Course, FeedbackResponse, Session, utcnow

TOP_COURSES = 10
QUOTES = 5
FINANCIAL_YEAR_STARTS = 4  # April


@dataclass(frozen=True)
class Period:
    """From first to last, whole days in the organisation's time zone."""

    first: date
    last: date

    @property
    def starts_at(self) -> datetime:
        return timefmt.from_local(datetime.combine(self.first, time()))

    @property
    def ends_at(self) -> datetime:
        """The instant after the period: midnight at the end of its last day."""
        return timefmt.from_local(datetime.combine(self.last + timedelta(days=1), time()))

    def months(self) -> list[tuple[int, int]]:
        """(year, month) of each month the period touches, in order."""
        year, month, result = self.first.year, self.first.month, []
        while (year, month) <= (self.last.year, self.last.month):
            result.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return result

    @property
    def label(self) -> str:
        return f"{timefmt.long_day(self.first)} to {timefmt.long_day(self.last)}"


def financial_year(today: date | None = None) -> Period:
    """The financial year (April to March) that today falls in."""
    today = today or timefmt.to_local(utcnow()).date()
    year = today.year if today.month >= FINANCIAL_YEAR_STARTS else today.year - 1
    first = date(year, FINANCIAL_YEAR_STARTS, 1)
    return Period(first, date(year + 1, FINANCIAL_YEAR_STARTS, 1) - timedelta(days=1))


@dataclass
class MonthRow:
    year: int
    month: int
    bookings: int = 0
    attended: int = 0

    @property
    def label(self) -> str:
        return timefmt.month_label(self.year, self.month)

    @property
    def short_label(self) -> str:
        return f"{date(self.year, self.month, 1):%b %y}"


@dataclass
class SectorRow:
    sector: str
    learners: int = 0
    attended: int = 0

    @property
    def label(self) -> str:
        return SECTOR_LABELS.get(self.sector, self.sector)


@dataclass
class CourseRow:
    title: str
    sessions: int
    attended: int


@dataclass
class Report:
    period: Period
    sessions_run: int = 0
    sessions_cancelled: int = 0
    places_offered: int = 0
    bookings: int = 0
    attended: int = 0
    no_shows: int = 0
    late_cancellations: int = 0
    register_late: int = 0  # late cancellations marked on the register (place still booked)
    unique_learners: int = 0
    unique_organisations: int = 0
    responses: int = 0
    average_rating: float | None = None
    average_confidence_change: float | None = None
    quotes: list[str] = field(default_factory=list)
    by_sector: list[SectorRow] = field(default_factory=list)
    by_month: list[MonthRow] = field(default_factory=list)
    top_courses: list[CourseRow] = field(default_factory=list)

    @property
    def not_recorded(self) -> int:
        """Places booked whose attendance nobody has recorded yet."""
        recorded = self.attended + self.no_shows + self.register_late
        return max(self.bookings - recorded, 0)

    @property
    def no_show_rate(self) -> float | None:
        """No-shows as a percentage of places booked."""
        return 100 * self.no_shows / self.bookings if self.bookings else None

    @property
    def fill_rate(self) -> float | None:
        """Places booked as a percentage of places offered."""
        return 100 * self.bookings / self.places_offered if self.places_offered else None


def _one(value) -> int:
    return int(value or 0)


def _count_if(condition):
    return func.sum(case((condition, 1), else_=0))


def build(period: Period, now: datetime | None = None) -> Report:
    """Every figure of the report for period, as things stand at now."""
    now = now or utcnow()
    in_range = and_(Session.starts_at >= period.starts_at, Session.starts_at < period.ends_at)
    # Sessions that ran: scheduled, and over by now.
    ran = and_(in_range, Session.status == SessionStatus.SCHEDULED, Session.ends_at <= now)
    confirmed = Booking.status == BookingStatus.CONFIRMED
    attended = and_(confirmed, Booking.outcome == AttendanceOutcome.ATTENDED)
    of_sessions_run = (
        select().select_from(Booking).join(Session, Session.id == Booking.session_id).where(ran)
    )
    report = Report(period)

    row = db.session.execute(
        select(
            _count_if(ran),
            _count_if(Session.status == SessionStatus.CANCELLED),
            func.sum(case((ran, Session.capacity), else_=0)),
        ).where(in_range)
    ).one()
    report.sessions_run, report.sessions_cancelled, report.places_offered = map(_one, row)

    row = db.session.execute(
        of_sessions_run.add_columns(
            _count_if(confirmed),
            _count_if(attended),
            _count_if(and_(confirmed, Booking.outcome == AttendanceOutcome.ABSENT)),
            _count_if(Booking.outcome == AttendanceOutcome.LATE_CANCELLATION),
            _count_if(and_(confirmed, Booking.outcome == AttendanceOutcome.LATE_CANCELLATION)),
        )
    ).one()
    (
        report.bookings,
        report.attended,
        report.no_shows,
        report.late_cancellations,
        report.register_late,
    ) = map(_one, row)

    # Only the attended rows, filtered before anything is counted: far cheaper than
    # counting distinct values of CASE expressions over every booking.
    organisation = func.lower(func.trim(Booking.organisation))
    row = db.session.execute(
        of_sessions_run.add_columns(
            func.count(distinct(Booking.learner_id)),
            func.count(distinct(case((organisation != "", organisation)))),
        ).where(attended)
    ).one()
    report.unique_learners, report.unique_organisations = map(_one, row)

    report.by_sector = _by_sector(of_sessions_run.where(attended))
    per_session = (
        of_sessions_run.add_columns(
            Booking.session_id.label("session_id"),
            _count_if(confirmed).label("booked"),
            _count_if(attended).label("came"),
        )
        .group_by(Booking.session_id)
        .subquery("per_session")
    )
    report.by_month, report.top_courses = _months_and_courses(period, ran, per_session)

    row = db.session.execute(
        of_sessions_run.add_columns(
            func.count(FeedbackResponse.id),
            func.avg(FeedbackResponse.rating),
            func.avg(FeedbackResponse.confidence_after - FeedbackResponse.confidence_before),
        )
        .join(FeedbackResponse, FeedbackResponse.booking_id == Booking.id)
        .where(attended)
    ).one()
    report.responses = _one(row[0])
    report.average_rating = None if row[1] is None else float(row[1])
    report.average_confidence_change = None if row[2] is None else float(row[2])

    # In the learners' words, where they allowed it: those staff picked for course pages first.
    report.quotes = list(
        db.session.scalars(
            of_sessions_run.add_columns(FeedbackResponse.do_differently)
            .join(FeedbackResponse, FeedbackResponse.booking_id == Booking.id)
            .where(
                attended,
                FeedbackResponse.quote_permitted,
                func.length(func.trim(FeedbackResponse.do_differently)) > 0,
            )
            .order_by(
                FeedbackResponse.quote_shown.desc(),
                FeedbackResponse.created_at.desc(),
                FeedbackResponse.id.desc(),
            )
            .limit(QUOTES)
        )
    )
    return report


def _by_sector(attendances) -> list[SectorRow]:
    """Learners who attended, and attendances, by the sector they booked as."""
    rows = {sector: SectorRow(sector) for sector in SECTOR_LABELS}
    query = attendances.add_columns(
        Booking.sector, func.count(distinct(Booking.learner_id)), func.count(Booking.id)
    ).group_by(Booking.sector)
    for sector, learners, count in db.session.execute(query):
        rows.setdefault(sector, SectorRow(sector))
        rows[sector].learners, rows[sector].attended = learners, count
    return list(rows.values())


def _months_and_courses(period: Period, ran, per_session) -> tuple[list[MonthRow], list[CourseRow]]:
    """Places booked and attended in each month of the period (by the session's start),
    and the courses most attended with how many of their sessions ran.

    One statement: per course and month, over the sessions (bookings already summed per
    session), so the month is worked out once a session rather than once a booking.
    """
    months = [MonthRow(year, month) for year, month in period.months()]
    # Each month ends at local midnight on the 1st of the next: the CASE turns a UTC
    # start into the month it falls in here, on any database. Grouped by its name, as
    # PostgreSQL would not match the CASE's bound values in two places.
    ends = [
        timefmt.from_local(datetime.combine(date(m.year, m.month, 1), time())) for m in months[1:]
    ]
    last = literal_column(str(len(months) - 1))
    index = (
        case(
            *[(Session.starts_at < end, literal_column(str(n))) for n, end in enumerate(ends)],
            else_=last,
        )
        if ends
        else last
    )
    query = (
        select(
            Course.id,
            Course.title,
            index.label("month_number"),
            func.count(Session.id),
            func.sum(per_session.c.booked),
            func.sum(per_session.c.came),
        )
        .select_from(Session)
        .join(Course, Course.id == Session.course_id)
        .outerjoin(per_session, per_session.c.session_id == Session.id)
        .where(ran)
        .group_by(Course.id, Course.title, literal_column("month_number"))
    )
    courses: dict[int, CourseRow] = {}
    for course_id, title, number, sessions, booked, came in db.session.execute(query):
        months[number].bookings += _one(booked)
        months[number].attended += _one(came)
        row = courses.setdefault(course_id, CourseRow(title, 0, 0))
        row.sessions += sessions
        row.attended += _one(came)
    top = sorted(courses.values(), key=lambda c: (-c.attended, c.title))[:TOP_COURSES]
    return months, top
