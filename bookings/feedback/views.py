"""Feedback: the learner's form behind a personal link, and a trainer's session results."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import paging, timefmt
from ..auth import trainer_required
from ..errors import FeedbackLinkInvalid, NotYourSession, Refusal
from ..extensions import db
from ..models import Booking, Session
from ..trainer.service import check_delivers
from ..web import committing
from . import queries, service, tokens
from .forms import FeedbackForm

bp = Blueprint("feedback", __name__)

COMMENTS_PER_PAGE = 50


def _problem(message: str, status: int):
    """A friendly page for a link that cannot be used, saying what to do instead."""
    return render_template("feedback/problem.html", message=message), status


@bp.after_request
def _private(response):
    """Pages behind personal links: no shared cache keeps them."""
    if request.endpoint == "feedback.respond":
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/feedback/<token>", methods=["GET", "POST"])
def respond(token: str):
    try:
        booking = db.session.get(Booking, tokens.booking_id_from(token))
    except FeedbackLinkInvalid as exc:
        return _problem(str(exc), 410 if exc.expired else 404)
    if booking is None:
        return _problem(Refusal.FEEDBACK_LINK_INVALID, 404)
    refused = service.refusal(booking)
    if refused is not None:
        return _problem(str(refused), 403)
    response = queries.response_for(booking.id)
    closed = service.answer_refusal(booking, response)
    form = FeedbackForm()
    if closed is not None and response is None:
        return _problem(str(closed), 410)

    def page(status: int = 200):
        return render_template(
            "feedback/form.html",
            form=form,
            booking=booking,
            session=booking.session,
            response=response,
            closed=str(closed) if closed is not None else None,
            editable_until=response.editable_until(service.edit_days()) if response else None,
        ), status

    if closed is not None:
        # Already answered and past changing: the answers, read only, and why.
        return page(403 if form.is_submitted() else 200)
    if not form.is_submitted():
        if response is not None:
            form.fill_from(response)
        return page()
    if not form.validate():
        return page(400)
    with committing(form) as outcome:
        response = service.save_answers(booking, form.answers())
    if outcome.refused:
        return page(400)
    until = response.editable_until(service.edit_days())
    flash(
        "Thank you for your feedback. You can change your answers here until "
        f"{timefmt.day(until)}, {timefmt.clock(until)}.",
        "success",
    )
    return redirect(url_for("feedback.respond", token=token), 303)


def comments_page(query):
    """One page of comments, from the cursor (or page number) in the address."""
    return paging.keyset_page(
        query,
        queries.COMMENTS_ORDER,
        name=request.endpoint,
        args=request.args,
        per_page=COMMENTS_PER_PAGE,
    )


@bp.get("/trainer/sessions/<int:session_id>/feedback")
@trainer_required
def session_results(session_id: int):
    session = db.get_or_404(Session, session_id)
    try:
        check_delivers(current_user, session)
    except NotYourSession:
        abort(403)
    return render_template(
        "feedback/session_results.html",
        session=session,
        results=queries.session_results(session.id),
        comments=comments_page(queries.comments_query(session_id=session.id)),
        args={},
    )
