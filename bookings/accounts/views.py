"""Register, sign in, sign out, password reset, profile."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)
