"""The report for funders: a page with charts, and the same figures as PDF and CSV."""

from __future__ import annotations

from functools import partial

from flask import Response, render_template, request
from werkzeug.datastructures import MultiDict

from ...reports import charts, documents
from ...reports import queries as report_queries
from ...reports.forms import ReportForm
from ...spreadsheet import csv_response
from .base import bp


def _form() -> ReportForm:
    """The range asked for; a date left out is this financial year's first or last day."""
    year = report_queries.financial_year()
    values = MultiDict({"from": year.first.isoformat(), "to": year.last.isoformat()})
    for name in ("from", "to"):
        if name in request.args:
            values[name] = request.args[name]
    return ReportForm(values)


def _invalid(form: ReportForm):
    return render_template("staff/reports.html", form=form, report=None), 400


def _filename(form: ReportForm) -> str:
    period = form.period
    return f"training-report-{period.first.isoformat()}-to-{period.last.isoformat()}"


def _download(body: bytes, mimetype: str, form: ReportForm, extension: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers.set(
        "Content-Disposition", "attachment", filename=f"{_filename(form)}.{extension}"
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/reports")
def reports():
    form = _form()
    if not form.validate():
        return _invalid(form)
    report = report_queries.build(form.period)
    return render_template(
        "staff/reports.html",
        form=form,
        report=report,
        figures=documents.headline(report),
        csv_rows=len(documents.report_rows(report)),
        month_chart=charts.attendance_by_month(report),
        sector_chart=charts.attendance_by_sector(report),
        range_args={"from": form.period.first.isoformat(), "to": form.period.last.isoformat()},
    )


@bp.get("/reports.pdf")
def reports_pdf():
    form = _form()
    if not form.validate():
        return _invalid(form)
    body = documents.report_pdf(report_queries.build(form.period))
    return _download(body, "application/pdf", form, "pdf")


@bp.get("/reports.csv")
def reports_csv():
    form = _form()
    if not form.validate():
        return _invalid(form)
    chunks = partial(documents.report_csv, report_queries.build(form.period))
    return csv_response(chunks, f"{_filename(form)}.csv")
