"""How a view runs a write: commit at the edge of the request, or refuse with a message.

Every view that changes data does it inside `committing`:

    with committing(form, field="session_id") as outcome:
        booking = service.book(...)
    if outcome.refused:
        return render_template("booking/book.html", form=form), 400

On success the transaction is committed as the block ends. A DomainError raised in
the block rolls the transaction back and puts the error's message beside the field
it names (`exc.field`, else the `field` given here), or, with no field, at the top of
the page (a flashed error, shown by base.html on the page rendered next). Any other
exception rolls back and propagates. Views never call commit() or rollback().
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import current_app, flash

from .errors import DomainError
from .extensions import db


@dataclass
class Outcome:
    """What became of a write: refused carries the domain error, if any."""

    error: DomainError | None = None

    @property
    def refused(self) -> bool:
        return self.error is not None

    @property
    def message(self) -> str:
        return str(self.error) if self.error is not None else ""


@contextmanager
def committing(
    form=None, field: str | None = None, *, reraise: tuple[type[DomainError], ...] = ()
) -> Iterator[Outcome]:
    """Run the block as one transaction: commit on success, refuse on a DomainError.

    Errors of the reraise types are rolled back too, then raised for a view that
    answers them its own way (a redirect to the booking already made, say).
    """
    outcome = Outcome()
    try:
        yield outcome
    except reraise:
        db.session.rollback()
        raise
    except DomainError as exc:
        db.session.rollback()
        outcome.error = exc
        show_error(exc, form, field)
    except BaseException:
        db.session.rollback()
        raise
    else:
        db.session.commit()


def form_field(form, name: str):
    """The field called name on form; a list entry's field by its HTML name too
    ("attendees-1-email"). None when there is no such field."""
    if name in form:
        return form[name]
    head, _, rest = name.partition("-")
    index, _, sub = rest.partition("-")
    entries = getattr(form[head], "entries", None) if head in form else None
    if not entries or not index.isdigit() or int(index) >= len(entries):
        return None
    entry = entries[int(index)]
    subform = getattr(entry, "form", None)
    if sub and subform is not None:
        return subform[sub] if sub in subform else None  # noqa: SIM401 (forms have no get)
    return entry


def show_error(exc: DomainError, form=None, field: str | None = None) -> None:
    """Put the error's message beside its field on form, or at the top of the page."""
    name = exc.field or field
    target = form_field(form, name) if form is not None and name is not None else None
    if target is not None:
        target.errors = [*target.errors, str(exc)]
    else:
        flash(str(exc), "error")


def site_url(path: str) -> str:
    """An absolute link on the public site, for documents read away from it (PDFs)."""
    return current_app.config["SITE_URL"].rstrip("/") + path
