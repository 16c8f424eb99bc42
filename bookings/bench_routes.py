"""Routes that only benchmark configurations register (BENCH_ROUTES=1)."""

from flask import Flask, Response, flash, redirect, request
from flask_login import login_required

from .extensions import csrf, db
from .web import committing

CONSTANT_BODY = b"<!doctype html><title>ok</title><p>ok</p>\n" * 20


def _insert_rows(note: str, rows: int = 1) -> None:
    """rows plain rows in one transaction, one INSERT each."""
    from sqlalchemy import text

    with committing():
        for _ in range(rows):
            db.session.execute(
                text("INSERT INTO bench_rows (note) VALUES (:note)"), {"note": note[:100]}
            )


def register(app: Flask) -> None:
    @app.get("/_bench/constant")
    def bench_constant():
        return Response(CONSTANT_BODY, mimetype="text/html")

    @app.post("/_bench/insert")
    @csrf.exempt
    def bench_insert():
        """One plain row per POST: the baseline beside booking a place."""
        _insert_rows(request.form.get("note", "x"))
        return Response(b"ok\n", mimetype="text/plain")

    @app.post("/_bench/form/<int:session_id>")
    @login_required
    def bench_form(session_id: int):
        """The booking request without the booking: the signed-in user, the session
        read, the booking form checked (CSRF included), a flash and a redirect, with
        ?rows=N plain rows written in one transaction (default 1). With one row: what
        every booking costs before it books anything; with as many rows as a booking
        writes: the least a booking could cost with no work of its own in Python."""
        from .booking.forms import BookingForm
        from .booking.views import _bookable_session, _validated_billing

        session = _bookable_session(session_id)
        form = BookingForm()
        valid, _ = _validated_billing(session, form)
        if not valid:
            return Response(b"invalid\n", status=400, mimetype="text/plain")
        rows = min(max(request.args.get("rows", 1, type=int), 1), 50)
        _insert_rows(f"form {session_id}", rows)
        flash("Your place is booked. We have emailed you a confirmation.", "success")
        return redirect(f"/bookings/BENCH-{session_id}")
