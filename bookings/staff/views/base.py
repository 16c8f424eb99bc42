"""The staff blueprint, its guard, and what its list and form pages share."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from ...auth import staff_required
from ...extensions import db

bp = Blueprint("staff", __name__, url_prefix="/staff")

PER_PAGE = 50


@bp.before_request
@staff_required
def _staff_only():
    """Every page here is for staff; role_required answers everyone else."""


def filter_args(form) -> dict:
    """The filters the visitor chose, for page links: only the form's own fields, so a
    crafted address cannot feed url_for's options (_external, _anchor, _method...)."""
    return {name: request.args[name] for name in form._fields if request.args.get(name)}


def usable(field, empty):
    """A filter's value, or empty when it did not validate."""
    return empty if field.errors else (field.data or empty)


def page_of(query):
    """One page of the query's results, by the page number in the address."""
    # A page number past any real list (or too big for the database) shows an empty page.
    number = min(max(request.args.get("page", 1, type=int), 1), 100_000)
    return db.paginate(query, page=number, per_page=PER_PAGE, error_out=False)


class FormPage:
    """A page with a form: shown when asked for, and again with a 400 when what was sent
    is not valid or a rule refused it (the errors then stand beside their fields)."""

    def __init__(self, template: str, form, **context):
        self.template = template
        self.form = form
        self.context = context

    def shown(self, status: int | None = None, **extra):
        if status is None:
            status = 400 if self.form.is_submitted() else 200
        context = {"form": self.form, **self.context, **extra}
        return render_template(self.template, **context), status
