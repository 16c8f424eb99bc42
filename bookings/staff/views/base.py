"""The staff blueprint, its guard, and what its list and form pages share."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from ... import paging
from ...auth import staff_required

bp = Blueprint("staff", __name__, url_prefix="/staff")

PER_PAGE = 50


@bp.before_request
@staff_required
def _staff_only():
    """Every page here is for staff; role_required answers everyone else."""


def filter_args(form, **chosen) -> dict:
    """The filters the visitor chose, for page links: only the form's own fields, so a
    crafted address cannot feed url_for's options (_external, _anchor, _method...).
    A value in chosen replaces the address's (one that is empty leaves that filter out)."""
    args = {name: request.args[name] for name in form._fields if request.args.get(name)}
    args.update((name, chosen[name]) for name in form._fields if name in chosen)
    return {name: value for name, value in args.items() if value}


def usable(field, empty):
    """A filter's value, or empty when it did not validate."""
    return empty if field.errors else (field.data or empty)


def page_of(query, order, *, name: str | None = None, count: bool | int = True) -> paging.Page:
    """One page of the query's results in order, from the cursor in the address (or an
    old-style page number); see bookings.paging."""
    return paging.keyset_page(
        query,
        order,
        name=name or request.endpoint,
        args=request.args,
        per_page=PER_PAGE,
        count=count,
    )


@bp.app_template_filter("bounded")
def _bounded(count: int) -> str:
    return paging.bounded(count)


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
