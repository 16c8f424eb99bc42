"""CSV files that open cleanly in Excel: UTF-8 with a BOM, and no cell read as a formula.

Files are written a chunk of rows at a time (csv_chunks), so an export of any size is
sent as it is read from the database and never sits whole in memory; csv_response
sends such chunks as a download.
"""

from __future__ import annotations

import contextvars
import csv
import io
from collections.abc import Callable, Iterable, Iterator

from flask import Response, current_app

# Excel runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
# Rows written per chunk sent: small enough to keep memory flat, large enough that
# a big file is not sent in thousands of tiny writes.
CHUNK_ROWS = 500
CSV_MIMETYPE = "text/csv; charset=utf-8"


def safe_cell(value: object) -> str:
    """value as text; text people typed that Excel would run is prefixed with an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_chunks(
    header: list[str],
    rows: Iterable[Iterable[object]],
    *,
    bom: bool = True,
    made_safe: bool = False,
    chunk_rows: int = CHUNK_ROWS,
) -> Iterator[str]:
    """The file as text, the header first then chunk_rows rows at a time; with bom it
    starts with a BOM so Excel reads it as UTF-8. Every cell goes through safe_cell
    unless the rows are made_safe already (the caller chose the cells to defuse, so a
    negative amount stays a number)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def taken() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(header)
    yield (BOM if bom else "") + taken()
    waiting = 0
    for row in rows:
        writer.writerow(row if made_safe else [safe_cell(cell) for cell in row])
        waiting += 1
        if waiting >= chunk_rows:
            yield taken()
            waiting = 0
    if waiting:
        yield taken()


def csv_text(header: list[str], rows: Iterable[Iterable[object]]) -> str:
    """The whole file as text, starting with a BOM so Excel reads it as UTF-8 (for the
    small files that are built whole)."""
    return "".join(csv_chunks(header, rows))


def csv_response(write: Callable[[], Iterable[str]], filename: str) -> Response:
    """A CSV download whose body is write()'s chunks, sent as they are written.

    write is called when the body is first read, after the view has returned and the
    request's context (and database session) are gone: it runs in an app context of
    its own, with its own session, closed with the body. The file's queries run as it
    is sent. Anything the file needs from the request (who asked, the filters) is
    worked out before. That context lives in a contextvars.Context of the body's own,
    so a body read partway (a client that went away, a test reading only the status)
    leaves no app context pushed on whoever read it.
    """
    app = current_app._get_current_object()

    def chunks() -> Iterator[str]:
        with app.app_context():
            yield from write()

    def body() -> Iterator[str]:
        own, written = contextvars.Context(), chunks()
        try:
            while True:
                try:
                    chunk = own.run(next, written)
                except StopIteration:
                    return
                yield chunk
        finally:
            own.run(written.close)

    response = Response(body(), mimetype=CSV_MIMETYPE)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response
