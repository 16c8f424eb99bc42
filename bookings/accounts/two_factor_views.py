"""Two-factor sign-in pages: set it up, the second step of signing in, recovery codes, off."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required

from ..extensions import limiter
from ..web import committing
from . import service, two_factor
from .forms import RecoveryCodesForm, SecondStepForm, TwoFactorOffForm, TwoFactorSetupForm
from .signin import clear_session, pending, pending_user_key, safe_next, start_signed_in_session

bp = Blueprint("two_factor", __name__)

# Per account, counting only refused codes: five wrong codes and the sixth try waits.
SECOND_STEP_LIMIT = "5 per 15 minutes"
SECOND_STEP_ADDRESS_LIMIT = "10 per minute;100 per hour"
SETUP_SECRET_KEY = "two_factor_setup_secret"


def _refused(response) -> bool:
    return response.status_code == 400


# The second step of signing in


@bp.route("/auth/two-factor", methods=["GET", "POST"])
@limiter.limit(SECOND_STEP_ADDRESS_LIMIT, methods=["POST"])
@limiter.limit(SECOND_STEP_LIMIT, methods=["POST"], key_func=pending_user_key, deduct_when=_refused)
def second_step():
    waiting = pending()
    if waiting is None:
        if current_user.is_authenticated:
            return redirect("/")
        clear_session()
        flash("Please sign in again.", "info")
        return redirect(url_for("accounts.login"))
    user, asked = waiting
    form = SecondStepForm()
    if request.method == "GET":
        return render_template("accounts/second_step.html", form=form)
    if not form.validate_on_submit():
        return render_template("accounts/second_step.html", form=form), 400
    with committing():
        check = two_factor.second_step(user, form.code.data)
        if check.method is not None:
            service.record_sign_in(user, check.method)
    if check.refusal is not None:
        form.code.errors.append(check.refusal)
        return render_template("accounts/second_step.html", form=form), 400
    start_signed_in_session(user, remember=asked.get("remember", False))
    flash(f"Signed in as {user.name}.", "success")
    if check.method == two_factor.RECOVERY:
        left = two_factor.recovery_codes_left(user)
        flash(
            f"You used a recovery code; {left} left. If you have lost your phone, "
            "turn two-factor sign-in off and on again with your new one.",
            "info",
        )
    response = redirect(safe_next(asked.get("next")) or "/")
    if form.remember_device.data:
        response.set_cookie(
            two_factor.DEVICE_COOKIE,
            two_factor.device_token(user),
            max_age=two_factor.REMEMBER_DEVICE_DAYS * 24 * 3600,
            path="/auth",
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
            httponly=True,
            samesite="Lax",
        )
    return response


# Set-up and changes, from the account


def _next() -> str | None:
    return safe_next(request.values.get("next"))


def _setup_page(form=None, status: int = 200):
    secret = session.get(SETUP_SECRET_KEY)
    if not secret:
        secret = session[SETUP_SECRET_KEY] = two_factor.new_secret()
    uri = two_factor.provisioning_uri(current_user, secret)
    return (
        render_template(
            "accounts/two_factor_setup.html",
            form=form or TwoFactorSetupForm(),
            qr=two_factor.qr_svg(uri),
            key=two_factor.grouped(secret),
            required=two_factor.is_required(current_user),
            next_url=_next(),
        ),
        status,
    )


def _settings_page(recovery_form=None, off_form=None, status: int = 200):
    return (
        render_template(
            "accounts/two_factor.html",
            settings=current_user.two_factor,
            codes_left=two_factor.recovery_codes_left(current_user),
            required=two_factor.is_required(current_user),
            recovery_form=recovery_form or RecoveryCodesForm(prefix="recovery", formdata=None),
            off_form=off_form or TwoFactorOffForm(prefix="off", formdata=None),
        ),
        status,
    )


def _codes_page(codes: list[str], heading: str):
    return render_template(
        "accounts/recovery_codes.html", codes=codes, heading=heading, next_url=_next()
    )


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def setup():
    if two_factor.is_enabled(current_user):
        return _settings_page()
    form = TwoFactorSetupForm()
    if request.method == "GET":
        return _setup_page(form)
    if not session.get(SETUP_SECRET_KEY):
        # The session that showed the key is gone (signed out and in, say): start again.
        flash("Please scan this code again: the one you scanned has expired.", "error")
        return _setup_page(TwoFactorSetupForm(formdata=None), 400)
    if not form.validate_on_submit():
        return _setup_page(form, 400)
    with committing(form, field="code") as outcome:
        codes = two_factor.enable(current_user, session[SETUP_SECRET_KEY], form.code.data)
    if outcome.refused:
        return _setup_page(form, 400)
    session.pop(SETUP_SECRET_KEY, None)
    flash("Two-factor sign-in is on. We have emailed you to say so.", "success")
    return _codes_page(codes, "Two-factor sign-in is on: save your recovery codes")


@bp.post("/account/two-factor/recovery-codes")
@login_required
@limiter.limit(SECOND_STEP_ADDRESS_LIMIT)
def new_recovery_codes():
    if not two_factor.is_enabled(current_user):
        return redirect(url_for("two_factor.setup"))
    form = RecoveryCodesForm(prefix="recovery")
    if not form.validate_on_submit():
        return _settings_page(recovery_form=form, status=400)
    with committing(form, field="code") as outcome:
        codes = two_factor.replace_recovery_codes(current_user, form.code.data)
    if outcome.refused:
        return _settings_page(recovery_form=form, status=400)
    flash("Your old recovery codes no longer work.", "success")
    return _codes_page(codes, "Your new recovery codes")


@bp.post("/account/two-factor/off")
@login_required
@limiter.limit(SECOND_STEP_ADDRESS_LIMIT)
def turn_off():
    if not two_factor.is_enabled(current_user):
        return redirect(url_for("two_factor.setup"))
    form = TwoFactorOffForm(prefix="off")
    if not form.validate_on_submit():
        return _settings_page(off_form=form, status=400)
    with committing(form, field="code") as outcome:
        two_factor.disable(current_user, form.password.data, form.code.data)
    if outcome.refused:
        return _settings_page(off_form=form, status=400)
    flash("Two-factor sign-in is off. We have emailed you to say so.", "success")
    return redirect(url_for("accounts.account"), 303)
