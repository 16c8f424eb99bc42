"""Book a place, join the waiting list, my bookings, cancel."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from .. import timefmt
from ..errors import AlreadyBooked, BookingClosed, NoSuchRecord
from ..extensions import db
from ..feedback import service as feedback_service
from ..models import Booking, Session, utcnow
from ..payments import queries as payment_queries
from ..payments import service as payments
from ..payments.service import Billing
from ..web import committing
from . import queries, service
from .forms import BookingForm, BookingWithSectorForm, CancelForm

bp = Blueprint("booking", __name__)


# The booking form always shows (and the service prices from) the session's course.
_WITH_COURSE = (joinedload(Session.course),)


def _bookable_session(session_id: int) -> Session:
    session = db.get_or_404(Session, session_id, options=_WITH_COURSE)
    if not session.course.published:
        abort(404)
    return session


def _own_booking(reference: str) -> Booking:
    """The booking with this reference, if the signed-in user may see it: the learner,
    whoever booked it for them, or staff."""
    booking = queries.by_reference(reference)
    if booking is None or not (
        current_user.is_staff or current_user.id in (booking.learner_id, booking.organiser.id)
    ):
        abort(404)
    return booking


def _price(session: Session, form) -> int | None:
    """The learner's price, once their sector is known (from the profile or the form)."""
    sector = current_user.sector or (
        form.chosen_sector() if isinstance(form, BookingWithSectorForm) else None
    )
    return session.course.price_for(sector) if sector else None


def _asks_who_pays(session: Session, form) -> bool:
    """A priced place asks who pays; before the sector is known, any price above zero."""
    price = _price(session, form)
    if price is not None:
        return price > 0
    return session.course.price_voluntary_pence > 0 or session.course.price_private_pence > 0


def _form_page(session: Session, form, status: int = 200, closed: str | None = None):
    return render_template(
        "booking/book.html",
        session=session,
        course=session.course,
        form=form,
        closed=closed,
        price=_price(session, form),
        asks_who_pays=_asks_who_pays(session, form),
    ), status


def _validated_billing(session: Session, form) -> tuple[bool, Billing | None]:
    """Validate the form; a priced place must say who pays. (valid, billing or None)"""
    form.validate()
    price = _price(session, form)
    billing = None
    if price:
        form.check_invoice_details(must_answer=True)
        billing = form.billing()
    else:
        # Nothing to pay: whatever came in the billing fields is not used, nor judged.
        for field in form.billing_fields():
            field.errors = []
    return not any(field.errors for field in form), billing


def _already_booked(booking: Booking):
    flash("You have already booked this session. Here is your booking.", "info")
    return redirect(url_for("booking.confirmation", reference=booking.reference))


@bp.route("/sessions/<int:session_id>/book", methods=["GET", "POST"])
@login_required
def book(session_id: int):
    session = _bookable_session(session_id)
    form = BookingForm() if current_user.sector else BookingWithSectorForm()
    refusal = session.booking_refusal()
    valid, billing = (False, None)
    if refusal is None and form.is_submitted():
        valid, billing = _validated_billing(session, form)
    if not valid:
        # A valid form goes straight to the service, which asks the same question (and
        # raises AlreadyBooked) in its transaction: one query fewer per booking.
        existing = queries.active_booking(session.id, current_user.id)
        if existing is not None:
            return _already_booked(existing)
    if refusal is not None:
        status = 409 if form.is_submitted() else 200
        return _form_page(session, form, status, closed=str(refusal))
    if not form.is_submitted():
        form.show_billing(Billing.remembered(current_user), answered=bool(current_user.payer))
        return _form_page(session, form)
    if not valid:
        return _form_page(session, form, 400)
    try:
        with committing(reraise=(AlreadyBooked, NoSuchRecord, BookingClosed)) as outcome:
            if isinstance(form, BookingWithSectorForm):
                current_user.sector = form.chosen_sector()
            booking = service.book(session.id, current_user, form.needs(), billing=billing)
            if billing is not None:
                billing.remember_on(current_user)
            # Read before the commit expires the booking: no query to read it back.
            reference, has_place = booking.reference, booking.has_place
    except AlreadyBooked as exc:
        return _already_booked(exc.booking)
    except NoSuchRecord:
        abort(404)
    except BookingClosed as exc:
        return _form_page(_bookable_session(session_id), form, 409, closed=str(exc))
    if outcome.refused:
        return _form_page(session, form, 400)
    if has_place:
        flash("Your place is booked. We have emailed you a confirmation.", "success")
    else:
        flash(
            "The session is full, so you are on the waiting list. We have emailed you to say so.",
            "success",
        )
    return redirect(url_for("booking.confirmation", reference=reference))


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
    booked_by_me = queries.booked_for_others(current_user.id)
    queue_places = queries.queue_places([*sections["waiting"], *booked_by_me])
    return render_template(
        "booking/my_bookings.html",
        sections=sections,
        booked_by_me=booked_by_me,
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
    page = {"booking": booking, "form": form, "money": payments.cancellation_terms(booking)}
    if not form.is_submitted():
        return render_template("booking/cancel.html", **page)
    if not form.validate():
        return render_template("booking/cancel.html", **page), 400
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
    settled = payment_queries.settlement(booking.id)
    if settled is not None:
        message += " " + settled.describe()
    flash(message + " We have emailed you to confirm.", "success")
    return redirect(url_for("booking.my_bookings"))
