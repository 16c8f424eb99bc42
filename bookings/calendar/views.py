"""Calendar feeds and per-booking .ics files."""

from flask import Blueprint

bp = Blueprint("calendar", __name__)
