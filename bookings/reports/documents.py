"""The report as a page's figures, a PDF (with its charts) and a CSV file."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

from flask import current_app

from ..pdf import Document, printable
from ..spreadsheet import csv_chunks
from . import charts
from .queries import Report


@dataclass(frozen=True)
class Figure:
    label: str
    value: str  # as people read it: "12", "45%", "4.2 out of 5"
    number: float | int | None  # for the CSV
    unit: str = ""  # what the CSV's measure adds: " (%)"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}%"


def _one_place(value: float | None, suffix: str = "") -> str:
    return "–" if value is None else f"{value:.1f}{suffix}"


def _signed(value: float | None) -> str:
    return "–" if value is None else f"{value:+.1f} points"


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def headline(report: Report) -> list[Figure]:
    """The figures a funder asks for first, in the order the page shows them."""
    return [
        Figure("Sessions run", str(report.sessions_run), report.sessions_run),
        Figure("Sessions cancelled", str(report.sessions_cancelled), report.sessions_cancelled),
        Figure("Places offered", str(report.places_offered), report.places_offered),
        Figure("Bookings", str(report.bookings), report.bookings),
        Figure("Attended", str(report.attended), report.attended),
        Figure("No-shows", str(report.no_shows), report.no_shows),
        Figure("Late cancellations", str(report.late_cancellations), report.late_cancellations),
        Figure(
            "No-show rate", _percent(report.no_show_rate), _rounded(report.no_show_rate), " (%)"
        ),
        Figure("Fill rate", _percent(report.fill_rate), _rounded(report.fill_rate), " (%)"),
        Figure("Unique learners", str(report.unique_learners), report.unique_learners),
        Figure(
            "Unique organisations", str(report.unique_organisations), report.unique_organisations
        ),
        Figure("Feedback responses", str(report.responses), report.responses),
        Figure(
            "Average rating",
            _one_place(report.average_rating, " out of 5"),
            _rounded(report.average_rating),
            " (out of 5)",
        ),
        Figure(
            "Average change in confidence",
            _signed(report.average_confidence_change),
            _rounded(report.average_confidence_change),
            " (points out of 5)",
        ),
    ]


# How each figure is counted, as the report page explains it.
COUNTING_NOTES = (
    "Sessions run: sessions starting in the period that were not cancelled and are over. "
    "Places, bookings, attendance and feedback count only these.",
    "Bookings: confirmed places. Fill rate: bookings as a share of places offered.",
    "No-shows: learners who kept their place and did not come or tell us. "
    "No-show rate: no-shows as a share of bookings.",
    "Late cancellations: places given up within {days} days of the start, or on the day.",
    "Unique learners and organisations: people, and organisations by name, with at least "
    "one attendance. Learners by sector go by the sector they booked as.",
    "Average change in confidence: after minus before, on a scale of 1 to 5, from feedback.",
)

CSV_HEADER = ["Section", "Measure", "Value"]


def report_rows(report: Report) -> list[list[object]]:
    """One row per figure: Section, Measure, Value (numbers as numbers, for a spreadsheet).
    A few dozen rows whatever the size of the database: the figures are sums."""
    period = report.period
    rows: list[list[object]] = [
        ["Period", "From", period.first.isoformat()],
        ["Period", "To", period.last.isoformat()],
    ]
    for figure in headline(report):
        rows.append(
            ["Summary", figure.label + figure.unit, "" if figure.number is None else figure.number]
        )
    for row in report.by_sector:
        rows.append(["Learners by sector", row.label, row.learners])
    for row in report.by_sector:
        rows.append(["Attendance by sector", row.label, row.attended])
    for row in report.by_month:
        rows.append(["Attendance by month", f"{row.year}-{row.month:02d}", row.attended])
    for row in report.by_month:
        rows.append(["Bookings by month", f"{row.year}-{row.month:02d}", row.bookings])
    for row in report.top_courses:
        rows.append(["Top courses by attendance", row.title, row.attended])
    return rows


def report_csv(report: Report) -> Iterator[str]:
    """The figures as CSV for Excel, in chunks to stream."""
    return csv_chunks(CSV_HEADER, report_rows(report))


def report_pdf(report: Report) -> bytes:
    """An A4 report: the headline figures, both charts and the tables behind them."""
    org = current_app.config["ORG_NAME"]
    pdf = Document("Training report", org)
    pdf.add_page()
    pdf.heading(f"{org}: training report")
    pdf.paragraph(report.period.label)
    pdf.ln(3)
    _table(pdf, ("Figure", "Value"), [(f.label, f.value) for f in headline(report)], (110, 60))
    pdf.ln(4)
    if report.not_recorded:
        pdf.paragraph(
            f"Attendance is not recorded yet for {report.not_recorded} of the places booked.",
            size=10,
            style="B",
        )
        pdf.ln(2)
    days = current_app.config["CANCELLATION_FREE_DAYS"]
    for note in COUNTING_NOTES:
        pdf.paragraph(note.format(days=days), size=9)
        pdf.ln(1)
    pdf.add_page()
    pdf.heading("Attendance by month", size=14)
    _chart(pdf, charts.attendance_by_month(report))
    _table(
        pdf,
        ("Month", "Bookings", "Attended"),
        [(r.label, str(r.bookings), str(r.attended)) for r in report.by_month],
        (80, 40, 40),
    )
    pdf.add_page()
    pdf.heading("Attendance by sector", size=14)
    _chart(pdf, charts.attendance_by_sector(report))
    _table(
        pdf,
        ("Sector", "Learners", "Attended"),
        [(r.label, str(r.learners), str(r.attended)) for r in report.by_sector],
        (80, 40, 40),
    )
    pdf.ln(6)
    pdf.heading("Top courses by attendance", size=14)
    if report.top_courses:
        _table(
            pdf,
            ("Course", "Sessions", "Attended"),
            [(r.title, str(r.sessions), str(r.attended)) for r in report.top_courses],
            (110, 30, 30),
        )
    else:
        pdf.paragraph("No sessions ran in this period.")
    if report.quotes:
        pdf.ln(6)
        pdf.heading("What learners will do differently", size=14)
        pdf.paragraph("In their words, from feedback given with permission to quote it.", size=10)
        for quote in report.quotes:
            pdf.ln(2)
            pdf.paragraph(f'"{quote.strip()}"', size=11, style="I")
    return pdf.to_bytes()


def _chart(pdf: Document, svg: str) -> None:
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.image(io.BytesIO(str(svg).encode("utf-8")), x=pdf.l_margin, w=width)
    pdf.ln(4)


def _table(pdf: Document, header, rows, widths) -> None:
    pdf.set_font("Helvetica", size=10)
    with pdf.table(
        col_widths=widths,
        width=sum(widths),
        align="LEFT",
        line_height=6,
        text_align=("LEFT", *["RIGHT"] * (len(widths) - 1)),
        first_row_as_headings=True,
    ) as table:
        heading = table.row()
        for text in header:
            heading.cell(printable(text))
        for values in rows:
            row = table.row()
            for text in values:
                row.cell(printable(text))
