"""catalogue import: CSV to courses and sessions, bad rows reported by line, fast enough."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bookings.catalogue.importer import COLUMNS, import_csv
from bookings.extensions import db
from bookings.models import Course, Session
from tests.factories import make_booking, make_course, make_session, make_user
from tests.statements import counting_statements


def csv_text(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: row.get(name, "") for name in COLUMNS})
    return out.getvalue()


def row(**fields) -> dict:
    base = {
        "course_slug": "living-with-adhd",
        "course_title": "Living with ADHD",
        "summary": "Current information on living with ADHD",
        "description": "A **half-day** course.",
        "category": "Health and wellbeing",
        "price_voluntary": "0.00",
        "price_private": "45.00",
        "starts_at": "2037-07-01T10:00",
        "ends_at": "2037-07-01T13:00",
        "venue": "Chatham Community Hub, 12 High Street, Chatham ME4 4DS",
        "online_url": "",
        "capacity": "16",
        "trainer_email": "",
    }
    base.update(fields)
    return base


def run_import(runner, tmp_path, rows, name="catalogue.csv"):
    path = tmp_path / name
    path.write_text(csv_text(rows), encoding="utf-8")
    return runner.invoke(args=["catalogue", "import", str(path)])


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_import_creates_course_and_sessions_in_london_time(runner, tmp_path):
    trainer = make_user("trainer", email="Sam.Okafor@example.org")
    result = run_import(
        runner,
        tmp_path,
        [
            row(trainer_email="sam.okafor@example.org"),
            row(
                starts_at="2037-01-14T09:00",
                ends_at="2037-01-14T12:00:00+00:00",
                venue="",
                online_url="https://meet.example.org/adhd",
                course_title="",
                summary="",
                price_voluntary="",
                price_private="",
            ),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "2 sessions created" in result.output
    course = db.session.scalar(select(Course).where(Course.slug == "living-with-adhd"))
    assert course.title == "Living with ADHD"
    assert course.summary == "Current information on living with ADHD"
    assert (course.price_voluntary_pence, course.price_private_pence) == (0, 4500)
    summer, winter = sorted(course.sessions, key=lambda s: s.starts_at, reverse=True)
    assert summer.starts_at == datetime(2037, 7, 1, 9, 0, tzinfo=UTC)  # 10:00 BST
    assert summer.venue_name == "Chatham Community Hub"
    assert summer.venue_address == "12 High Street, Chatham ME4 4DS"
    assert summer.trainer_id == trainer.id
    assert summer.capacity == 16
    assert winter.starts_at == datetime(2037, 1, 14, 9, 0, tzinfo=UTC)  # 09:00 GMT
    assert winter.online_url == "https://meet.example.org/adhd" and winter.trainer_id is None


def test_bad_rows_are_reported_by_line_while_good_rows_import(runner, tmp_path):
    make_user("learner", email="learner@example.org")
    rows = [
        row(starts_at="2037-03-02T10:00", ends_at="2037-03-02T13:00"),  # line 2: good
        row(trainer_email="nobody@example.org"),  # line 3
        row(starts_at="2037-03-04T13:00", ends_at="2037-03-04T10:00"),  # line 4
        row(starts_at="2037-03-05T10:00", ends_at="2037-03-05T13:00", capacity="-1"),  # 5
        row(starts_at="2037-02-30T10:00"),  # line 6
        row(starts_at="2037-03-06T10:00", ends_at="2037-03-06T13:00", price_private="abc"),
        row(starts_at="2037-03-09T10:00", ends_at="2037-03-09T13:00", price_voluntary="-5.00"),
        row(
            starts_at="2037-03-10T10:00",
            ends_at="2037-03-10T13:00",
            trainer_email="learner@example.org",
        ),  # line 9
        row(starts_at="2037-03-11T10:00", ends_at="2037-03-11T13:00"),  # line 10: good
        row(starts_at="2037-03-12T10:00", ends_at="2037-03-12T13:00", summary="a\x00b"),  # 11
    ]
    result = run_import(runner, tmp_path, rows)
    assert result.exit_code != 0
    output = result.output
    assert "2 sessions created" in output and "8 rows rejected" in output
    for line, words in [
        (3, "nobody@example.org"),
        (4, "ends_at must be after starts_at"),
        (5, "capacity"),
        (6, "starts_at"),
        (7, "price_private"),
        (8, "price_voluntary"),
        (9, "not a trainer"),
        (11, "NUL"),
    ]:
        matching = [out for out in output.splitlines() if out.startswith(f"Line {line}: ")]
        assert matching and words in matching[0], (line, output)
    assert "Line 2:" not in output and "Line 10:" not in output
    assert count(Session) == 2 and count(Course) == 1


def test_line_numbers_count_quoted_line_breaks(tmp_path):
    text = csv_text(
        [
            row(description="First paragraph.\n\nSecond paragraph."),
            row(starts_at="2037-07-08T10:00", ends_at="never"),
        ]
    )
    report = import_csv(io.StringIO(text), progress=False)
    assert report.rejected == [(5, report.rejected[0][1])]
    assert "ends_at" in report.rejected[0][1]
    course = db.session.scalar(select(Course))
    assert course.description == "First paragraph.\n\nSecond paragraph."


def test_missing_columns_reject_the_file(runner, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("course_slug,course_title\nx,y\n", encoding="utf-8")
    result = runner.invoke(args=["catalogue", "import", str(path)])
    assert result.exit_code != 0
    assert "Line 1: missing columns" in result.output and "starts_at" in result.output
    assert count(Course) == 0


def test_new_course_needs_title_and_prices(runner, tmp_path):
    result = run_import(
        runner,
        tmp_path,
        [
            row(course_title=""),
            row(
                course_slug="other",
                starts_at="2037-07-02T10:00",
                ends_at="2037-07-02T12:00",
                price_private="",
            ),
        ],
    )
    assert result.exit_code != 0
    assert "Line 2: course_title is needed" in result.output
    assert "Line 3: both prices are needed" in result.output
    assert count(Course) == 0


def test_importing_again_updates_by_slug_and_start_without_duplicates(runner, tmp_path):
    rows = [row(), row(starts_at="2037-07-08T10:00", ends_at="2037-07-08T13:00")]
    assert run_import(runner, tmp_path, rows).exit_code == 0
    again = run_import(runner, tmp_path, rows)
    assert again.exit_code == 0
    assert "0 sessions created, 0 updated" in again.output
    assert count(Course) == 1 and count(Session) == 2

    changed = [
        row(
            course_title="Living with ADHD (updated)",
            price_private="50.00",
            capacity="20",
            venue="Gillingham Library, High Street, Gillingham",
        ),
        # Blank course cells leave the course as the row above left it.
        row(
            starts_at="2037-07-08T10:00",
            ends_at="2037-07-08T13:00",
            course_title="",
            price_private="",
            summary="",
        ),
    ]
    result = run_import(runner, tmp_path, changed)
    assert result.exit_code == 0
    assert "0 courses created, 1 updated" in result.output
    assert "0 sessions created, 1 updated" in result.output
    db.session.expire_all()
    course = db.session.scalar(select(Course))
    assert course.title == "Living with ADHD (updated)"
    assert course.price_private_pence == 5000
    session = db.session.scalar(
        select(Session).where(Session.starts_at == datetime(2037, 7, 1, 9, tzinfo=UTC))
    )
    assert session.capacity == 20 and session.venue_name == "Gillingham Library"
    assert session.revision == 1  # the place changed
    assert count(Course) == 1 and count(Session) == 2


def test_capacity_cannot_drop_below_places_already_booked(runner, tmp_path):
    course = make_course(slug="first-aid")
    start = datetime(2037, 7, 1, 9, tzinfo=UTC)
    session = make_session(course, starts_at=start, capacity=5)
    make_booking(session)
    make_booking(session)
    result = run_import(
        runner,
        tmp_path,
        [row(course_slug="first-aid", starts_at="2037-07-01T10:00", capacity="1")],
    )
    assert result.exit_code != 0
    assert "Line 2: capacity 1 is below the 2 places already booked" in result.output
    db.session.expire_all()
    assert db.session.get(Session, session.id).capacity == 5


def test_import_reads_any_text_stream_and_reports_progress_off(capsys):
    report = import_csv(io.StringIO(csv_text([row()])), progress=False)
    assert report.rejected == [] and report.sessions_created == 1
    assert capsys.readouterr().err == ""


def test_thousand_sessions_import_with_a_bounded_number_of_statements(runner, tmp_path):
    trainers = [make_user("trainer", email=f"trainer{n}@example.org") for n in range(3)]
    first = datetime(2037, 1, 5, 10, 0)
    rows = []
    for n in range(1000):
        start = first + timedelta(days=n // 4, hours=(n % 4) * 2)
        rows.append(
            row(
                course_slug=f"course-{n % 50}",
                course_title=f"Course {n % 50}",
                starts_at=start.isoformat(timespec="minutes"),
                ends_at=(start + timedelta(hours=1, minutes=30)).isoformat(timespec="minutes"),
                trainer_email=trainers[n % 3].email,
            )
        )
    with counting_statements() as statements:
        result = run_import(runner, tmp_path, rows)
    assert result.exit_code == 0, result.output
    assert count(Session) == 1000 and count(Course) == 50
    # About four statements a row (read, write, audit); a query per existing session
    # or course on each row would show here long before it shows on a clock.
    assert len(statements) < 5000, f"{len(statements)} statements for 1,000 rows"


@pytest.mark.parametrize("price, pence", [("45", 4500), ("45.5", 4550), ("£12.99", 1299)])
def test_prices_in_pounds_become_pence(price, pence):
    report = import_csv(io.StringIO(csv_text([row(price_private=price)])), progress=False)
    assert report.rejected == []
    assert db.session.scalar(select(Course.price_private_pence)) == pence


def test_import_that_moves_a_booked_session_sends_calendar_updates(runner, tmp_path):
    from bookings.models import OutboxMessage

    assert run_import(runner, tmp_path, [row()]).exit_code == 0
    session = db.session.scalar(select(Session))
    booked = make_booking(session)
    waiting = make_booking(session, status="waitlisted")

    moved = [row(ends_at="2037-07-01T14:00", venue="Gillingham Library, High Street")]
    assert run_import(runner, tmp_path, moved).exit_code == 0

    db.session.expire_all()
    updates = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "session_rescheduled")
    ).all()
    assert {m.booking_id for m in updates} == {booked.id, waiting.id}
    for message in updates:
        assert message.ics_method == "REQUEST"
        assert "SEQUENCE:1" in message.ics
        assert "Gillingham Library" in message.ics
    assert db.session.get(Session, session.id).revision == 1


def test_import_raising_places_gives_them_to_the_waiting_list_in_order(runner, tmp_path):
    from bookings.models import Booking, OutboxMessage

    course = make_course(slug="first-aid")
    session = make_session(course, starts_at=datetime(2037, 7, 1, 9, tzinfo=UTC), capacity=1)
    make_booking(session)
    first = make_booking(session, status="waitlisted")
    second = make_booking(session, status="waitlisted")
    third = make_booking(session, status="waitlisted")

    more = [row(course_slug="first-aid", starts_at="2037-07-01T10:00", capacity="3")]
    result = run_import(runner, tmp_path, more)

    assert result.exit_code == 0, result.output
    assert "2 waiting learners given a place" in result.output
    db.session.expire_all()
    statuses = {b.id: b.status for b in db.session.scalars(select(Booking))}
    assert statuses[first.id] == statuses[second.id] == "confirmed"
    assert statuses[third.id] == "waitlisted"
    assert db.session.get(Session, session.id).seats_taken == 3
    promoted = db.session.scalars(
        select(OutboxMessage.booking_id).where(OutboxMessage.kind == "promoted")
    ).all()
    assert sorted(promoted) == sorted([first.id, second.id])
