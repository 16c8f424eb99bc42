"""Book places for a team, and send someone else in a place: pages on the booking blueprint."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..accounts.queries import find_by_email
from ..errors import NoSuchRecord, TeamBookingError
from ..payments.service import Billing
from ..web import committing, show_error
from . import queries, team
from .forms import SubstituteForm, TeamBookingForm
from .service import Needs
from .views import _bookable_session, _own_booking, bp


def _organiser(form: TeamBookingForm):
    """Whose team it is: the signed-in learner, or for staff, the organiser they name."""
    if current_user.is_staff and form.organiser_email.data:
        organiser = find_by_email(form.organiser_email.data)
        if organiser is None:
            form.organiser_email.errors = [
                *form.organiser_email.errors,
                "There is no account with this email address.",
            ]
        return organiser
    return current_user


def _team_page(session, form, status=200, short_of: int | None = None, closed=None):
    organiser = current_user
    price = session.course.price_for(organiser.sector) if organiser.sector else None
    return render_template(
        "booking/team.html",
        session=session,
        course=session.course,
        form=form,
        price=price,
        short_of=short_of,
        closed=closed,
        limit=team.TEAM_LIMIT,
    ), status


def _point_at_rows(form: TeamBookingForm, exc: TeamBookingError) -> TeamBookingError:
    """The service names attendees by their place among the filled-in rows; the page
    by their row: translate, so the message sits beside the right field."""
    rows = [i for i, entry in enumerate(form.attendees.entries) if not entry.form.is_blank]
    head, _, rest = (exc.field or "").partition("-")
    index, _, sub = rest.partition("-")
    if head == "attendees" and index.isdigit() and int(index) < len(rows):
        exc.field = f"attendees-{rows[int(index)]}-{sub}"
    return exc


@bp.route("/sessions/<int:session_id>/book/team", methods=["GET", "POST"])
@login_required
def book_team(session_id: int):
    session = _bookable_session(session_id)
    form = TeamBookingForm()
    refusal = session.booking_refusal(current_user if current_user.is_staff else None)
    if refusal is not None:
        return _team_page(session, form, 409 if form.is_submitted() else 200, closed=str(refusal))
    if not form.is_submitted():
        form.with_organiser.data = queries.active_booking(session.id, current_user.id) is None
        form.show_billing(Billing.remembered(current_user), answered=bool(current_user.payer))
        return _team_page(session, form)
    if form.add_row.data:
        form.attendees.append_entry()
        return _team_page(session, form)
    form.validate()
    organiser = _organiser(form)
    price = session.course.price_for(organiser.sector) if organiser is not None else 0
    billing = None
    if price:
        form.check_invoice_details(must_answer=True)
        billing = form.billing()
    else:
        for field in form.billing_fields():
            field.errors = []
    form.confirm_waiting.errors = []
    if any(field.errors for field in form) or organiser is None:
        return _team_page(session, form, 400)
    count = form.head_count()
    if count > session.places_left and not form.confirm_waiting.data:
        # Say so before confirming; the database still decides when they confirm.
        return _team_page(session, form, 409, short_of=count - session.places_left)
    try:
        with committing(form, field="attendees", reraise=(TeamBookingError,)) as outcome:
            bookings = team.book_team(
                session.id,
                organiser,
                form.people(),
                with_organiser=bool(form.with_organiser.data),
                organiser_needs=Needs(consent=True),
                billing=billing,
                placed_by=current_user if current_user.is_staff else None,
            )
            if billing is not None and organiser.id == current_user.id:
                billing.remember_on(current_user)
    except TeamBookingError as exc:
        show_error(_point_at_rows(form, exc), form, "attendees")
        return _team_page(session, form, 400)
    if outcome.refused:
        return _team_page(session, form, 400)
    placed = sum(b.has_place for b in bookings)
    waiting = len(bookings) - placed
    message = f"Booked {placed} place{'s' if placed != 1 else ''}"
    if waiting:
        message += f" and put {waiting} on the waiting list"
    flash(message + ". Everyone has been emailed, and you have a summary.", "success")
    return redirect(url_for("booking.my_bookings") + "#booked-by-me")


@bp.route("/bookings/<reference>/substitute", methods=["GET", "POST"])
@login_required
def substitute(reference: str):
    booking = _own_booking(reference)
    form = SubstituteForm()
    refusal = booking.substitution_refusal(current_user)
    page = {"booking": booking, "form": form, "refusal": refusal}
    if refusal is not None:
        status = 409 if form.is_submitted() else 200
        return render_template("booking/substitute.html", **page), status
    if not form.is_submitted():
        return render_template("booking/substitute.html", **page)
    if not form.validate():
        return render_template("booking/substitute.html", **page), 400
    old_name = booking.learner.name
    try:
        with committing(form, field="email", reraise=(NoSuchRecord,)) as outcome:
            team.substitute(booking.id, form.name.data, form.email.data, current_user)
    except NoSuchRecord:
        abort(404)
    if outcome.refused:
        return render_template("booking/substitute.html", **page), 400
    flash(
        f"{form.name.data} now has the place instead of {old_name} (booking {reference}). "
        "We have emailed them both.",
        "success",
    )
    if current_user.is_staff:
        return redirect(url_for("booking.confirmation", reference=reference))
    return redirect(url_for("booking.my_bookings"))
