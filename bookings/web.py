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


def show_error(exc: DomainError, form=None, field: str | None = None) -> None:
    """Put the error's message beside its field on form, or at the top of the page."""
    name = exc.field or field
    if form is not None and name is not None and name in form:
        form[name].errors = [*form[name].errors, str(exc)]
    else:
        flash(str(exc), "error")


def site_url(path: str) -> str:
    """An absolute link on the public site, for documents read away from it (PDFs)."""
    return current_app.config["SITE_URL"].rstrip("/") + path
