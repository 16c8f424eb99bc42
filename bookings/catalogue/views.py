"""Public pages: home, catalogue, course pages, health check."""

from flask import Blueprint, render_template
from sqlalchemy import text

from ..extensions import db

bp = Blueprint("catalogue", __name__)


@bp.get("/")
def home():
    return render_template("catalogue/home.html")


@bp.get("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
