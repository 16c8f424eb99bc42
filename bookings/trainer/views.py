"""Trainer tools: my sessions, attendees, register, attendance."""

from flask import Blueprint

bp = Blueprint("trainer", __name__, url_prefix="/trainer")
