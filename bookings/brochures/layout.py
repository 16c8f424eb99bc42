"""The generated sector brochure: cover, contents, one section per category, how to book.

A4 portrait, black text on white with one brand colour, so it prints well in grey.
The contents page and the PDF outline (bookmarks) list each category and its
courses; each course has its facts, a table of dates and a QR code of its page.
"""

from __future__ import annotations

from datetime import datetime
from itertools import groupby

from flask import current_app
from fpdf.outline import OutlineSection

from .. import timefmt
from ..enums import SECTOR_LABELS
from ..pdf import FONT, Document
from ..web import site_url
from .course_pages import BRAND, GREY, QR_SIZE, RULE, Category, category_section
from .queries import BrochureCourse

OTHER_COURSES = "Other courses"
CLOSING_TITLE = "How to book"
# The contents: each line one height, so the pages it needs are known before it is drawn.
CONTENTS_CATEGORY = (12, 9.0)  # (points, mm a line takes)
CONTENTS_COURSE = (10.5, 6.0)
CONTENTS_INDENT = 6


class BrochureDocument(Document):
    """The cover carries no running footer."""

    def footer(self) -> None:
        if self.page_no() > 1:
            super().footer()


def brochure_pdf(
    sector: str, entries: list[BrochureCourse], introduction: str, now: datetime
) -> bytes:
    """The whole brochure for one sector, as PDF bytes."""
    org = current_app.config["ORG_NAME"]
    label = SECTOR_LABELS[sector]
    pdf = BrochureDocument(f"Training programme: {label.lower()}", org)
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=20)
    pdf.set_subject(f"Courses, dates and {label.lower()} prices")
    categories = by_category(entries)
    _cover(pdf, sector, entries, categories, introduction, now)
    pdf.add_page()
    if categories:
        pdf.heading("Contents", size=22)
        pdf.ln(2)
        pages = _contents_pages(pdf, categories, pdf.get_y())
        pdf.insert_toc_placeholder(_contents, pages=pages)
        for category in categories:
            category_section(pdf, category, sector)
        pdf.add_page()
    else:
        pdf.heading("Courses", size=22)
        pdf.paragraph("New courses are being planned. Please check the website for dates.")
        pdf.ln(6)
    _closing(pdf)
    return pdf.to_bytes()


def by_category(entries: list[BrochureCourse]) -> list[Category]:
    """The courses grouped by category in the order given; those without one come last."""
    named = [
        Category(name, list(group))
        for name, group in groupby(entries, key=lambda e: e.course.category)
        if name
    ]
    unnamed = [e for e in entries if not e.course.category]
    return named + ([Category(OTHER_COURSES, unnamed)] if unnamed else [])


def period_covered(entries: list[BrochureCourse], now: datetime) -> str:
    """'October 2026 to March 2027': the months of the dates listed."""
    starts = [s.starts_at for e in entries for s in e.sessions]
    first = timefmt.to_local(min(starts) if starts else now)
    if not starts:
        return f"From {timefmt.month_label(first.year, first.month)}"
    last = timefmt.to_local(max(starts))
    first_label = timefmt.month_label(first.year, first.month)
    last_label = timefmt.month_label(last.year, last.month)
    return first_label if first_label == last_label else f"{first_label} to {last_label}"


def _cover(
    pdf: Document,
    sector: str,
    entries: list[BrochureCourse],
    categories: list[Category],
    introduction: str,
    now: datetime,
) -> None:
    config = current_app.config
    pdf.add_page()
    pdf.set_fill_color(*BRAND)
    pdf.rect(pdf.l_margin, 18, pdf.epw, 3, style="F")
    pdf.set_y(30)
    pdf.set_text_color(*BRAND)
    pdf.paragraph(config["ORG_NAME"], size=16, style="B")
    pdf.set_text_color(0, 0, 0)
    pdf.set_y(62)
    pdf.paragraph("Training programme", size=40, style="B")
    pdf.ln(4)
    pdf.set_text_color(*BRAND)
    pdf.paragraph(SECTOR_LABELS[sector], size=26, style="B")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)
    pdf.paragraph(period_covered(entries, now), size=16)
    pdf.ln(8)
    pdf.set_draw_color(*RULE)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + 60, pdf.get_y())
    pdf.ln(8)
    pdf.paragraph(introduction, size=12.5)
    pdf.ln(6)
    dates = sum(len(e.sessions) for e in entries)
    pdf.paragraph(
        f"{_count(len(entries), 'course')} and {_count(dates, 'date')}, "
        f"with prices for {SECTOR_LABELS[sector].lower()} organisations.",
        size=12,
        style="B",
    )
    if categories:
        pdf.ln(2)
        names = ", ".join(category.name for category in categories)
        pdf.paragraph(f"In this brochure: {names}.", size=11)

    catalogue = site_url("/courses")
    top = pdf.h - 30 - QR_SIZE
    pdf.qr_code(catalogue, pdf.w - pdf.r_margin - QR_SIZE, top, QR_SIZE)
    pdf.set_xy(pdf.l_margin, top)
    width = pdf.epw - QR_SIZE - 8
    pdf.set_font(FONT, style="B", size=12)
    pdf.text_block(f"Book online at {catalogue}", width, 6, link=catalogue)
    pdf.set_font(FONT, size=11)
    pdf.text_block(f"Email {config['ORG_EMAIL']}", width, 5.5)
    pdf.ln(2)
    pdf.set_text_color(*GREY)
    pdf.set_font(FONT, size=9)
    pdf.text_block(
        f"Dates and places left as at {timefmt.when(now)}. The website always has the latest.",
        width,
        4.5,
    )
    pdf.set_text_color(0, 0, 0)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _contents_pages(pdf: Document, categories: list[Category], top: float) -> int:
    """How many pages the contents take from top: the same walk _contents draws."""
    heights = [
        height
        for category in categories
        for height in [CONTENTS_CATEGORY[1]] + [CONTENTS_COURSE[1]] * len(category.courses)
    ]
    heights.append(CONTENTS_CATEGORY[1])  # the closing page
    pages, y = 1, top
    for height in heights:
        if y + height > pdf.page_break_trigger:
            pages, y = pages + 1, pdf.t_margin
        y += height
    return pages


