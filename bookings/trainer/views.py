"""Trainer tools: my sessions, attendees, register, attendance; certificates of attendance."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import NotFound

from ..auth import trainer_required
from ..booking import queries as booking_queries
from ..certificates import service as certificates
from ..certificates.document import certificate_pdf
from ..errors import NoCertificate, NotYourSession
from ..extensions import db
from ..models import Session
from ..web import committing
from . import queries, service
from .forms import attendance_form

bp = Blueprint("trainer", __name__)


def _session_or_abort(session_id: int) -> Session:
    session = db.get_or_404(Session, session_id)
    try:
        service.check_delivers(current_user, session)
    except NotYourSession:
        abort(403)
    return session


def _download(body: bytes | str, mimetype: str, filename: str, inline: bool = False) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers.set(
        "Content-Disposition", "inline" if inline else "attachment", filename=filename
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/trainer/sessions")
@trainer_required
def sessions():
    upcoming, past = queries.session_pages(current_user, request.args)
    return render_template("trainer/sessions.html", upcoming=upcoming, past=past)


def _render_session(session: Session, form=None, error: str | None = None, status: int = 200):
    bookings = queries.attendees(session)
    form = form or attendance_form(bookings)
    return (
        render_template(
            "trainer/session.html",
            session=session,
            attendees=bookings,
            waiting=queries.waiting_list(session),
            form=form,
            register_open=service.register_open(session, current_user),
            register_error=error,
            late_cancellations=queries.late_cancellations(session),
        ),
        status,
    )


@bp.get("/trainer/sessions/<int:session_id>")
@trainer_required
def session_detail(session_id: int):
    return _render_session(_session_or_abort(session_id))


@bp.post("/trainer/sessions/<int:session_id>/attendance")
@trainer_required
def mark_attendance(session_id: int):
    session = _session_or_abort(session_id)
    form = attendance_form(queries.attendees(session))
    if not form.validate_on_submit():
        return _render_session(session, form, "Your form expired. Please try again.", 400)
    with committing(form) as outcome:
        changed = service.mark_attendance(session, form.marks(), current_user)
    if outcome.refused:
        return _render_session(session, form, status=400)
    flash(
        f"Attendance saved ({changed} change{'' if changed == 1 else 's'}).",
        "success",
    )
    return redirect(url_for("trainer.session_detail", session_id=session.id), 303)


@bp.get("/trainer/sessions/<int:session_id>.csv")
@trainer_required
def session_csv(session_id: int):
    session = _session_or_abort(session_id)
    filename = f"attendees-{session.course.slug}-{session.id}.csv"
    with committing():
        body = service.attendees_csv(session, by=current_user)
    return _download(body.encode("utf-8"), "text/csv; charset=utf-8", filename)


@bp.get("/trainer/sessions/<int:session_id>/register")
@trainer_required
def register(session_id: int):
    session = _session_or_abort(session_id)
    if request.args.get("format") == "pdf":
        return register_pdf(session_id)
    return render_template(
        "trainer/register.html", session=session, attendees=queries.attendees(session)
    )


@bp.get("/trainer/sessions/<int:session_id>/register.pdf")
@trainer_required
def register_pdf(session_id: int):
    session = _session_or_abort(session_id)
    filename = f"register-{session.course.slug}-{session.id}.pdf"
    with committing():
        body = service.register_pdf(session, by=current_user)
    return _download(body, "application/pdf", filename, inline=True)


@bp.get("/bookings/<reference>/certificate.pdf")
@login_required
def certificate(reference: str):
    booking = booking_queries.by_reference(reference)
    # Someone else's reference answers as an unknown one does, so references cannot be probed.
    if booking is None or (booking.learner_id != current_user.id and not current_user.is_staff):
        abort(404)
    try:
        with committing(reraise=(NoCertificate,)):
            certificate = certificates.issue(booking)
    except NoCertificate as exc:
        # The standard 404 page would hide why: say when the certificate will be there.
        return render_template("errors/error.html", error=NotFound(str(exc))), 404
    body = certificate_pdf(certificate)
    return _download(body, "application/pdf", f"certificate-{booking.reference}.pdf")
