"""The certificate of attendance as a landscape A4 page an employer can check."""

from __future__ import annotations

from flask import current_app

from ..models import Certificate
from ..pdf import FONT, Document
from ..web import site_url
from .service import attended_on

BRAND = (29, 79, 145)
OUTCOME_SIZES = (11, 10, 9, 8)  # points, tried in turn until the outcomes fit
OUTCOMES_WIDTH = 200  # mm, centred
OUTCOMES_BOTTOM = 158  # mm: the verification block starts below
QR_SIZE = 24  # mm


class CertificateDocument(Document):
    """A page that stands alone: a frame instead of the running footer."""

    def footer(self) -> None:
        pass


def verification_url(certificate: Certificate) -> str:
    return site_url(f"/certificates/{certificate.code}")


def certificate_pdf(certificate: Certificate) -> bytes:
    """One landscape page: the learner's name large, the course, date, duration, trainer
    and learning outcomes, then the verification code, its web address and a QR code."""
    booking = certificate.booking
    session = booking.session
    course = session.course
    org = current_app.config["ORG_NAME"]
    pdf = CertificateDocument(f"Certificate of attendance: {course.title}", org, "landscape")
    pdf.set_auto_page_break(False)
    pdf.set_margins(22, 18, 22)
    pdf.add_page()
    _frame(pdf)

    pdf.set_y(22)
    pdf.set_text_color(*BRAND)
    pdf.centred_line(org, size=14, style="B", smallest=10)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(3)
    pdf.centred_line("Certificate of attendance", size=30, style="B")
    pdf.ln(4)
    pdf.centred_line("This is to certify that", size=13)
    pdf.ln(2)
    pdf.centred_line(booking.learner.name, size=28, style="B", smallest=11)
    pdf.ln(2)
    pdf.centred_line("attended the course", size=13)
    pdf.ln(2)
    pdf.set_text_color(*BRAND)
    pdf.centred_line(course.title, size=20, style="B", smallest=13)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)
    details = [f"on {attended_on(session)}"]
    if course.duration:
        details.append(f"Duration: {course.duration}")
    if session.trainer:
        details.append(f"Trainer: {session.trainer.name}")
    pdf.centred_line("  \u00b7  ".join(details), size=12, smallest=9)
    _outcomes(pdf, [line.strip() for line in course.outcomes.splitlines() if line.strip()])
    _verification(pdf, certificate)
    return pdf.to_bytes()


def _frame(pdf: Document) -> None:
    pdf.set_draw_color(*BRAND)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_line_width(0.3)
    pdf.rect(13, 13, pdf.w - 26, pdf.h - 26)
    pdf.set_draw_color(0, 0, 0)


def _outcomes(pdf: Document, outcomes: list[str]) -> None:
    """The learning outcomes in the space left, in the largest size that fits."""
    if not outcomes:
        return
    pdf.ln(5)
    top = pdf.get_y()
    x = (pdf.w - OUTCOMES_WIDTH) / 2
    room = OUTCOMES_BOTTOM - top
    shown, size = outcomes, OUTCOME_SIZES[-1]
    for candidate in OUTCOME_SIZES:
        if _outcomes_height(pdf, outcomes, candidate) <= room:
            shown, size = outcomes, candidate
            break
    else:
        # Even the smallest size overflows: as many as fit, and a count of the rest.
        while len(shown) > 1 and _outcomes_height(pdf, shown, size, more=True) > room:
            shown = shown[:-1]
    pdf.set_x(x)
    pdf.set_font(FONT, style="B", size=size + 1)
    pdf.cell(OUTCOMES_WIDTH, (size + 1) * 0.5, "Learning outcomes", new_x="LEFT", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font(FONT, size=size)
    for outcome in shown:
        pdf.set_x(x)
        pdf.multi_cell(
            OUTCOMES_WIDTH, size * 0.48, f"\u2022  {outcome}", align="L", new_x="LEFT", new_y="NEXT"
        )
    if len(shown) < len(outcomes):
        pdf.set_x(x)
        pdf.multi_cell(
            OUTCOMES_WIDTH,
            size * 0.48,
            f"and {len(outcomes) - len(shown)} more: see the course page.",
            align="L",
            new_x="LEFT",
            new_y="NEXT",
        )


def _outcomes_height(pdf: Document, outcomes: list[str], size: int, more: bool = False) -> float:
    pdf.set_font(FONT, size=size)
    lines = sum(
        len(
            pdf.multi_cell(
                OUTCOMES_WIDTH, size * 0.48, f"\u2022  {o}", dry_run=True, output="LINES"
            )
        )
        for o in outcomes
    )
    return (size + 1) * 0.5 + 1 + (lines + (1 if more else 0)) * size * 0.48


def _verification(pdf: Document, certificate: Certificate) -> None:
    """The code, where to check it, and a QR code of that address, along the bottom."""
    url = verification_url(certificate)
    qr_x, qr_y = pdf.w - 22 - QR_SIZE, pdf.h - 20 - QR_SIZE
    pdf.qr_code(url, qr_x, qr_y, QR_SIZE)
    width = qr_x - 4 - 22
    pdf.set_xy(22, qr_y + 2)
    pdf.set_font(FONT, size=10)
    pdf.cell(width, 5, "Verification code", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, style="B", size=14)
    pdf.cell(width, 7, certificate.code, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=10)
    pdf.cell(width, 5, f"Check this certificate at {url}", link=url, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(90, 90, 90)
    pdf.cell(
        width,
        5,
        f"Booking reference {certificate.booking.reference}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_text_color(0, 0, 0)
