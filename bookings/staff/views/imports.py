"""Import the catalogue from a CSV file uploaded by staff."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user

from ...catalogue import importer
from ...web import committing
from ..forms import ImportForm
from .base import FormPage, bp


def _import_page(form) -> FormPage:
    return FormPage("staff/import.html", form, columns=importer.COLUMNS, report=None)


def too_large():
    """The import page, saying beside the file field that the upload was over the limit."""
    form = ImportForm(formdata=None)
    limit = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
    form.file.errors = [f"The file is too big: the limit is {limit} MB."]
    return _import_page(form).shown(413)


@bp.route("/import", methods=["GET", "POST"])
def catalogue_import():
    form = ImportForm()
    page = _import_page(form)
    if not form.validate_on_submit():
        return page.shown()
    with committing(form, field="file") as outcome:
        report = importer.import_upload(form.file.data.read(), by=current_user)
    if outcome.refused:
        return page.shown()
    return _import_page(ImportForm(formdata=None)).shown(200, report=report)
