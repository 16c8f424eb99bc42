"""Staff pages for bookings: find, book on a learner's behalf, cancel, move."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...audit import queries as audit_queries
from ...booking import queries as booking_queries
from ...booking import service as booking_service
from ...extensions import db
from ...models import Booking
from ...web import committing
from .. import queries
from ..forms import ActionForm, BookingFilterForm, BookOnBehalfForm, MoveBookingForm, options
from .base import FormPage, bp, filter_args, page_of, usable


@bp.get("/bookings")
def bookings():
    form = BookingFilterForm(request.args)
    status = 200 if form.validate() else 400
    session_id = usable(form.session, 0)
    if session_id and form.course_left_open:  # a link to one session's bookings
        form.chosen_course = queries.course_of_session(session_id)
    course = form.chosen_course
    # Sessions are offered once a course is chosen: its own, a bounded number.
    offered = queries.filter_sessions(course.id) if course else []
    if session_id not in {s.id for s in offered}:
        session_id = form.session.data = 0  # of another course than the one now chosen
    form.session.choices = options(
        [(0, "Any session")] + [(s.id, queries.session_label(s)) for s in offered]
    )
    query = queries.bookings_query(
        course_id=course.id if course else 0,
        session_id=session_id,
        status=usable(form.status, ""),
        search=usable(form.q, ""),
    )
    page = page_of(query, queries.BOOKINGS_ORDER)
    return (
        render_template(
            "staff/bookings.html",
            form=form,
            page=page,
            args=filter_args(form, **form.course_args, session=session_id),
            others=filter_args(form, course=None, course_q=None, session=None),
            action=ActionForm(),
            # The place in the queue as the learner sees it, not the stored position.
            queue_places=booking_queries.queue_places(page.items),
        ),
        status,
    )


@bp.get("/bookings/<int:booking_id>")
def booking_detail(booking_id: int):
    """One booking: who, which session, its status, and its history."""
    booking = db.get_or_404(Booking, booking_id)
    return render_template(
        "staff/booking.html",
        booking=booking,
        queue_place=booking_queries.queue_place(booking) if booking.is_waiting else None,
        history=audit_queries.history("booking", booking.id),
        action_label=audit_queries.action_label,
    )


@bp.route("/bookings/new", methods=["GET", "POST"])
def booking_new():
    form = BookOnBehalfForm()
    form.session_id.choices = options(
        [(s.id, queries.session_label(s)) for s in queries.bookable_sessions()]
    )
    page = FormPage("staff/booking_new.html", form)
    if request.method == "GET":
        form.session_id.data = request.args.get("session", type=int)
    if not form.validate_on_submit():
        return page.shown()
    with committing(form, field="session_id") as outcome:
        booking = booking_service.book(
            form.session_id.data, form.learner, form.needs(), booked_by=current_user
        )
    if outcome.refused:
        return page.shown()
    where = "booked on" if booking.has_place else "added to the waiting list for"
    flash(f"{form.learner.name} is {where} the session ({booking.reference}).", "success")
    return redirect(url_for("staff.bookings", q=booking.reference), 303)


@bp.route("/bookings/<int:booking_id>/cancel", methods=["GET", "POST"])
def booking_cancel(booking_id: int):
    booking = db.get_or_404(Booking, booking_id)
    form = ActionForm()
    page = FormPage("staff/booking_cancel.html", form, booking=booking)
    if not form.validate_on_submit():
        return page.shown()
    # A refusal has no field to stand beside: it is shown at the top of the page.
    with committing() as outcome:
        _, promoted = booking_service.cancel_and_promote(booking.id, by=current_user)
    if outcome.refused:
        return page.shown()
    message = f"Booking {booking.reference} cancelled."
    if promoted is not None:
        message += (
            f" The place has gone to {promoted.learner.name} ({promoted.reference}), "
            "first on the waiting list, who has been emailed."
        )
    flash(message, "success")
    return redirect(url_for("staff.bookings", q=booking.reference), 303)


@bp.route("/bookings/<int:booking_id>/move", methods=["GET", "POST"])
def booking_move(booking_id: int):
    booking = db.get_or_404(Booking, booking_id)
    form = MoveBookingForm()
    form.session_id.choices = options(
        [
            (s.id, f"{queries.session_label(s)} ({s.places_left} places left)")
            for s in queries.bookable_sessions(
                booking.session.course_id, exclude_id=booking.session_id
            )
        ]
    )
    page = FormPage("staff/booking_move.html", form, booking=booking)
    if not form.validate_on_submit():
        return page.shown()
    with committing(form, field="session_id") as outcome:
        moved = booking_service.move(booking.id, form.session_id.data, by=current_user)
    if outcome.refused:
        return page.shown()
    if moved.is_waiting:
        flash(
            f"Booking {moved.reference} moved. That session is full, so {booking.learner.name} "
            f"is number {booking_queries.queue_place(moved)} on its waiting list.",
            "success",
        )
    else:
        flash(f"Booking {moved.reference} moved.", "success")
    return redirect(url_for("staff.bookings", q=moved.reference), 303)
