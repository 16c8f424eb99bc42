"""Demand for new dates: who is waiting to hear, course by course, and the list as CSV."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from flask import render_template, request

from ... import timefmt
from ...interest import queries
from ...models import utcnow
from ...spreadsheet import csv_chunks, csv_response
from .base import bp


@bp.get("/interest")
def interest():
    return render_template(
        "staff/interest.html",
        demand=queries.demand_per_course(),
        export_count=queries.export_count(),
    )


@bp.get("/interest.csv")
def interest_csv():
    course_id = request.args.get("course", 0, type=int)
    filename = f"new-dates-wanted-{timefmt.to_local(utcnow()).date().isoformat()}.csv"
    return csv_response(partial(_interest_csv, course_id), filename)


def _interest_csv(course_id: int) -> Iterator[str]:
    rows = (
        (title, email, name or "", timefmt.to_local(confirmed_at).strftime("%Y-%m-%d %H:%M"))
        for title, email, name, confirmed_at in queries.export_rows(course_id)
    )
    return csv_chunks(["Course", "Email", "Name", "Signed up"], rows)
