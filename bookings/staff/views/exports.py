"""Export bookings as a CSV file for a range of session dates."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, render_template, request
from flask_login import current_user

from ... import timefmt
from ...models import utcnow
from ...web import committing
from .. import queries
from ..export import export_bookings_csv
from ..forms import ExportForm, options
from .base import bp


@bp.get("/exports")
def exports():
    if request.args:
        form = ExportForm(request.args)
    else:
        today = timefmt.to_local(utcnow()).date()
        form = ExportForm(
            formdata=None, date_from=today.replace(day=1), date_to=today + timedelta(days=90)
        )
    form.course.choices = options(
        [(0, "All courses")] + [(c.id, c.title) for c in queries.courses()]
    )
    if not request.args:
        return render_template("staff/exports.html", form=form)
    if not form.validate():
        return render_template("staff/exports.html", form=form), 400
    with committing():
        body = export_bookings_csv(
            form.date_from.data, form.date_to.data, form.course.data, by=current_user
        )
    filename = f"bookings-{form.date_from.data.isoformat()}-to-{form.date_to.data.isoformat()}.csv"
    response = Response(body.encode("utf-8"), mimetype="text/csv; charset=utf-8")
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response
