"""Demand for new dates: who is waiting to hear, course by course, and the list as CSV."""

from __future__ import annotations

from flask import Response, render_template, request

from ... import timefmt
from ...interest import queries
from ...models import utcnow
from ...spreadsheet import csv_text
from .base import bp


@bp.get("/interest")
def interest():
    return render_template("staff/interest.html", demand=queries.demand_per_course())


@bp.get("/interest.csv")
def interest_csv():
    course_id = request.args.get("course", 0, type=int)
    rows = (
        (title, email, name or "", timefmt.to_local(confirmed_at).strftime("%Y-%m-%d %H:%M"))
        for title, email, name, confirmed_at in queries.export_rows(course_id)
    )
    body = csv_text(["Course", "Email", "Name", "Signed up"], rows)
    filename = f"new-dates-wanted-{timefmt.to_local(utcnow()).date().isoformat()}.csv"
    response = Response(body.encode("utf-8"), mimetype="text/csv; charset=utf-8")
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response
