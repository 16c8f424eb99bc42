"""Staff pages for people: find users, change a role, deactivate or activate an account."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...extensions import db
from ...models import User
from ...web import committing
from .. import queries, service
from ..forms import ActionForm, UserFilterForm, UserRoleForm
from .base import bp, filter_args, page_of, usable


@bp.get("/users")
def users():
    form = UserFilterForm(request.args)
    status = 200 if form.validate() else 400
    query = queries.users_query(usable(form.q, ""), usable(form.role, ""))
    return (
        render_template(
            "staff/users.html",
            form=form,
            page=page_of(query, queries.USERS_ORDER),
            args=filter_args(form),
            action=ActionForm(),
        ),
        status,
    )


def _user_page(user, role_form=None, status=200, error=None):
    role_form = role_form or UserRoleForm(role=user.role)
    return (
        render_template(
            "staff/user.html",
            user=user,
            role_form=role_form,
            action=ActionForm(),
            error=error,
            two_factor_on=user.two_factor is not None,
        ),
        status,
    )


@bp.get("/users/<int:user_id>")
def user(user_id: int):
    return _user_page(db.get_or_404(User, user_id))


@bp.post("/users/<int:user_id>/role")
def user_role(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserRoleForm()
    if not form.validate_on_submit():
        return _user_page(user, form, 400)
    with committing(form) as outcome:
        service.set_role(user, form.role.data, current_user)
    if outcome.refused:
        return _user_page(user, form, 400)
    flash(f"{user.name} is now {user.role}.", "success")
    return redirect(url_for("staff.user", user_id=user.id), 303)


@bp.post("/users/<int:user_id>/active")
def user_active(user_id: int):
    user = db.get_or_404(User, user_id)
    if not ActionForm().validate_on_submit():
        return _user_page(user, status=400, error="Your form expired. Please try again.")
    active = request.form.get("active") == "1"
    # A refusal (deactivating oneself) is shown at the top of the page.
    with committing() as outcome:
        service.set_active(user, active, current_user)
    if outcome.refused:
        return _user_page(user, status=400)
    flash(f"{user.name}'s account is {'active' if active else 'deactivated'}.", "success")
    return redirect(url_for("staff.user", user_id=user.id), 303)
