"""The course pages of the generated brochure: each category's courses, with their facts,
a table of dates and a QR code of the course page, kept whole on a page where they fit."""

from __future__ import annotations

from dataclasses import dataclass

from .. import timefmt
from ..models import Session
from ..pdf import FONT, Document
from ..web import site_url
from .queries import BrochureCourse

BRAND = (29, 79, 145)
GREY = (90, 90, 90)
RULE = (200, 200, 200)
SHADE = (235, 240, 247)
QR_SIZE = 26  # mm
DATE_COLUMNS = (("Date", 42, "L"), ("Time", 30, "L"), ("Where", 80, "L"), ("Places left", 26, "R"))
HEADINGS = [title for title, _, _ in DATE_COLUMNS]
TABLE_SIZE = 9.5  # points
LINE = 5.0  # mm per line of 10-point text
CATEGORY_HEADING = 20  # mm


@dataclass
class Category:
    name: str
    courses: list[BrochureCourse]


def course_url(entry: BrochureCourse) -> str:
    return site_url(f"/courses/{entry.course.slug}")


def _starts_page(pdf: Document, needed: float) -> None:
    """A new page unless what follows fits on this one (or this one is still empty)."""
    if pdf.get_y() + needed > pdf.page_break_trigger and pdf.get_y() > pdf.t_margin + 1:
        pdf.add_page()


def category_section(pdf: Document, category: Category, sector: str) -> None:
    """The category's heading and its courses, which follow on from the last category's
    rather than leave half a page blank."""
    _starts_page(pdf, CATEGORY_HEADING + _course_height(pdf, category.courses[0]))
    if pdf.get_y() > pdf.t_margin + 1:
        pdf.ln(4)
    pdf.start_section(category.name, level=0)
    pdf.set_text_color(*BRAND)
    pdf.paragraph(category.name, size=22, style="B")
    pdf.set_draw_color(*BRAND)
    pdf.set_line_width(0.6)
    pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.w - pdf.r_margin, pdf.get_y() + 1)
    pdf.set_line_width(0.2)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(7)
    for number, entry in enumerate(category.courses):
        # A course starts on a new page rather than split, unless it would not fit on one.
        if number:
            _starts_page(pdf, _course_height(pdf, entry))
        _course(pdf, entry, sector)


def _text_width(pdf: Document) -> float:
    return pdf.epw - QR_SIZE - 6


def _lines(pdf: Document, text: str, width: float, size: float, style: str = "") -> int:
    if not text:
        return 0
    pdf.set_font(FONT, style=style, size=size)
    return len(pdf.wrap(text, width))


def _outcomes(entry: BrochureCourse) -> list[str]:
    return [line.strip() for line in entry.course.outcomes.splitlines() if line.strip()]


def _course_height(pdf: Document, entry: BrochureCourse) -> float:
    """How tall the course's block is, to keep it on one page where it can be."""
    course, width = entry.course, _text_width(pdf)
    head = (
        7 * _lines(pdf, course.title, width, 15, "B")
        + LINE * (_lines(pdf, course.summary, width, 10.5) + 1)
        + 6.5
    )
    height = max(head, QR_SIZE + 4) + 2
    outcomes = _outcomes(entry)
    if outcomes:
        height += 8 + LINE * sum(_lines(pdf, f"\u2022 {o}", pdf.epw - 4, 10) for o in outcomes)
    if course.audience:
        height += 8 + LINE * _lines(pdf, course.audience, pdf.epw, 10)
    rows = sum(_row_height(pdf, _date_cells(s)) for s in entry.sessions) or LINE
    return height + 8 + _row_height(pdf, HEADINGS, heading=True) + rows + 8


