"""Export bookings as a CSV file for a range of session dates.

The page counts the bookings the chosen dates cover and offers them as one download;
the file streams, however many rows it has.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from flask import render_template, request
from flask_login import current_user

from ... import timefmt
from ...models import utcnow
from ...spreadsheet import csv_response
from ...web import committing
from .. import queries
from ..export import BookingsExport, bookings_csv, count_bookings, counted_now, record_export
from ..forms import ExportForm, options
from .base import bp

# With this in the query the page shows the count for the dates chosen, not the file.
PREVIEW = "preview"


def _form() -> ExportForm:
    if request.args:
        form = ExportForm(request.args)
    else:
        today = timefmt.to_local(utcnow()).date()
        form = ExportForm(
            formdata=None, date_from=today.replace(day=1), date_to=today + timedelta(days=90)
        )
    form.course.choices = options(
        [(0, "All courses")] + [(c.id, c.title) for c in queries.course_titles()]
    )
    return form


@bp.get("/exports")
def exports():
    form = _form()
    if request.args and not form.validate():
        return render_template("staff/exports.html", form=form), 400
    export = BookingsExport(form.date_from.data, form.date_to.data, form.course.data or 0)
    if request.args and PREVIEW not in request.args:
        export, count = counted_now(export)
        with committing():
            record_export(export, count, by=current_user)
        return csv_response(partial(bookings_csv, export), export.filename)
    count = count_bookings(export)
    download = {
        "date_from": export.date_from.isoformat(),
        "date_to": export.date_to.isoformat(),
        "course": export.course_id,
    }
    titles = {choice.value: choice.label for choice in form.course.choices}
    return render_template(
        "staff/exports.html",
        form=form,
        export=export,
        count=count,
        download=download,
        course_title=titles.get(export.course_id) if export.course_id else None,
    )
