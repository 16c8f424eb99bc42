"""Role guards for views."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from .enums import Role


def role_required(*roles: Role):
    """Signed-in users with one of roles; staff pass every guard. Others get a 403 page."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.is_staff and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


staff_required = role_required(Role.STAFF)
trainer_required = role_required(Role.TRAINER)
