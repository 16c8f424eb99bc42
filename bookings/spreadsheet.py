"""CSV files that open cleanly in Excel: UTF-8 with a BOM, and no cell read as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

# Excel runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """value as text; text people typed that Excel would run is prefixed with an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: list[str], rows: Iterable[Iterable[object]]) -> str:
    """The whole file as text, starting with a BOM so Excel reads it as UTF-8."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()
