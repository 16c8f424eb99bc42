"""The report's charts (SVG with a text alternative), PDF and CSV, and bad date ranges."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET

import pytest
from pypdf import PdfReader

from ..conftest import login_as
from .conftest import RANGE

SVG = "{http://www.w3.org/2000/svg}"


def charts(page: str) -> list[ET.Element]:
    """Each inline <svg> of the page, parsed as XML on its own."""
    return [ET.fromstring(svg) for svg in re.findall(r"<svg.*?</svg>", page, re.S)]


def test_charts_are_svg_with_a_text_alternative_and_a_table_of_the_same_numbers(
    client, staff, programme
):
    login_as(client, staff)
    page = client.get("/staff/reports", query_string=RANGE).get_data(as_text=True)

    by_month, by_sector = charts(page)
    for chart in (by_month, by_sector):
        assert chart.get("role") == "img"
        title_id, desc_id = chart.get("aria-labelledby").split()
        assert chart.find(f"{SVG}title").get("id") == title_id
        assert chart.find(f"{SVG}desc").get("id") == desc_id
        assert page.count(f'id="{title_id}"') == 1
    assert by_month.find(f"{SVG}title").text == "Attendance by month"
    month_text = by_month.find(f"{SVG}desc").text
    assert "April 2025: 3 attended" in month_text and "May 2025: 4 attended" in month_text
    assert "March 2026: 0 attended" in month_text
    assert len(by_month.findall(f"{SVG}rect")) == 12
    sector_text = by_sector.find(f"{SVG}desc").text
    assert sector_text == "Voluntary sector: 5 attended; Private sector: 2 attended."
    # The same numbers, as tables.
    assert re.search(
        r'<th scope="row">April 2025</th><td class="num">5</td><td class="num">3</td>', page
    )
    assert re.search(
        r'<th scope="row">Voluntary sector</th><td class="num">4</td><td class="num">5</td>', page
    )
    assert "<script" not in page and "style=" not in page


def test_pdf_holds_the_headline_figures_and_the_charts(client, staff, programme):
    login_as(client, staff)
    response = client.get("/staff/reports.pdf", query_string=RANGE)

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "training-report-2025-04-01-to-2026-03-31.pdf" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    lines = {line.strip() for line in text.splitlines()}
    for figure in (
        "Sessions run 4",
        "Sessions cancelled 1",
        "Places offered 27",
        "Bookings 10",
        "Attended 7",
        "No-shows 1",
        "Late cancellations 2",
        "No-show rate 10.0%",
        "Fill rate 37.0%",
        "Unique learners 6",
        "Unique organisations 3",
        "Average rating 4.0 out of 5",
        "Average change in confidence +1.5 points",
    ):
        assert figure in lines, figure
    assert "1 April 2025 to" in text and "31 March 2026" in text
    assert "Attendance by month" in text and "Attendance by sector" in text
    # The charts are drawn in: each chart's page carries vector paths, not just text.
    chart_pages = [p for p in reader.pages if "Attendance by" in p.extract_text()]
    assert len(chart_pages) == 2
    for page in chart_pages:
        assert (
            page.get_contents().get_data().count(b" re")
            + page.get_contents().get_data().count(b" l\n")
            > 10
        )


def test_csv_parses_with_one_row_per_figure(client, staff, programme):
    login_as(client, staff)
    response = client.get("/staff/reports.csv", query_string=RANGE)

    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["Section", "Measure", "Value"]
    assert all(len(row) == 3 for row in rows)
    assert ["Summary", "Attended", "7"] in rows


@pytest.mark.parametrize("path", ["/staff/reports", "/staff/reports.pdf", "/staff/reports.csv"])
def test_a_from_date_after_the_to_date_is_refused_beside_the_field(client, staff, path):
    login_as(client, staff)
    response = client.get(path, query_string={"from": "2026-03-31", "to": "2025-04-01"})

    assert response.status_code == 400
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert (
        '<p class="error-message" id="to-error">The &#39;to&#39; date must be on or after '
        "the &#39;from&#39; date.</p>"
    ) in page
    assert 'value="2026-03-31"' in page  # what was asked for stays in the form


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ({"from": "2026-13-45"}, "from", "Enter a date like 2026-04-01 (year, month, day)."),
        ({"to": "31/03/2026"}, "to", "Enter a date like 2026-04-01 (year, month, day)."),
        ({"from": ""}, "from", "Enter the first date, like 2026-04-01."),
        ({"from": "1066-10-14"}, "from", "Enter a date between 2000 and 2099."),
        ({"from": "2000-01-01", "to": "2020-01-01"}, "to", "Choose a range of at most 10 years."),
        ({"from": "x" * 5000}, "from", "Enter a date like 2026-04-01 (year, month, day)."),
    ],
)
def test_bad_dates_get_a_message_beside_the_field_never_a_500(client, staff, args, field, message):
    login_as(client, staff)
    for path in ("/staff/reports", "/staff/reports.csv"):
        response = client.get(path, query_string=args)
        assert response.status_code == 400, path
        page = response.get_data(as_text=True)
        assert f'<p class="error-message" id="{field}-error">{message}</p>' in page
