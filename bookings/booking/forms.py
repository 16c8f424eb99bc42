"""Booking forms: book a place, confirm a cancellation."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..accounts.forms import SECTOR_CHOICES, SectorField
from ..enums import SECTORS
from ..payments.forms import BillingFields
from .service import NEEDS_MAX_LENGTH, Needs


def _needs_field(label: str) -> TextAreaField:
    return TextAreaField(
        label,
        validators=[
            Length(
                max=NEEDS_MAX_LENGTH,
                message=f"Please keep this to {NEEDS_MAX_LENGTH} characters or fewer.",
            )
        ],
        render_kw={"rows": 3, "maxlength": NEEDS_MAX_LENGTH},
    )


class NeedsFields:
    """For forms with access_needs, dietary_needs and consent fields (learner or staff)."""

    def needs(self) -> Needs:
        return Needs(
            access=self.access_needs.data or "",
            dietary=self.dietary_needs.data or "",
            consent=bool(self.consent.data),
        )


class BookingForm(NeedsFields, BillingFields, FlaskForm):
    access_needs = _needs_field("Access needs")
    dietary_needs = _needs_field("Dietary needs")
    consent = BooleanField(
        "Keep my details for this course",
        validators=[DataRequired("Tick the box so we may keep your details for this course.")],
    )


class BookingWithSectorForm(BookingForm):
    """For learners whose profile does not yet say which sector they work in."""

    sector = SectorField(
        "Which sector do you work in?",
        choices=SECTOR_CHOICES,
        validators=[DataRequired("Choose the voluntary sector or the private sector.")],
    )

    def chosen_sector(self) -> str | None:
        return self.sector.data if self.sector.data in SECTORS else None


class CancelForm(FlaskForm):
    """Only the CSRF token: the button is the answer."""
