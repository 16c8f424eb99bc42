"""A learner's invoices and credit notes: the list, and each document as a PDF."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template
from flask_login import current_user, login_required

from ..models import Invoice
from . import documents, queries
from .service import today

bp = Blueprint("payments", __name__)


def _visible(invoice: Invoice | None) -> Invoice:
    """The invoice, if the signed-in user may see it (its owner or staff); else 404."""
    if invoice is None or (invoice.user_id != current_user.id and not current_user.is_staff):
        abort(404)
    return invoice


def _pdf(data: bytes, number: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers.set("Content-Disposition", "inline", filename=f"{number}.pdf")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/account/invoices")
@login_required
def my_invoices():
    invoices = queries.invoices_of(current_user.id)
    notes = sorted(
        (note for invoice in invoices for note in invoice.credit_notes),
        key=lambda note: (note.issued_on, note.id),
        reverse=True,
    )
    return render_template(
        "payments/my_invoices.html", invoices=invoices, credit_notes=notes, today=today()
    )


@bp.get("/invoices/<number>.pdf")
@login_required
def invoice_pdf(number: str):
    invoice = _visible(queries.invoice_by_number(number))
    return _pdf(documents.invoice_pdf(invoice), invoice.number)


@bp.get("/credit-notes/<number>.pdf")
@login_required
def credit_note_pdf(number: str):
    note = queries.credit_note_by_number(number)
    _visible(note.invoice if note is not None else None)
    return _pdf(documents.credit_note_pdf(note), note.number)
