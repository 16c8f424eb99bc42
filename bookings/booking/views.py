"""Book a place, join the waiting list, my bookings, cancel."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from .. import timefmt
from ..errors import AlreadyBooked, BookingClosed, NoSuchRecord
from ..extensions import db
from ..feedback import service as feedback_service
from ..models import Booking, Session, utcnow
from ..web import committing
from . import queries, service
from .forms import BookingForm, BookingWithSectorForm, CancelForm

bp = Blueprint("booking", __name__)


def _bookable_session(session_id: int) -> Session:
    session = db.get_or_404(Session, session_id)
    if not session.course.published:
        abort(404)
    return session


def _own_booking(reference: str) -> Booking:
    """The booking with this reference, if the signed-in user may see it (owner or staff)."""
    booking = queries.by_reference(reference)
    if booking is None or (booking.learner_id != current_user.id and not current_user.is_staff):
        abort(404)
    return booking


def _form_page(session: Session, form, status: int = 200, closed: str | None = None):
    sector = current_user.sector or (
        form.chosen_sector() if isinstance(form, BookingWithSectorForm) else None
    )
    return render_template(
        "booking/book.html",
        session=session,
        course=session.course,
        form=form,
        closed=closed,
        price=session.course.price_for(sector) if sector else None,
    ), status


def _already_booked(booking: Booking):
    flash("You have already booked this session. Here is your booking.", "info")
    return redirect(url_for("booking.confirmation", reference=booking.reference))


@bp.route("/sessions/<int:session_id>/book", methods=["GET", "POST"])
@login_required
def book(session_id: int):
    session = _bookable_session(session_id)
    existing = queries.active_booking(session.id, current_user.id)
    if existing is not None:
        return _already_booked(existing)
    form = BookingForm() if current_user.sector else BookingWithSectorForm()
    refusal = session.booking_refusal()
    if refusal is not None:
        status = 409 if form.is_submitted() else 200
        return _form_page(session, form, status, closed=str(refusal))
    if not form.is_submitted():
        return _form_page(session, form)
    if not form.validate():
        return _form_page(session, form, 400)
    try:
        with committing(reraise=(AlreadyBooked, NoSuchRecord, BookingClosed)) as outcome:
            if isinstance(form, BookingWithSectorForm):
                current_user.sector = form.chosen_sector()
            booking = service.book(session.id, current_user, form.needs())
    except AlreadyBooked as exc:
        return _already_booked(exc.booking)
    except NoSuchRecord:
        abort(404)
    except BookingClosed as exc:
        return _form_page(_bookable_session(session_id), form, 409, closed=str(exc))
    if outcome.refused:
        return _form_page(session, form, 400)
    if booking.has_place:
        flash("Your place is booked. We have emailed you a confirmation.", "success")
    else:
        flash(
            "The session is full, so you are on the waiting list. We have emailed you to say so.",
            "success",
        )
    return redirect(url_for("booking.confirmation", reference=booking.reference))


@bp.get("/bookings/<reference>")
@login_required
def confirmation(reference: str):
    booking = _own_booking(reference)
    return render_template(
        "booking/confirmation.html",
        booking=booking,
        session=booking.session,
        course=booking.session.course,
        queue_place=queries.queue_place(booking),
        can_cancel=booking.cancellable_by(current_user),
    )


@bp.get("/account/bookings")
@login_required
def my_bookings():
    now = utcnow()
    sections = {"upcoming": [], "waiting": [], "past": [], "cancelled": []}
    for booking in queries.learner_bookings(current_user.id):
        if booking.is_cancelled:
            sections["cancelled"].append(booking)
        elif booking.session.ends_at <= now:
            sections["past"].append(booking)
        elif booking.is_waiting:
            sections["waiting"].append(booking)
        else:
            sections["upcoming"].append(booking)
    sections["past"].reverse()
    sections["cancelled"].sort(key=lambda b: b.cancelled_at or b.updated_at, reverse=True)
    queue_places = queries.queue_places(sections["waiting"])
    return render_template(
        "booking/my_bookings.html",
        sections=sections,
        queue_places=queue_places,
        now=now,
        feedback=feedback_service.offers(sections["past"], now),
    )


@bp.route("/bookings/<reference>/cancel", methods=["GET", "POST"])
@login_required
def cancel(reference: str):
    booking = _own_booking(reference)
    form = CancelForm()
    if booking.is_cancelled:
        flash("This booking is already cancelled.", "info")
        return redirect(url_for("booking.my_bookings"))
    if not form.is_submitted():
        return render_template("booking/cancel.html", booking=booking, form=form)
    if not form.validate():
        return render_template("booking/cancel.html", booking=booking, form=form), 400
    left_waiting_list = booking.is_waiting
    with committing() as outcome:
        _, promoted = service.cancel_and_promote(booking.id, current_user)
    if outcome.refused:
        return redirect(url_for("booking.my_bookings"))
    what = f"{booking.session.course.title} on {timefmt.day(booking.session.starts_at)}"
    if left_waiting_list:
        message = f"You have left the waiting list for {what} (booking {booking.reference})."
    else:
        message = f"Your booking {booking.reference} for {what} is cancelled."
    if promoted is not None:
        message += " The place has gone to the next person on the waiting list."
    flash(message + " We have emailed you to confirm.", "success")
    return redirect(url_for("booking.my_bookings"))
