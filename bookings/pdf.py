"""PDF documents built with fpdf2: a page layout and text made safe for its core fonts.

The core fonts (Helvetica) cover Latin-1 only, so text is folded to it first:
typographic dashes and quotes become their plain forms, accents that Latin-1
lacks are dropped, and anything else becomes "?". "£" is in Latin-1.
"""

from __future__ import annotations

import unicodedata

from fpdf import FPDF
from fpdf.enums import XPos, YPos

_PLAIN = str.maketrans(
    {
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2026": "...",
        "\u2022": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u20ac": "EUR",
        "\u0141": "L",
        "\u0142": "l",
        "\u0152": "OE",
        "\u0153": "oe",
    }
)


def latin1(text: object) -> str:
    """text as the core PDF fonts can draw it."""
    value = str(text or "").translate(_PLAIN)
    try:
        value.encode("latin-1")
        return value
    except UnicodeEncodeError:
        pass
    out = []
    for char in value:
        try:
            char.encode("latin-1")
            out.append(char)
            continue
        except UnicodeEncodeError:
            pass
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        try:
            base.encode("latin-1")
            out.append(base or "?")
        except UnicodeEncodeError:
            out.append("?")
    return "".join(out)


class Document(FPDF):
    """An A4 document with the organisation's name in the footer and page numbers."""

    def __init__(self, title: str, org_name: str, orientation: str = "portrait"):
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.doc_title = latin1(title)
        self.org_name = latin1(org_name)
        self.set_title(self.doc_title)
        self.set_author(self.org_name)
        self.set_creator(self.org_name)
        self.set_lang("en-GB")
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(16, 16, 16)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, f"{self.org_name} - {self.doc_title}", align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0, 0, 0)

    # Ragged right: justified lines open up gaps between words, worst in short lines.
    def heading(self, text: str, size: int = 18) -> None:
        self.set_font("Helvetica", style="B", size=size)
        self.multi_cell(0, size * 0.5, latin1(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def paragraph(self, text: str, size: int = 11, style: str = "") -> None:
        self.set_font("Helvetica", style=style, size=size)
        self.multi_cell(0, size * 0.5, latin1(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def centred_line(self, text: str, size: int, style: str = "", smallest: int = 12) -> None:
        """One centred line, smaller when it would not fit; wrapped when even that fails."""
        text = latin1(text)
        width = self.w - self.l_margin - self.r_margin
        chosen = size  # wrapped at full size if no size fits on one line
        for candidate in range(size, smallest - 1, -1):
            self.set_font("Helvetica", style=style, size=candidate)
            if self.get_string_width(text) <= width:
                chosen = candidate
                break
        self.set_font("Helvetica", style=style, size=chosen)
        self.multi_cell(0, chosen * 0.5, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def to_bytes(self) -> bytes:
        return bytes(self.output())
