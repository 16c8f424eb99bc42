"""Role guards for views."""

from functools import wraps

from flask import abort, redirect, request, url_for
from flask_login import current_user, login_required

from .accounts import two_factor
from .enums import Role


def role_required(*roles: Role):
    """Signed-in users with one of roles; staff pass every guard. Others get a 403 page.

    A user whose role must use two-factor sign-in (REQUIRE_2FA_ROLES) and has not set
    it up is sent to set it up first, from every page the guard covers.
    """

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.is_staff and current_user.role not in roles:
                abort(403)
            if two_factor.missing(current_user):
                back = request.full_path.rstrip("?") if request.method == "GET" else None
                return redirect(url_for("two_factor.setup", next=back))
            return view(*args, **kwargs)

        return wrapped

    return decorator


staff_required = role_required(Role.STAFF)
trainer_required = role_required(Role.TRAINER)
