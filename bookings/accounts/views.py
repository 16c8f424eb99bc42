"""Register, sign in, sign out, password reset, profile."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from ..auth import staff_required
from ..errors import EmailTaken
from ..extensions import limiter
from ..web import committing
from . import service, two_factor
from .forms import (
    ChangePasswordForm,
    EraseAccountForm,
    LoginForm,
    NewPasswordForm,
    ProfileForm,
    RegistrationForm,
    ResetRequestForm,
)
from .signin import await_second_step, safe_next
from .signin import clear_session as _clear_session
from .signin import start_signed_in_session as _start_signed_in_session

bp = Blueprint("accounts", __name__)

SIGN_IN_LIMIT = "10 per minute;100 per hour"
RESET_LIMIT = "5 per minute;20 per hour"


def _next_from_request() -> str | None:
    return safe_next(request.values.get("next"))


@bp.route("/auth/register", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(_next_from_request() or "/")
    form = RegistrationForm()
    next_url = _next_from_request()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                with committing(form, reraise=(EmailTaken,)) as outcome:
                    user = service.create_user(
                        form.email.data,
                        form.name.data,
                        form.password.data,
                        sector=form.sector.data,
                        organisation=form.organisation.data or "",
                    )
                    service.record_sign_in(user)
            except EmailTaken as exc:
                # The address may be theirs already: point them to where they can get in.
                form.email.errors.append(
                    f"{exc} Sign in instead, or reset your password if you have forgotten it."
                )
            else:
                if not outcome.refused:
                    _start_signed_in_session(user)
                    flash(f"Welcome, {user.name}. Your account is ready.", "success")
                    return redirect(next_url or "/")
        return render_template("accounts/register.html", form=form, next_url=next_url), 400
    return render_template("accounts/register.html", form=form, next_url=next_url)


@bp.route("/auth/login", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def login():
    next_url = _next_from_request()
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url or "/")
    form = LoginForm()
    if request.method == "POST":
        if form.validate_on_submit():
            user = service.authenticate(form.email.data, form.password.data)
            if user is None:
                with committing():
                    service.record_failed_sign_in(form.email.data, "Wrong password.")
                form.password.errors.append("The email address or password is not right.")
            elif not user.active:
                with committing():
                    service.record_failed_sign_in(form.email.data, "Account closed.")
                form.email.errors.append(
                    "This account is closed. Please contact us if you need it again."
                )
            elif two_factor.is_enabled(user) and not two_factor.device_remembered(
                user, request.cookies.get(two_factor.DEVICE_COOKIE)
            ):
                # Not signed in yet: only the code from their app finishes it.
                await_second_step(user, form.remember.data, next_url)
                return redirect(url_for("two_factor.second_step"))
            else:
                method = (
                    "password on a remembered device"
                    if two_factor.is_enabled(user)
                    else ("password")
                )
                with committing():
                    service.record_sign_in(user, method)
                _start_signed_in_session(user, remember=form.remember.data)
                flash(f"Signed in as {user.name}.", "success")
                return redirect(next_url or "/")
        return render_template("accounts/login.html", form=form, next_url=next_url), 400
    return render_template("accounts/login.html", form=form, next_url=next_url)


@bp.post("/auth/logout")
def logout():
    # CSRFProtect checks the token on every POST, so a third-party page cannot sign people out.
    # Cleared first: logout_user then marks a remembered device's cookie for removal.
    _clear_session()
    logout_user()
    flash("You are signed out.", "success")
    return redirect("/")


@bp.route("/auth/reset", methods=["GET", "POST"])
@limiter.limit(RESET_LIMIT, methods=["POST"])
def request_reset():
    form = ResetRequestForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("accounts/reset_request.html", form=form), 400
        with committing():
            service.request_password_reset(form.email.data)
        return render_template("accounts/reset_sent.html", email=form.email.data)
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/auth/reset/<token>", methods=["GET", "POST"])
@limiter.limit(RESET_LIMIT, methods=["POST"])
def reset_password(token: str):
    user = service.user_for_reset_token(token)
    if user is None:
        minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
        return render_template("accounts/reset_invalid.html", minutes=minutes), 400
    form = NewPasswordForm()
    if request.method == "POST":
        if form.validate_on_submit():
            with committing(form) as outcome:
                service.set_new_password(user, form.password.data, how="reset by emailed link")
            if outcome.refused:
                return render_template("accounts/reset_password.html", form=form), 400
            flash(
                "Your password is changed and anyone signed in to your account elsewhere "
                "is signed out. Please sign in with your new password.",
                "success",
            )
            return redirect(url_for("accounts.login"))
        return render_template("accounts/reset_password.html", form=form), 400
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = ProfileForm(obj=current_user)
    if request.method == "POST":
        valid = form.validate_on_submit()
        if form.check_invoice_details(must_answer=False) and valid:
            with committing(form) as outcome:
                service.update_profile(
                    current_user,
                    name=form.name.data,
                    organisation=form.organisation.data or "",
                    sector=form.sector.data,
                )
                if form.payer.data:
                    form.billing().remember_on(current_user)
            if not outcome.refused:
                flash("Your details are saved.", "success")
                return redirect(url_for("accounts.account"))
        return _account_page(form), 400
    return _account_page(form)


def _account_page(form: ProfileForm, password_form: ChangePasswordForm | None = None):
    return render_template(
        "accounts/account.html",
        form=form,
        password_form=password_form or ChangePasswordForm(formdata=None),
        feed_path=f"/account/calendar/{current_user.calendar_token}.ics",
        programme_path=f"/account/programme/{current_user.staff_calendar_token}.ics",
    )


@bp.post("/account/password")
@login_required
@limiter.limit(SIGN_IN_LIMIT)
def change_password():
    """A new password; every other signed-in browser of the account is signed out."""
    form = ChangePasswordForm()
    profile = ProfileForm(formdata=None, obj=current_user)
    if not form.validate_on_submit():
        return _account_page(profile, form), 400
    if not current_user.check_password(form.current_password.data):
        form.current_password.errors.append("That is not your current password.")
        return _account_page(profile, form), 400
    remembered = request.cookies.get(
        current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    )
    with committing(form) as outcome:
        service.set_new_password(current_user, form.password.data)
    if outcome.refused:
        return _account_page(profile, form), 400
    # This browser stays signed in under the new password's session id.
    login_user(current_user._get_current_object(), remember=bool(remembered))
    flash(
        "Your password is changed. Any other browser signed in to your account is signed out.",
        "success",
    )
    return redirect(url_for("accounts.account"))


@bp.post("/account/calendar-link")
@login_required
def replace_calendar_link():
    with committing():
        service.replace_calendar_token(current_user)
    flash("Your calendar link is replaced. The old link no longer works.", "success")
    return redirect(url_for("accounts.account"))


@bp.post("/account/programme-link")
@staff_required
def replace_programme_link():
    with committing():
        service.replace_staff_calendar_token(current_user)
    flash("Your programme calendar link is replaced. The old link no longer works.", "success")
    return redirect(url_for("accounts.account"))


@bp.get("/account/export")
@login_required
def export_data():
    """Download everything held about me as JSON."""
    body = json.dumps(service.personal_data(current_user), indent=2, ensure_ascii=False)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-training-data.json"'},
    )


@bp.route("/account/erase", methods=["GET", "POST"])
@login_required
def erase():
    form = EraseAccountForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("accounts/erase.html", form=form), 400
        if not current_user.check_password(form.password.data):
            form.password.errors.append("That password is not right.")
            return render_template("accounts/erase.html", form=form), 400
        # A refusal is flashed and shown on the account page, where the reason can be acted on.
        with committing() as outcome:
            service.erase_account(current_user)
        if outcome.refused:
            return redirect(url_for("accounts.account"))
        logout_user()
        flash("Your account is closed and your details are erased.", "success")
        return redirect(url_for("catalogue.home"))
    return render_template("accounts/erase.html", form=form)
