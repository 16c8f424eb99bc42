"""Staff correct attendance outcomes: attended, absent (no-show), late cancellation."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user

from ...extensions import db
from ...models import Session
from ...trainer.forms import outcome_form
from ...web import committing
from .. import queries, service
from .base import FormPage, bp


@bp.route("/sessions/<int:session_id>/outcomes", methods=["GET", "POST"])
def session_outcomes(session_id: int):
    session = db.get_or_404(Session, session_id)
    bookings = queries.outcome_bookings(session)
    form = outcome_form(bookings)
    page = FormPage("staff/outcomes.html", form, session=session, bookings=bookings)
    if not form.validate_on_submit():
        return page.shown()
    with committing(form) as outcome:
        changed = service.correct_outcomes(session, form.outcomes(), by=current_user)
    if outcome.refused:
        return page.shown()
    flash(f"Outcomes saved ({changed} change{'' if changed == 1 else 's'}).", "success")
    return redirect(url_for("staff.session_outcomes", session_id=session.id), 303)
