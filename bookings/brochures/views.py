"""The two sector brochures."""

from flask import Blueprint

bp = Blueprint("brochures", __name__)
