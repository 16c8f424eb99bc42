"""PDF documents built with fpdf2: a page layout in an embedded Unicode font.

Every document draws its text in Noto Sans (static/fonts/, SIL Open Font License),
which covers Latin with its extensions (Polish, Turkish, Vietnamese...), Greek and
Cyrillic, so a learner's name is printed as they wrote it. fpdf2 embeds a subset of
the font with a ToUnicode map, so the text can also be searched and copied.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

import segno
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.prefs import ViewerPreferences
from PIL import Image

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
FONT = "NotoSans"
FONT_FILES = {
    "": "NotoSans-Regular.ttf",
    "B": "NotoSans-Bold.ttf",
    "I": "NotoSans-Italic.ttf",
    # No bold italic is shipped: bold stands in for it rather than failing.
    "BI": "NotoSans-Bold.ttf",
}
# fpdf2's built-in font names: documents that ask for one get the Unicode font instead.
CORE_FAMILIES = frozenset({"helvetica", "arial", "times", "courier"})
LANGUAGE = "en-GB"


@lru_cache(maxsize=1)
def _drawable() -> frozenset[int]:
    """The characters the font has glyphs for (the styles cover the same ones)."""
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(FONT_DIR / FONT_FILES[""], lazy=True).getBestCmap())


def printable(text: object) -> str:
    """text as the document font can draw it.

    Composed (NFC) so accents typed as separate marks print as one letter; a character
    the font lacks becomes its unaccented base letter, or "?", rather than a blank.
    """
    value = unicodedata.normalize("NFC", str(text or ""))
    if value.isascii():
        return value
    drawable = _drawable()
    if all(ord(char) in drawable for char in value):
        return value
    out = []
    for char in value:
        if ord(char) in drawable:
            out.append(char)
            continue
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        out.append(base if base and all(ord(c) in drawable for c in base) else "?")
    return "".join(out)


@lru_cache(maxsize=1024)
def _qr_image(url: str) -> Image.Image:
    """The QR code of url as a black and white image, four pixels a module so that
    viewers which smooth small images still show sharp edges. Kept: a brochure is
    rebuilt with the same course addresses whenever the catalogue changes."""
    code = segno.make(url, error="m", micro=False)
    rows = list(code.matrix_iter(scale=1, border=0))
    image = Image.new("1", (len(rows[0]), len(rows)), 1)
    image.putdata([0 if dark else 1 for row in rows for dark in row])
    return image.resize((image.width * 4, image.height * 4), Image.Resampling.NEAREST)


class Document(FPDF):
    """An A4 document with the organisation's name in the footer and page numbers.

    Its title and language (en-GB) are set in the file, and viewers show the title.
    """

    def __init__(self, title: str, org_name: str, orientation: str = "portrait"):
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self._fonts_added: set[str] = set()
        self.doc_title = printable(title)
        self.org_name = printable(org_name)
        self.set_title(self.doc_title)
        self.set_author(self.org_name)
        self.set_creator(self.org_name)
        self.set_lang(LANGUAGE)
        self.viewer_preferences = ViewerPreferences(display_doc_title=True)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(16, 16, 16)
        self.set_font(FONT, size=11)

    def set_font(self, family: str | None = None, style="", size: float = 0) -> None:
        """As FPDF.set_font, but every text family is the embedded Unicode font."""
        family = family or self.font_family or FONT
        if family.lower() in CORE_FAMILIES or family.lower() == FONT.lower():
            family = FONT
            letters = style if isinstance(style, str) else style.style
            key = "".join(s for s in "BI" if s in letters.upper())
            # Each style is read from disk the first time a document uses it.
            if key not in self._fonts_added:
                self.add_font(FONT, key, str(FONT_DIR / FONT_FILES[key]))
                self._fonts_added.add(key)
        super().set_font(family, style, size)

    def normalize_text(self, text: str) -> str:
        return super().normalize_text(printable(text))

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, f"{self.org_name} \u2013 {self.doc_title}", align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0, 0, 0)

    # Ragged right: justified lines open up gaps between words, worst in short lines.
    def heading(self, text: str, size: int = 18) -> None:
        self.set_font(FONT, style="B", size=size)
        self.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def paragraph(self, text: str, size: int = 11, style: str = "") -> None:
        self.set_font(FONT, style=style, size=size)
        self.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def centred_line(self, text: str, size: int, style: str = "", smallest: int = 12) -> None:
        """One centred line, smaller when it would not fit; wrapped when even that fails."""
        # multi_cell keeps its cell margin clear on both sides.
        width = self.w - self.l_margin - self.r_margin - 2 * self.c_margin
        chosen = size  # wrapped at full size if no size fits on one line
        for candidate in range(size, smallest - 1, -1):
            self.set_font(FONT, style=style, size=candidate)
            if self.get_string_width(text) <= width:
                chosen = candidate
                break
        self.set_font(FONT, style=style, size=chosen)
        self.multi_cell(0, chosen * 0.5, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def text_width(self, text: str) -> float:
        """The width of printable text in the current font, in mm: get_string_width
        without its bidirectional and markdown passes, which cost more than the sum."""
        widths = self.current_font.cw
        return sum(widths[ord(char)] for char in text) * self.font_size_pt * 0.001 / self.k

    def wrap(self, text: str, width: float) -> list[str]:
        """text as lines that fit a cell width wide in the current font.

        Broken at spaces (a word longer than a line is broken where it must), its own
        line breaks kept. Word by word, so long documents lay out quickly.
        """
        room = width - 2 * self.c_margin
        space = self.text_width(" ")
        lines = []
        for paragraph in printable(text).split("\n"):
            line, used = "", 0.0
            for word in paragraph.split():
                size = self.text_width(word)
                if line and used + space + size <= room:
                    line, used = f"{line} {word}", used + space + size
                    continue
                if line:
                    lines.append(line)
                while size > room and len(word) > 1:
                    cut = len(word) - 1
                    while cut > 1 and self.text_width(word[:cut]) > room:
                        cut -= 1
                    lines.append(word[:cut])
                    word = word[cut:]
                    size = self.text_width(word)
                line, used = word, size
            lines.append(line)
        return lines

    def text_block(
        self, text: str, width: float, line_height: float, align: str = "L", link: str = ""
    ) -> int:
        """text wrapped to width from the current position, a new page when it runs past
        the bottom; the position ends at the same x under the block. Returns the lines.

        Each line is placed as cell() would place it, at a tenth of cell()'s cost, which
        counts in a brochure of thousands of lines.
        """
        x = self.x
        lines = self.wrap(text, width)
        for line in lines:
            if self.auto_page_break and self.y + line_height > self.page_break_trigger:
                self.add_page()
            self.line_of_text(line, x, self.y, width, line_height, align, link)
            self.y += line_height
        self.x = x
        return len(lines)

    def line_of_text(
        self,
        text: str,
        x: float,
        y: float,
        width: float,
        height: float,
        align: str = "L",
        link: str = "",
    ) -> None:
        """One line in the box at (x, y), width by height, aligned L, C or R."""
        text = printable(text)
        used = self.text_width(text)
        if align == "R":
            left = x + width - self.c_margin - used
        elif align == "C":
            left = x + (width - used) / 2
        else:
            left = x + self.c_margin
        # The baseline cell() uses.
        self.text(left, y + 0.5 * height + 0.3 * self.font_size, text)
        if link:
            self.link(left, y, used, height, link)

    def qr_code(self, url: str, x: float, y: float, size: float) -> None:
        """A QR code of url, size mm square with its top left at (x, y), linked to url."""
        self.image(_qr_image(url), x=x, y=y, w=size, h=size, link=url, alt_text=f"QR code: {url}")

    def to_bytes(self) -> bytes:
        return bytes(self.output())
