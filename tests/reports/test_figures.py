"""Every figure of the report for funders, against a small programme with known answers
(see conftest.py for the programme and how each answer comes about)."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from bookings.reports import queries
from bookings.reports.queries import Period

from ..conftest import login_as
from ..factories import make_booking, make_course, make_session, make_user
from .conftest import FIRST, LAST, RANGE

SUMMARY = {
    "Sessions run": "4",
    "Sessions cancelled": "1",
    "Places offered": "27",
    "Bookings": "10",
    "Attended": "7",
    "No-shows": "1",
    "Late cancellations": "2",
    "No-show rate (%)": "10.0",
    "Fill rate (%)": "37.0",
    "Unique learners": "6",
    "Unique organisations": "3",
    "Feedback responses": "4",
    "Average rating (out of 5)": "4.0",
    "Average change in confidence (points out of 5)": "1.5",
}
ATTENDED_BY_MONTH = {"2025-04": "3", "2025-05": "4"}
BOOKINGS_BY_MONTH = {"2025-04": "5", "2025-05": "5"}


def csv_rows(client, args=RANGE) -> list[dict]:
    response = client.get("/staff/reports.csv", query_string=args)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def section(rows: list[dict], name: str) -> dict[str, str]:
    return {row["Measure"]: row["Value"] for row in rows if row["Section"] == name}


def test_every_figure_matches_the_hand_built_programme(client, staff, programme):
    login_as(client, staff)
    rows = csv_rows(client)

    assert section(rows, "Period") == {"From": "2025-04-01", "To": "2026-03-31"}
    assert section(rows, "Summary") == SUMMARY
    assert section(rows, "Learners by sector") == {"Voluntary sector": "4", "Private sector": "2"}
    assert section(rows, "Attendance by sector") == {
        "Voluntary sector": "5",
        "Private sector": "2",
    }
    months = [
        f"{y}-{m:02d}"
        for y, m in [*((2025, m) for m in range(4, 13)), (2026, 1), (2026, 2), (2026, 3)]
    ]
    by_month = section(rows, "Attendance by month")
    assert list(by_month) == months
    assert by_month == {m: ATTENDED_BY_MONTH.get(m, "0") for m in months}
    assert section(rows, "Bookings by month") == {m: BOOKINGS_BY_MONTH.get(m, "0") for m in months}
    top = [(r["Measure"], r["Value"]) for r in rows if r["Section"] == "Top courses by attendance"]
    assert top == [
        ("Living with ADHD", "4"),
        ("First Aid at Work", "2"),
        ("Safeguarding Adults", "1"),
    ]


def test_the_page_shows_the_same_figures(client, staff, programme):
    login_as(client, staff)
    page = client.get("/staff/reports", query_string=RANGE).get_data(as_text=True)

    shown = dict(re.findall(r"<div><dt>([^<]+)</dt><dd>([^<]+)</dd></div>", page))
    assert shown["Sessions run"] == "4"
    assert shown["Attended"] == "7"
    assert shown["No-show rate"] == "10.0%"
    assert shown["Fill rate"] == "37.0%"
    assert shown["Average rating"] == "4.0 out of 5"
    assert shown["Average change in confidence"] == "+1.5 points"
    assert "Attendance is not recorded yet for 1 place booked" in page
    assert re.search(
        r"<td>Living with ADHD</td><td class=\"num\">2</td><td class=\"num\">4</td>", page
    )


def test_the_sessions_counted_by_the_figures(programme):
    report = queries.build(Period(FIRST, LAST))
    assert report.not_recorded == 1
    assert report.register_late == 1
    assert [r.sessions for r in report.top_courses] == [2, 1, 1]


def test_sessions_not_yet_over_are_not_counted_as_run(client, staff):
    course = make_course(title="Mental Health First Aid")
    over = make_session(course, starts_in=timedelta(days=-3), capacity=6)
    coming = make_session(course, starts_in=timedelta(days=3), capacity=9)
    make_booking(over, make_user(), attended=True)
    make_booking(coming, make_user())
    today = over.starts_at.date()
    login_as(client, staff)

    rows = csv_rows(
        client,
        {
            "from": (today - timedelta(days=5)).isoformat(),
            "to": (today + timedelta(days=10)).isoformat(),
        },
    )

    summary = section(rows, "Summary")
    assert (summary["Sessions run"], summary["Places offered"], summary["Bookings"]) == (
        "1",
        "6",
        "1",
    )
    assert summary["Attended"] == "1" and summary["Fill rate (%)"] == "16.7"


def test_the_default_range_is_this_financial_year(client, staff):
    year = queries.financial_year()
    login_as(client, staff)

    page = client.get("/staff/reports").get_data(as_text=True)
    rows = csv_rows(client, {})

    assert year.first.month == 4 and year.first.day == 1
    assert year.last == year.first.replace(year=year.first.year + 1) - timedelta(days=1)
    assert year.first <= queries.timefmt.to_local(queries.utcnow()).date() <= year.last
    assert f'value="{year.first.isoformat()}"' in page
    assert f'value="{year.last.isoformat()}"' in page
    assert section(rows, "Period") == {"From": year.first.isoformat(), "To": year.last.isoformat()}
    assert "No sessions ran in this period." in page
    assert section(rows, "Summary")["Fill rate (%)"] == ""


def test_the_financial_year_turns_in_april():
    from datetime import date

    assert queries.financial_year(date(2026, 3, 31)) == Period(date(2025, 4, 1), date(2026, 3, 31))
    assert queries.financial_year(date(2026, 4, 1)) == Period(date(2026, 4, 1), date(2027, 3, 31))


def test_a_range_of_one_month_or_one_day(client, staff, programme):
    login_as(client, staff)

    may = csv_rows(client, {"from": "2025-05-01", "to": "2025-05-31"})
    one_day = csv_rows(client, {"from": "2025-05-01", "to": "2025-05-01"})

    assert section(may, "Attendance by month") == {"2025-05": "4"}
    assert section(may, "Summary")["Sessions run"] == "2"
    # S2 starts at 00:30 on 1 May, UK time (still 30 April in UTC).
    assert section(one_day, "Attendance by month") == {"2025-05": "2"}
    assert section(one_day, "Summary")["Sessions run"] == "1"


def test_quotes_given_with_permission_in_the_period_appear_in_page_and_pdf(
    client, staff, programme
):
    from pypdf import PdfReader

    from bookings.extensions import db
    from bookings.models import Booking, FeedbackResponse

    def comment(session, learner, text, permitted):
        booking = db.session.scalar(
            db.select(Booking).where(
                Booking.session_id == programme.sessions[session].id,
                Booking.learner_id == programme.learners[learner].id,
            )
        )
        response = db.session.scalar(
            db.select(FeedbackResponse).where(FeedbackResponse.booking_id == booking.id)
        )
        response.do_differently, response.quote_permitted = text, permitted

    comment(1, 1, "Plan quieter spaces.", True)
    comment(1, 2, "Keep this private.", False)
    comment(6, 12, "Outside the period.", True)
    db.session.commit()
    login_as(client, staff)

    page = client.get("/staff/reports", query_string=RANGE).get_data(as_text=True)
    pdf = client.get("/staff/reports.pdf", query_string=RANGE).data

    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    for shown in (page, text):
        assert "Plan quieter spaces." in shown
        assert "Keep this private." not in shown
        assert "Outside the period." not in shown
