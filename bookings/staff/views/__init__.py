"""Staff area: one blueprint, its views split by task into the modules here."""

from __future__ import annotations

from flask import render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from . import (  # noqa: F401  (each module adds its routes to bp)
    audit,
    bookings,
    brochures,
    courses,
    dashboard,
    enquiries,
    exports,
    feedback,
    imports,
    interest,
    invoices,
    news,
    outbox,
    outcomes,
    reports,
    sessions,
    users,
)
from .base import bp

__all__ = ["bp"]

# The upload pages that say "too big" beside their file field.
_TOO_LARGE = {
    "staff.brochure_upload": brochures.too_large,
    "staff.catalogue_import": imports.too_large,
}


@bp.errorhandler(RequestEntityTooLarge)
def _upload_too_large(exc: RequestEntityTooLarge):
    """Say so beside the file field rather than on a bare error page."""
    page = _TOO_LARGE.get(request.endpoint)
    if page is not None:
        return page()
    return render_template("errors/error.html", error=exc), 413
