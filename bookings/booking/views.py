"""Book a place, join the waiting list, my bookings, cancel."""

from flask import Blueprint

bp = Blueprint("booking", __name__)
