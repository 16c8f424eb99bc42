"""The contact form at /contact: enquiries without a captcha."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import current_user

from ..errors import EnquiryRefusal
from ..extensions import limiter
from ..web import committing
from . import queries, service, spam
from .forms import ContactForm

bp = Blueprint("enquiries", __name__)


def _sender_address() -> str:
    """The rate limit's key per sender: the email address given, else the network address."""
    address = (request.form.get("email") or "").strip().lower()
    return f"sender:{address}" if address else get_remote_address()


def _contact_page(form: ContactForm, status: int = 200):
    return make_response(render_template("enquiries/contact.html", form=form), status)


def _form(**kwargs) -> ContactForm:
    form = ContactForm(**kwargs)
    form.set_courses(queries.courses_to_ask_about())
    return form


def _too_many(limit) -> object:
    """Over a rate limit: the form again with what they typed, and why it was not sent."""
    flash(EnquiryRefusal.TOO_MANY.format(email=current_app.config["ORG_EMAIL"]), "error")
    return _contact_page(_form(), 429)


@bp.errorhandler(RateLimitExceeded)
def _rate_limited(exc: RateLimitExceeded):
    # The page _too_many built, rather than the site's bare "too many attempts" page.
    return exc.get_response()


@bp.route("/contact", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["ENQUIRY_RATE_LIMIT"], methods=["POST"], on_breach=_too_many
)
@limiter.limit(
    lambda: current_app.config["ENQUIRY_SENDER_RATE_LIMIT"],
    methods=["POST"],
    key_func=_sender_address,
    on_breach=_too_many,
)
def contact():
    form = _form()
    if request.method == "GET":
        form.course.data = queries.course_id_for(request.args.get("course"))
        if current_user.is_authenticated:
            form.name.data, form.email.data = current_user.name, current_user.email
        form.stamp.data = spam.issue_stamp()
        return _contact_page(form)
    if not form.validate_on_submit():
        return _contact_page(form, 400)
    verdict = spam.judge(form.honeypot, form.stamp.data)
    if verdict.refusal:
        flash(verdict.refusal, "error")
        if verdict.fresh_stamp:
            form.stamp.data = spam.issue_stamp()
        return _contact_page(form, 400)
    with committing(form) as outcome:
        service.submit(**form.values(), spam_reason=verdict.spam_reason)
    if outcome.refused:
        return _contact_page(form, 400)
    # Kept-as-spam posts see the same page: a program learns nothing from it.
    return redirect(url_for("enquiries.thanks"), 303)


@bp.get("/contact/thanks")
def thanks():
    return render_template("enquiries/thanks.html")
