"""The staff form for the introductions on the generated brochures' covers."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length

from ..enums import Sector

INTRODUCTION_MAX = 1200


class IntroductionForm(FlaskForm):
    """One introduction per sector; an empty one means the standard wording."""

    voluntary = TextAreaField(
        "Voluntary sector brochure",
        validators=[
            Length(max=INTRODUCTION_MAX, message=f"Keep it to {INTRODUCTION_MAX} characters.")
        ],
    )
    private = TextAreaField(
        "Private sector brochure",
        validators=[
            Length(max=INTRODUCTION_MAX, message=f"Keep it to {INTRODUCTION_MAX} characters.")
        ],
    )
    save_introductions = SubmitField("Save introductions")

    def texts(self) -> dict[str, str]:
        """{sector: the introduction as typed, trimmed}."""
        return {sector.value: (self[sector.value].data or "").strip() for sector in Sector}
