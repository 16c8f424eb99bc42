"""Book a place, join the waiting list, my bookings, cancel."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .. import timefmt
from ..errors import AlreadyBooked, BookingClosed, CancellationRefused, NotFound
from ..extensions import db
from ..models import Booking, Session, utcnow
from . import service
from .forms import BookingForm, BookingWithSectorForm, CancelForm

bp = Blueprint("booking", __name__)


def _bookable_session(session_id: int) -> Session:
    session = db.session.get(Session, session_id)
    if session is None or not session.course.published:
        abort(404)
    return session


def _own_booking(reference: str) -> Booking:
    """The booking with this reference, if the signed-in user may see it (owner or staff)."""
    booking = db.session.scalar(select(Booking).where(Booking.reference == reference.upper()))
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


@bp.route("/sessions/<int:session_id>/book", methods=["GET", "POST"])
@login_required
def book(session_id: int):
    session = _bookable_session(session_id)
    existing = service.active_booking(session.id, current_user.id)
    if existing is not None:
        flash("You have already booked this session. Here is your booking.", "info")
        return redirect(url_for("booking.confirmation", reference=existing.reference))
    form = BookingForm() if current_user.sector else BookingWithSectorForm()
    if not session.is_open_for_booking():
        reason = (
            "This session is cancelled."
            if session.status == "cancelled"
            else "Booking has closed for this session."
        )
        return _form_page(session, form, 409 if form.is_submitted() else 200, closed=reason)
    if not form.is_submitted():
        return _form_page(session, form)
    if not form.validate():
        return _form_page(session, form, 400)
    if isinstance(form, BookingWithSectorForm):
        current_user.sector = form.chosen_sector()
    try:
        booking = service.book(session.id, current_user, form.needs())
    except AlreadyBooked as exc:
        db.session.rollback()
        flash("You have already booked this session. Here is your booking.", "info")
        return redirect(url_for("booking.confirmation", reference=exc.booking.reference))
    except NotFound:
        db.session.rollback()
        abort(404)
    except BookingClosed as exc:
        db.session.rollback()
        return _form_page(_bookable_session(session_id), form, 409, closed=str(exc))
    db.session.commit()
    if booking.status == "confirmed":
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
        queue_place=service.queue_place(booking),
        can_cancel=booking.status != "cancelled" and utcnow() < booking.session.starts_at,
    )


@bp.get("/account/bookings")
@login_required
def my_bookings():
    bookings = db.session.scalars(
        select(Booking)
        .join(Booking.session)
        .where(Booking.learner_id == current_user.id)
        .options(joinedload(Booking.session).joinedload(Session.course))
        .order_by(Session.starts_at)
    ).all()
    now = utcnow()
    sections = {"upcoming": [], "waiting": [], "past": [], "cancelled": []}
    for booking in bookings:
        if booking.status == "cancelled":
            sections["cancelled"].append(booking)
        elif booking.session.ends_at <= now:
            sections["past"].append(booking)
        elif booking.status == "waitlisted":
            sections["waiting"].append(booking)
        else:
            sections["upcoming"].append(booking)
    sections["past"].reverse()
    sections["cancelled"].sort(key=lambda b: b.cancelled_at or b.updated_at, reverse=True)
    queue_places = service.queue_places(sections["waiting"])
    return render_template(
        "booking/my_bookings.html", sections=sections, queue_places=queue_places, now=now
    )


@bp.route("/bookings/<reference>/cancel", methods=["GET", "POST"])
@login_required
def cancel(reference: str):
    booking = _own_booking(reference)
    form = CancelForm()
    if booking.status == "cancelled":
        flash("This booking is already cancelled.", "info")
        return redirect(url_for("booking.my_bookings"))
    if not form.is_submitted():
        return render_template("booking/cancel.html", booking=booking, form=form)
    if not form.validate():
        return render_template("booking/cancel.html", booking=booking, form=form), 400
    left_waiting_list = booking.status == "waitlisted"
    try:
        _, promoted = service.cancel_and_promote(booking.id, current_user)
    except CancellationRefused as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("booking.my_bookings"))
    db.session.commit()
    what = f"{booking.session.course.title} on {timefmt.day(booking.session.starts_at)}"
    if left_waiting_list:
        message = f"You have left the waiting list for {what} (booking {booking.reference})."
    else:
        message = f"Your booking {booking.reference} for {what} is cancelled."
    if promoted is not None:
        message += " The place has gone to the next person on the waiting list."
    flash(message + " We have emailed you to confirm.", "success")
    return redirect(url_for("booking.my_bookings"))
