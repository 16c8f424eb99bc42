"""The staff dashboard: sessions at risk, upcoming, with waiting lists; email trouble."""

from __future__ import annotations

from flask import render_template

from .. import queries
from .base import bp


@bp.get("")
def dashboard():
    return render_template("staff/dashboard.html", board=queries.dashboard())
