"""Staff pages for the sector brochures: upload, download, withdraw or restore, and the
introduction on the cover of each generated brochure."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ...brochures import queries as brochure_queries
from ...brochures import service as brochures
from ...brochures.forms import INTRODUCTION_MAX, IntroductionForm
from ...enums import SECTOR_LABELS
from ...extensions import db
from ...models import Brochure
from ...web import committing
from ..forms import ActionForm, BrochureUploadForm
from .base import bp


def _introduction_form() -> IntroductionForm:
    """The introductions form as saved: empty where the standard introduction is used."""
    return IntroductionForm(
        formdata=None, data={s: brochure_queries.introduction(s) or "" for s in SECTOR_LABELS}
    )


def _brochures_page(form, status=200, introductions=None):
    return (
        render_template(
            "staff/brochures.html",
            form=form,
            introductions=introductions if introductions is not None else _introduction_form(),
            standard={s: brochures.standard_introduction(s) for s in SECTOR_LABELS},
            introduction_max=INTRODUCTION_MAX,
            uploads=brochure_queries.uploads(),
            current={s: brochure_queries.current_upload(s) for s in SECTOR_LABELS},
            action=ActionForm(formdata=None),
        ),
        status,
    )


def too_large():
    """The brochures page, saying beside the file field that the upload was over the limit."""
    form = BrochureUploadForm(formdata=None)
    limit = current_app.config["BROCHURE_MAX_BYTES"] // (1024 * 1024) or 1
    form.file.errors = [f"The file is too big: the limit is {limit} MB."]
    return _brochures_page(form, 413)


@bp.get("/brochures")
def brochures_index():
    return _brochures_page(BrochureUploadForm())


@bp.post("/brochures")
def brochure_upload():
    form = BrochureUploadForm()
    if not form.validate_on_submit():
        return _brochures_page(form, 400)
    upload = form.file.data
    content = upload.read(current_app.config["BROCHURE_MAX_BYTES"] + 1)
    with committing(form, field="file") as outcome:
        brochure = brochures.store_upload(
            form.sector.data, content, upload.filename or "", current_user
        )
    if outcome.refused:
        return _brochures_page(form, 400)
    flash(f"Uploaded the {SECTOR_LABELS[brochure.sector].lower()} brochure.", "success")
    return redirect(url_for("staff.brochures_index"), 303)


@bp.get("/brochures/<int:brochure_id>.pdf")
def brochure_file(brochure_id: int):
    brochure = db.get_or_404(Brochure, brochure_id)
    path = brochures.upload_path(brochure)
    if not path.is_file():
        abort(404)
    return send_file(
        path,
        mimetype="application/pdf",
        download_name=brochure.original_name or brochure.stored_name,
    )


@bp.post("/brochures/<int:brochure_id>/withdraw")
def brochure_withdraw(brochure_id: int):
    brochure = db.get_or_404(Brochure, brochure_id)
    if ActionForm().validate_on_submit():
        withdrawn = request.form.get("withdrawn", "1") == "1"
        with committing():
            brochures.set_withdrawn(brochure.id, withdrawn, by=current_user)
        flash("Brochure withdrawn." if withdrawn else "Brochure restored.", "success")
    return redirect(url_for("staff.brochures_index"), 303)


@bp.post("/brochures/introductions")
def brochure_introductions():
    form = IntroductionForm()
    upload_form = BrochureUploadForm(formdata=None)
    if not form.validate_on_submit():
        return _brochures_page(upload_form, 400, introductions=form)
    with committing(form) as outcome:
        brochures.save_introductions(form.texts(), current_user)
    if outcome.refused:
        return _brochures_page(upload_form, 400, introductions=form)
    flash("Saved the brochure introductions. The brochures now open with them.", "success")
    return redirect(url_for("staff.brochures_index"), 303)
