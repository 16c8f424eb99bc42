"""Staff pages for sessions: list, add, edit details, reschedule, cancel."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ... import timefmt
from ...audit import queries as audit_queries
from ...booking import schedule
from ...extensions import db
from ...models import Session
from ...trainer.queries import waiting_counts
from ...web import committing
from .. import queries, service
from ..forms import (
    CancelSessionForm,
    RescheduleForm,
    SessionEditForm,
    SessionFilterForm,
    SessionForm,
    options,
)
from .base import FormPage, bp, filter_args, page_of


def _session_choices(form, session: Session | None = None) -> None:
    if hasattr(form, "course_id"):
        form.course_id.choices = options([(c.id, c.title) for c in queries.course_titles()])
    trainers = list(queries.trainers())
    if session is not None and session.trainer and session.trainer not in trainers:
        trainers.append(session.trainer)  # keep a deactivated trainer selectable
    form.trainer_id.choices = options(
        [(0, "No trainer yet")] + [(t.id, f"{t.name} ({t.email})") for t in trainers]
    )


@bp.get("/sessions")
def sessions():
    form = SessionFilterForm(request.args)
    status = 200 if form.validate() else 400
    show = "past" if form.show.data == "past" else "upcoming"
    course = form.chosen_course
    page = page_of(
        queries.sessions_query(course.id if course else 0, show),
        queries.sessions_order(show),
        name=f"sessions:{show}",
    )
    return (
        render_template(
            "staff/sessions.html",
            form=form,
            page=page,
            show=show,
            args=filter_args(form, **form.course_args, show=show),
            others=filter_args(form, course=None, course_q=None),
            waiting=waiting_counts([s.id for s in page.items]),
        ),
        status,
    )


@bp.get("/sessions/<int:session_id>")
def session_detail(session_id: int):
    """One session: when, where, who teaches, how full, and its history."""
    session = db.get_or_404(Session, session_id)
    return render_template(
        "staff/session.html",
        session=session,
        waiting=waiting_counts([session.id]).get(session.id, 0),
        history=audit_queries.history("session", session.id),
        action_label=audit_queries.action_label,
    )


@bp.route("/sessions/new", methods=["GET", "POST"])
def session_new():
    form = SessionForm()
    _session_choices(form)
    page = FormPage("staff/session_form.html", form)
    if request.method == "GET":
        form.course_id.data = request.args.get("course", type=int)
        form.capacity.data = form.capacity.data if form.capacity.data is not None else 12
    if not form.validate_on_submit():
        return page.shown()
    with committing(form) as outcome:
        session = service.create_session(
            course_id=form.course_id.data,
            starts_at=form.starts_at,
            ends_at=form.ends_at,
            **form.details(),
            **form.place(),
            by=current_user,
        )
    if outcome.refused:
        return page.shown()
    flash(f"Added {queries.session_label(session)}.{_trainer_told(None, session)}", "success")
    return redirect(url_for("staff.sessions"), 303)


def _trainer_told(before, session: Session) -> str:
    """What the trainers of a session were emailed when it changed hands, as a sentence."""
    after = session.trainer
    if before == after or not session.is_scheduled:
        return ""
    told = [f" {after.name} has been sent an invitation."] if after else []
    if before is not None:
        told.append(f" {before.name} has been told the session is no longer theirs.")
    return "".join(told)


def _promoted_message(count: int) -> str:
    if not count:
        return "Session saved."
    return (
        f"Session saved. {count} learner{'s' if count != 1 else ''} on the waiting list "
        f"{'have' if count != 1 else 'has'} been given a place and emailed."
    )


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
def session_edit(session_id: int):
    session = db.get_or_404(Session, session_id)
    form = SessionEditForm(obj=session)
    form.confirmed = session.seats_taken
    form.starts_at = session.starts_at
    _session_choices(form, session)
    page = FormPage("staff/session_edit.html", form, session=session)
    if request.method == "GET":
        form.trainer_id.data = session.trainer_id or 0
        if session.booking_deadline:
            local = timefmt.to_local(session.booking_deadline)
            form.deadline_day.data, form.deadline_time.data = local.date(), local.time()
    if not form.validate_on_submit():
        return page.shown()
    trainer_before = session.trainer
    with committing(form) as outcome:
        promoted = service.update_session_details(session, **form.details(), by=current_user)
    if outcome.refused:
        return page.shown()
    flash(_promoted_message(len(promoted)) + _trainer_told(trainer_before, session), "success")
    return redirect(url_for("staff.sessions"), 303)


@bp.route("/sessions/<int:session_id>/reschedule", methods=["GET", "POST"])
def session_reschedule(session_id: int):
    session = db.get_or_404(Session, session_id)
    form = RescheduleForm(obj=session)
    page = FormPage("staff/session_reschedule.html", form, session=session)
    if request.method == "GET":
        start, end = timefmt.to_local(session.starts_at), timefmt.to_local(session.ends_at)
        form.day.data, form.starts.data, form.ends.data = start.date(), start.time(), end.time()
    if not form.validate_on_submit():
        return page.shown()
    with committing(form, field="day") as outcome:
        schedule.reschedule_session(
            session.id,
            starts_at=form.starts_at,
            ends_at=form.ends_at,
            by=current_user,
            **form.place(),
        )
    if outcome.refused:
        return page.shown()
    trainer = " and the trainer have" if session.trainer else " has"
    flash(f"Session rescheduled; everyone booked{trainer} been sent the new details.", "success")
    return redirect(url_for("staff.sessions"), 303)


@bp.route("/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
def session_cancel(session_id: int):
    session = db.get_or_404(Session, session_id)
    form = CancelSessionForm()
    page = FormPage("staff/session_cancel.html", form, session=session)
    if not form.validate_on_submit():
        return page.shown()
    with committing(form, field="confirm") as outcome:
        schedule.cancel_session(session.id, by=current_user, reason=form.reason.data or "")
    if outcome.refused:
        return page.shown()
    trainer = ", and the trainer, have" if session.trainer else " has"
    flash(f"Session cancelled; everyone booked or waiting{trainer} been told.", "success")
    return redirect(url_for("staff.sessions"), 303)
