"""The public check of a certificate: an employer confirms name, course and date."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from ..extensions import limiter
from . import queries
from .service import attended_on

bp = Blueprint("certificates", __name__)

# Codes are far too many to guess; the limit keeps anyone from trying at scale.
CHECK_LIMIT = "60 per minute"


@bp.get("/certificates/<code>")
@limiter.limit(CHECK_LIMIT)
def verify(code: str):
    certificate = queries.by_code(code)
    if certificate is None:
        abort(404)
    booking = certificate.booking
    response = current_app.make_response(
        render_template(
            "certificates/verify.html",
            certificate=certificate,
            name=booking.learner.name,
            course=booking.session.course.title,
            date=attended_on(booking.session),
        )
    )
    # The page names a person: for whoever holds the code, not for search engines or
    # shared caches, and never stale once a certificate is withdrawn.
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Cache-Control"] = "private, no-cache"
    return response
