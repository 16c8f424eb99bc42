"""Staff area: programme, bookings, users, news, outbox, brochures, reports."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")
