"""'Tell me about new dates': sign up from a course page; confirm and unsubscribe by link."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from ..catalogue.queries import course_by_slug
from ..extensions import csrf, limiter
from ..web import committing
from . import service
from .forms import InterestForm, OneClickInterestForm

bp = Blueprint("interest", __name__)


@bp.post("/courses/<slug>/interest")
@limiter.limit(lambda: current_app.config["INTEREST_RATE_LIMIT"])
def sign_up(slug: str):
    course = course_by_slug(slug) if len(slug) <= 120 else None
    if course is None:
        abort(404)
    course_url = url_for("catalogue.course", slug=course.slug, _anchor="new-dates")
    if current_user.is_authenticated:
        if not OneClickInterestForm().validate_on_submit():
            flash("Your form expired. Please try again.", "error")
            return redirect(course_url, 303)
        with committing():
            service.sign_up(course, user=current_user)
        flash(f"We will email {current_user.email} when there are new dates.", "success")
        return redirect(course_url, 303)
    form = InterestForm()
    if not form.validate_on_submit():
        return render_template("interest/sign_up.html", form=form, course=course), 400
    with committing():
        interest = service.sign_up(course, email=form.email.data)
    # The same answer whether or not the address was on the list already: which courses
    # someone follows (ADHD, say) is theirs to tell, not for anyone who types it in.
    flash(
        f"Nearly done: we have sent a link to {interest.email} (unless it is on the list "
        "already). Open it to confirm, and we will email you when there are new dates.",
        "success",
    )
    return redirect(course_url, 303)


@bp.get("/interest/confirm/<token>")
def confirm(token: str):
    with committing():
        interest = service.confirm(token)
    if interest is None:
        return render_template("interest/link_expired.html"), 404
    return render_template("interest/confirmed.html", interest=interest)


# One click in an email, or a mail program's one-click POST (RFC 8058), which carries
# no CSRF token: the unguessable token in the address is the key, and removing a
# sign-up twice does no more than once.
@bp.route("/interest/unsubscribe/<tokens>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(tokens: str):
    with committing():
        service.unsubscribe(tokens)
    return render_template("interest/unsubscribed.html")
