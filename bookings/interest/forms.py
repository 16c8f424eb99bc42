"""Asking to hear about new dates: an email address from a visitor, one click for a learner."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length

from ..catalogue.forms import without_control_characters


class InterestForm(FlaskForm):
    """A visitor's sign-up; confirmed through an emailed link."""

    email = EmailField(
        "Your email address",
        validators=[
            DataRequired("Enter your email address."),
            Email("Enter an email address like name@example.org."),
            Length(max=254, message="An email address is 254 characters or fewer."),
        ],
        filters=[without_control_characters],
    )


class OneClickInterestForm(FlaskForm):
    """A signed-in learner's sign-up: their account's address, nothing to fill in."""
