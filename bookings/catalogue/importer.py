"""Create or update courses and sessions from a CSV file (the format is in README.md).

Each row is checked in full before anything is written, then written inside its
own savepoint, so a bad row is reported with its line number while the good rows
still go in. Courses, trainers and existing sessions are loaded once up front,
not once per row. The caller commits; `import_upload` first refuses a bad file whole.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TextIO

from sqlalchemy import func, select
from sqlalchemy.exc import DataError, IntegrityError
from tqdm import tqdm

from ..audit import service as audit
from ..booking.schedule import invite_trainer, reschedule_session, set_trainer
from ..booking.service import fill_from_waiting_list
from ..enums import AuditAction
from ..errors import DomainError, ImportFileError, ImportRowError
from ..extensions import db
from ..interest.service import notify_new_dates
from ..models import Course, Session, User
from ..timefmt import from_local
from .import_report import ImportReport

COLUMNS = (
    "course_slug",
    "course_title",
    "summary",
    "description",
    "category",
    "price_voluntary",
    "price_private",
    "starts_at",
    "ends_at",
    "venue",
    "online_url",
    "capacity",
    "trainer_email",
)
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PRICE_RE = re.compile(r"^\d+(?:\.\d{1,2})?$")
MAX_PRICE_PENCE = 100_000_00
MAX_CAPACITY = 10_000
TIME_AND_PLACE = ("ends_at", "venue_name", "venue_address", "online_url")


@dataclass
class ImportLine:
    """One CSV row, checked and converted to the values the models take."""

    slug: str
    course: dict
    starts_at: datetime
    ends_at: datetime
    venue_name: str
    venue_address: str
    online_url: str
    capacity: int
    trainer_email: str


def parse_price(value: str, column: str) -> int | None:
    """Pounds such as '45.00' or '45' as pence; None when blank."""
    value = value.strip().lstrip("£")
    if not value:
        return None
    if not PRICE_RE.match(value):
        raise ImportRowError(f"{column} must be an amount in pounds such as 45.00, not {value!r}")
    pence = int(Decimal(value) * 100)  # the pattern has made sure Decimal takes it
    if pence > MAX_PRICE_PENCE:
        raise ImportRowError(f"{column} is more than £100,000")
    return pence


def parse_instant(value: str, column: str) -> datetime:
    """ISO 8601 date and time; local Europe/London when it has no offset."""
    value = value.strip()
    if not value:
        raise ImportRowError(f"{column} is missing")
    if len(value) <= 10:
        raise ImportRowError(f"{column} needs a time as well as a date, e.g. 2027-03-04T10:00")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ImportRowError(
            f"{column} is not an ISO 8601 date and time (e.g. 2027-03-04T10:00): {value!r}"
        ) from exc
    return from_local(parsed)


def parse_row(raw: dict[str, str]) -> ImportLine:
    """Check one row; raises ImportRowError saying what is wrong."""
    raw = {key: (raw.get(key) or "").strip() for key in COLUMNS}
    for key, value in raw.items():
        if "\x00" in value:
            raise ImportRowError(f"{key} contains a NUL character")
    slug = raw["course_slug"]
    if not slug:
        raise ImportRowError("course_slug is missing")
    if len(slug) > 120 or not SLUG_RE.match(slug):
        raise ImportRowError(
            f"course_slug must be lower-case letters, digits and hyphens: {slug[:60]!r}"
        )
    course = {
        "title": raw["course_title"],
        "summary": raw["summary"],
        "description": raw["description"],
        "category": raw["category"],
        "price_voluntary_pence": parse_price(raw["price_voluntary"], "price_voluntary"),
        "price_private_pence": parse_price(raw["price_private"], "price_private"),
    }
    for key, limit in (("title", 200), ("summary", 500), ("category", 80)):
        if len(course[key]) > limit:
            raise ImportRowError(f"{key} is longer than {limit} characters")
    starts_at = parse_instant(raw["starts_at"], "starts_at")
    ends_at = parse_instant(raw["ends_at"], "ends_at")
    if ends_at <= starts_at:
        raise ImportRowError("ends_at must be after starts_at")
    try:
        capacity = int(raw["capacity"])
    except ValueError as exc:
        raise ImportRowError(f"capacity must be a whole number, not {raw['capacity']!r}") from exc
    if not 0 <= capacity <= MAX_CAPACITY:
        raise ImportRowError(f"capacity must be between 0 and {MAX_CAPACITY}, not {capacity}")
    venue_name, _, venue_address = raw["venue"].partition(",")
    online_url = raw["online_url"]
    if online_url and not online_url.startswith(("https://", "http://")):
        raise ImportRowError("online_url must start with https://")
    if not venue_name.strip() and not online_url:
        raise ImportRowError("give a venue or an online_url")
    if len(venue_name) > 200 or len(venue_address) > 500 or len(online_url) > 500:
        raise ImportRowError("venue or online_url is too long")
    return ImportLine(
        slug=slug,
        course=course,
        starts_at=starts_at,
        ends_at=ends_at,
        venue_name=venue_name.strip(),
        venue_address=venue_address.strip(),
        online_url=online_url,
        capacity=capacity,
        trainer_email=raw["trainer_email"],
    )


class _Catalogue:
    """The courses, trainers and sessions the file refers to, loaded in three queries."""

    def __init__(self, rows: list[ImportLine]):
        slugs = {row.slug for row in rows}
        emails = {row.trainer_email.lower() for row in rows if row.trainer_email}
        self.courses: dict[str, Course] = {
            c.slug: c for c in _load(select(Course), Course.slug, sorted(slugs))
        }
        course_ids = [c.id for c in self.courses.values()]
        self.sessions: dict[tuple[int, datetime], Session] = {
            (s.course_id, s.starts_at): s
            for s in _load(select(Session), Session.course_id, course_ids)
        }
        self.trainers: dict[str, User] = {
            u.email.lower(): u for u in _load(select(User), func.lower(User.email), sorted(emails))
        }
        self.touched_courses: set[str] = set()
        self.created: list[Session] = []

    def trainer(self, email: str) -> User | None:
        if not email:
            return None
        user = self.trainers.get(email.lower())
        if user is None:
            raise ImportRowError(f"no user with the email {email!r}; create the trainer first")
        if not user.is_trainer:
            raise ImportRowError(f"{email} is a {user.role}, not a trainer")
        return user


def _load(query, column, values: list, size: int = 500):
    """The rows of query whose column is one of values, asked for in chunks of size."""
    for start in range(0, len(values), size):
        yield from db.session.scalars(query.where(column.in_(values[start : start + size])))


def _check_row_against_catalogue(row: ImportLine, catalogue: _Catalogue) -> User | None:
    """The checks that need the database: trainer, new-course fields, places already taken."""
    trainer = catalogue.trainer(row.trainer_email)
    course = catalogue.courses.get(row.slug)
    if course is None:
        if not row.course["title"]:
            raise ImportRowError(f"course_title is needed for the new course {row.slug!r}")
        if row.course["price_voluntary_pence"] is None or row.course["price_private_pence"] is None:
            raise ImportRowError(f"both prices are needed for the new course {row.slug!r}")
    else:
        session = catalogue.sessions.get((course.id, row.starts_at))
        if session is not None and row.capacity < session.seats_taken:
            raise ImportRowError(
                f"capacity {row.capacity} is below the {session.seats_taken} places already booked"
            )
    return trainer


def _write_row(row: ImportLine, trainer: User | None, catalogue: _Catalogue, report) -> None:
    course = catalogue.courses.get(row.slug)
    if course is None:
        values = {k: v for k, v in row.course.items() if v is not None}
        course = Course(slug=row.slug, published=True, **values)
        db.session.add(course)
        db.session.flush()
        catalogue.courses[row.slug] = course
        catalogue.touched_courses.add(row.slug)
        report.courses_created += 1
    else:
        # A blank cell leaves the stored value as it is.
        edits = {k: v for k, v in row.course.items() if v not in (None, "")}
        edits = {k: v for k, v in edits.items() if getattr(course, k) != v}
        for key, value in edits.items():
            setattr(course, key, value)
        if edits and row.slug not in catalogue.touched_courses:
            report.courses_updated += 1
            catalogue.touched_courses.add(row.slug)

    key = (course.id, row.starts_at)
    session = catalogue.sessions.get(key)
    trainer_id = trainer.id if trainer else None
    values = {
        "ends_at": row.ends_at,
        "venue_name": row.venue_name,
        "venue_address": row.venue_address,
        "online_url": row.online_url,
        "capacity": row.capacity,
    }
    if session is None:
        session = Session(course_id=course.id, starts_at=row.starts_at, trainer=trainer, **values)
        db.session.add(session)
        db.session.flush()
        invite_trainer(session)
        catalogue.sessions[key] = session
        catalogue.created.append(session)
        report.sessions_created += 1
        return
    changed = {k for k, v in values.items() if getattr(session, k) != v}
    new_trainer = session.trainer_id != trainer_id
    if not changed and not new_trainer:
        return
    moved = changed & set(TIME_AND_PLACE)
    if moved and new_trainer:
        # The trainer until now is told at the time they knew; the new one, at the new time.
        set_trainer(session.id, None)
    if moved and session.is_scheduled:
        # The same path as a staff reschedule: a higher revision and a calendar
        # update to everyone booked or waiting, and to the trainer.
        where = {k: values[k] for k in TIME_AND_PLACE}
        reschedule_session(session.id, starts_at=session.starts_at, **where)
    elif moved:
        session.revision += 1
    for k in changed:
        setattr(session, k, values[k])
    db.session.flush()
    if new_trainer:
        set_trainer(session.id, trainer_id)
    report.sessions_updated += 1
    if "capacity" in changed:
        # More places: the waiting list moves up, as it would after cancellations.
        report.waiting_promoted += len(fill_from_waiting_list(session.id))
        db.session.expire(session, ["seats_taken"])


def header_problem(header: list[str]) -> str | None:
    """What is wrong with the first line of the file, or None when it names every column."""
    missing = [name for name in COLUMNS if name not in (column.strip() for column in header)]
    if not missing:
        return None
    return f"missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}"


def import_csv(stream: TextIO, progress: bool = True, by: User | None = None) -> ImportReport:
    """Create or update courses and sessions from CSV text; the caller commits.

    by is who imports (None: the command line); the import is recorded in the audit trail.
    """
    report = ImportReport()
    reader = csv.DictReader(stream)
    header = [name.strip() for name in (reader.fieldnames or [])]
    problem = header_problem(header)
    if problem:
        report.reject(1, problem)
        return report
    reader.fieldnames = header

    parsed: list[tuple[int, ImportLine]] = []
    line = reader.line_num
    try:
        for raw in reader:
            row_line, line = line + 1, reader.line_num
            if not any((value or "").strip() for value in raw.values() if isinstance(value, str)):
                continue
            try:
                parsed.append((row_line, parse_row(raw)))
            except ImportRowError as exc:
                report.reject(row_line, str(exc))
    except csv.Error as exc:
        report.reject(reader.line_num, f"the file is not valid CSV from here on: {exc}")

    catalogue = _Catalogue([row for _, row in parsed])
    for row_line, row in tqdm(
        parsed, disable=not progress, file=sys.stderr, unit="row", desc="Importing"
    ):
        try:
            trainer = _check_row_against_catalogue(row, catalogue)
        except ImportRowError as exc:
            report.reject(row_line, str(exc))
            continue
        known_course = row.slug in catalogue.courses
        counts = report.counts()
        try:
            with db.session.begin_nested():
                _write_row(row, trainer, catalogue, report)
        except (IntegrityError, DataError) as exc:
            # The checks above should have caught it; the database has the last word.
            if not known_course:
                catalogue.courses.pop(row.slug, None)
            catalogue.sessions = {k: s for k, s in catalogue.sessions.items() if s in db.session}
            report.restore_counts(counts)
            report.reject(row_line, f"the database refused the row: {exc.orig}")
            continue
        report.rows_imported += 1
    report.rejected.sort()
    audit.record(
        AuditAction.CATALOGUE_IMPORTED,
        by=by,
        subject=("import", "Catalogue CSV"),
        summary=report.summary(),
    )
    # Once for the whole file: each person hears of all its new dates in one email.
    report.people_told = notify_new_dates(s for s in catalogue.created if s in db.session)
    return report


def decode_upload(raw: bytes) -> str:
    """An uploaded file as text; ImportFileError when it is not UTF-8, empty or has no header."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            "The file is not UTF-8 text. In Excel, save it as 'CSV UTF-8'."
        ) from exc
    if not text.strip():
        raise ImportFileError("The file is empty. Choose the CSV file of courses and sessions.")
    try:
        header = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error:
        header = []
    problem = header_problem(header)
    if problem:
        raise ImportFileError(
            f"The first line of the file must name the columns; it has {problem}. "
            "The columns are listed below."
        )
    return text


def import_upload(raw: bytes, by: User | None = None) -> ImportReport:
    """Import an uploaded file; ImportFileError says why the whole file was refused."""
    text = decode_upload(raw)
    try:
        return import_csv(io.StringIO(text, newline=""), progress=False, by=by)
    except (DomainError, ValueError, csv.Error) as exc:
        raise ImportFileError(f"The file could not be imported: {exc}") from exc
