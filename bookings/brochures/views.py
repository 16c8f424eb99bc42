"""The two sector brochures."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, send_file

from ..enums import SECTORS
from . import queries, service

bp = Blueprint("brochures", __name__)


@bp.get("/brochures")
def index():
    return render_template("brochures/index.html", brochures=queries.brochure_infos())


@bp.get("/brochures/<sector>.pdf")
def brochure(sector: str):
    if sector not in SECTORS:
        abort(404)
    filename = f"{sector}-sector-training-brochure.pdf"
    upload = queries.current_upload(sector)
    if upload is not None:
        path = service.upload_path(upload)
        if path.is_file():
            return send_file(path, mimetype="application/pdf", download_name=filename, max_age=300)
    response = Response(service.generated_pdf(sector), mimetype="application/pdf")
    response.headers.set("Content-Disposition", "inline", filename=filename)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
