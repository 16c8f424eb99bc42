"""The staff dashboard: sessions at risk, upcoming, with waiting lists; email trouble;
new enquiries and the people waiting for new dates."""

from __future__ import annotations

from flask import render_template

from ...enquiries.queries import new_count
from ...interest.queries import demand_per_course
from .. import queries
from .base import bp


@bp.get("")
def dashboard():
    return render_template(
        "staff/dashboard.html",
        board=queries.dashboard(),
        new_enquiries=new_count(),
        demand=demand_per_course(),
    )