def _contents(pdf: Document, outline: list[OutlineSection]) -> None:
    """One line each: category (bold) or course (indented), dot leaders, page number."""
    for section in outline:
        if section.level > 1:
            continue
        size, height = CONTENTS_CATEGORY if section.level == 0 else CONTENTS_COURSE
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
        style = "B" if section.level == 0 else ""
        pdf.set_font(FONT, style=style, size=size)
        if section.level == 0:
            pdf.set_text_color(*BRAND)
        indent = CONTENTS_INDENT * section.level
        number = str(section.page_number)
        link = pdf.add_link(page=section.page_number)
        room = pdf.epw - indent - pdf.get_string_width(number) - 8
        title = _fit(pdf, section.name, room)
        dot = pdf.get_string_width(" .")
        leaders = " ." * max(int((room - pdf.get_string_width(title)) / dot), 0)
        # Text sits at the bottom of the line: category lines have room above them.
        pdf.set_x(pdf.l_margin + indent)
        pdf.cell(0, height, f"{title}{leaders}", link=link, align="L", new_x="LMARGIN")
        pdf.cell(0, height, number, link=link, align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)


def _fit(pdf: Document, text: str, width: float) -> str:
    """text, cut short with an ellipsis when wider than width in the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "\u2026") > width:
        text = text[:-1]
    return text.rstrip() + "\u2026"


def _closing(pdf: Document) -> None:
    """How to book, the cancellation policy, access, and how to reach us."""
    config = current_app.config
    pdf.start_section(CLOSING_TITLE, level=0)
    pdf.heading(CLOSING_TITLE, size=22)
    pdf.paragraph(
        f"Book online at {site_url('/courses')}: choose a course and a date, and sign in "
        "or create an account. We email your confirmation straight away, with a calendar "
        "invitation for Outlook, Gmail or Apple Calendar. When a date is full, join its "
        "waiting list: if a place comes free it is offered to the first person waiting, "
        "and we email you."
    )
    free_days, percent = config["CANCELLATION_FREE_DAYS"], config["CANCELLATION_CHARGE_PERCENT"]
    _closing_section(pdf, "Cancellations")
    later = (
        f"Cancelling later is charged {percent}% of the price, unless your place goes to "
        "someone on the waiting list. "
        if percent
        else ""
    )
    pdf.paragraph(
        "You can cancel from My bookings on the website until the session starts. "
        f"Cancelling {free_days} days or more before the start costs nothing. {later}"
        "A place on a course without a fee can be cancelled at any time. If we have to "
        "cancel or move a session, we tell you by email and your calendar is updated."
    )
    _closing_section(pdf, "Access and accessibility")
    pdf.paragraph(
        "Tell us about any access needs or dietary requirements when you book: your "
        "trainer sees them before the day, and we will do all we can to meet them. "
        "Please ask if you would like this brochure in large print or another format."
    )
    _closing_section(pdf, "Contact us")
    contact = [config["ORG_NAME"]]
    if config["ORG_ADDRESS"]:
        contact.append(config["ORG_ADDRESS"])
    contact += [f"Email: {config['ORG_EMAIL']}", f"Website: {site_url('/')}"]
    if config["CHARITY_NUMBER"]:
        contact.append(f"Registered charity number {config['CHARITY_NUMBER']}")
    pdf.paragraph("\n".join(contact))


def _closing_section(pdf: Document, title: str) -> None:
    pdf.ln(5)
    pdf.set_text_color(*BRAND)
    pdf.heading(title, size=14)
    pdf.set_text_color(0, 0, 0)