def _course(pdf: Document, entry: BrochureCourse, sector: str) -> None:
    course, url = entry.course, course_url(entry)
    pdf.start_section(course.title, level=1)
    top, width = pdf.get_y(), _text_width(pdf)
    pdf.qr_code(url, pdf.w - pdf.r_margin - QR_SIZE, top, QR_SIZE)
    pdf.set_font(FONT, size=7.5)
    pdf.set_text_color(*GREY)
    pdf.set_xy(pdf.w - pdf.r_margin - QR_SIZE, top + QR_SIZE + 0.5)
    pdf.cell(QR_SIZE, 3.5, "Scan to book", align="C")
    pdf.set_xy(pdf.l_margin, top)
    pdf.set_text_color(*BRAND)
    pdf.set_font(FONT, style="B", size=15)
    pdf.text_block(course.title, width, 7)
    pdf.set_text_color(0, 0, 0)
    if course.summary:
        pdf.set_font(FONT, size=10.5)
        pdf.text_block(course.summary, width, LINE)
    pdf.ln(1.5)
    facts = [f"Price: {timefmt.money(course.price_for(sector))}"]
    if course.duration:
        facts.append(f"Duration: {course.duration}")
    pdf.set_font(FONT, style="B", size=10)
    pdf.text_block("   \u00b7   ".join(facts), width, LINE)
    pdf.set_font(FONT, size=9)
    pdf.set_text_color(*GREY)
    pdf.text_block(url, width, 4.5, link=url)
    pdf.set_text_color(0, 0, 0)
    pdf.set_y(max(pdf.get_y(), top + QR_SIZE + 4) + 2)

    outcomes = _outcomes(entry)
    if outcomes:
        _subheading(pdf, "What you will learn")
        pdf.set_font(FONT, size=10)
        for outcome in outcomes:
            pdf.set_x(pdf.l_margin + 2)
            pdf.text_block(f"\u2022 {outcome}", pdf.epw - 4, LINE)
    if course.audience:
        _subheading(pdf, "Who it is for")
        pdf.set_font(FONT, size=10)
        pdf.set_x(pdf.l_margin)
        pdf.text_block(course.audience, pdf.epw, LINE)
    _subheading(pdf, "Dates")
    if entry.sessions:
        _dates(pdf, entry.sessions)
    else:
        pdf.set_font(FONT, style="I", size=10)
        pdf.text_block(
            "New dates to be announced: ask on the course page to hear about them.",
            pdf.epw,
            LINE,
        )
    pdf.set_x(pdf.l_margin)
    pdf.ln(8)


def _subheading(pdf: Document, text: str) -> None:
    pdf.ln(2)
    pdf.set_font(FONT, style="B", size=11)
    pdf.cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")


def _where(session: Session) -> str:
    if session.is_online:
        return "Online"
    return session.location


def _day(session: Session) -> str:
    first, last = timefmt.day(session.starts_at), timefmt.day(session.ends_at)
    return first if first == last else f"{first} to {last}"


def _date_cells(session: Session) -> list[str]:
    left = session.places_left
    return [
        _day(session),
        f"{timefmt.clock(session.starts_at)} to {timefmt.clock(session.ends_at)}",
        _where(session),
        str(left) if left else "Full: join the waiting list",
    ]


def _dates(pdf: Document, sessions: list[Session]) -> None:
    """The dates as a table whose heading row is repeated when it runs onto a new page."""
    _row(pdf, HEADINGS, heading=True)
    for session in sessions:
        cells = _date_cells(session)
        if pdf.get_y() + _row_height(pdf, cells) > pdf.page_break_trigger:
            pdf.add_page()
            _row(pdf, HEADINGS, heading=True)
        _row(pdf, cells)


def _column_widths(pdf: Document) -> list[float]:
    scale = pdf.epw / sum(width for _, width, _ in DATE_COLUMNS)
    return [width * scale for _, width, _ in DATE_COLUMNS]


def _wrapped_cells(pdf: Document, cells: list[str], heading: bool) -> list[list[str]]:
    pdf.set_font(FONT, style="B" if heading else "", size=TABLE_SIZE)
    return [pdf.wrap(text, width) for width, text in zip(_column_widths(pdf), cells, strict=True)]


def _row_height(pdf: Document, cells: list[str], heading: bool = False) -> float:
    return max(len(lines) for lines in _wrapped_cells(pdf, cells, heading)) * 4.6 + 2.4


def _row(pdf: Document, cells: list[str], heading: bool = False) -> None:
    """One table row: each cell wrapped in its column, a rule beneath."""
    wrapped = _wrapped_cells(pdf, cells, heading)
    height = max(len(lines) for lines in wrapped) * 4.6 + 2.4
    top = pdf.get_y()
    if heading:
        pdf.set_fill_color(*SHADE)
        pdf.rect(pdf.l_margin, top, pdf.epw, height, style="F")
    x = pdf.l_margin
    for width, lines, (_, _, align) in zip(_column_widths(pdf), wrapped, DATE_COLUMNS, strict=True):
        for number, line in enumerate(lines):
            pdf.line_of_text(line, x, top + 1.2 + number * 4.6, width, 4.6, align)
        x += width
    pdf.set_draw_color(*RULE)
    pdf.line(pdf.l_margin, top + height, pdf.w - pdf.r_margin, top + height)
    pdf.set_xy(pdf.l_margin, top + height)
