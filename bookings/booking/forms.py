"""Booking forms: book a place, for yourself or a team; cancel; send a substitute."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from ..accounts.forms import SECTOR_CHOICES, SectorField
from ..enums import SECTORS
from ..payments.forms import BillingFields
from .service import NEEDS_MAX_LENGTH, Needs
from .team import TEAM_LIMIT, Attendee

TEAM_ROWS = 3  # empty rows a new team form offers


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


def _person_name() -> StringField:
    return StringField(
        "Name",
        filters=[lambda v: " ".join(v.split()) if isinstance(v, str) else v],
        validators=[
            DataRequired("Enter the person's name."),
            Length(max=120, message="The name must be 120 characters or fewer."),
        ],
    )


def _person_email() -> EmailField:
    return EmailField(
        "Email address",
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        validators=[
            DataRequired("Enter the person's email address: their confirmation goes there."),
            Length(max=254, message="The email address must be 254 characters or fewer."),
            Email("Enter an email address like sam@example.org."),
        ],
    )


class AttendeeForm(Form):
    """One colleague in a team booking; a row left wholly empty is skipped."""

    name = _person_name()
    email = _person_email()
    access_needs = _needs_field("Access needs")
    dietary_needs = _needs_field("Dietary needs")

    @property
    def is_blank(self) -> bool:
        return not any(
            (self[name].data or "").strip()
            for name in ("name", "email", "access_needs", "dietary_needs")
        )

    def validate(self, extra_validators=None) -> bool:
        return True if self.is_blank else super().validate(extra_validators)


class TeamBookingForm(BillingFields, FlaskForm):
    """Book places for colleagues, and optionally for yourself, in one go."""

    with_organiser = BooleanField("I am coming too")
    attendees = FieldList(FormField(AttendeeForm), min_entries=TEAM_ROWS)
    organiser_email = EmailField(
        "Book on behalf of (organiser's email address)",
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        validators=[Optional(), Email("Enter the organiser's email address.")],
    )
    consent = BooleanField(
        "Everyone listed has agreed that we keep their details for this course",
        validators=[DataRequired("Tick the box to confirm everyone has agreed.")],
    )
    confirm_waiting = BooleanField(
        "Book the places left and put the rest on the waiting list, in the order listed"
    )
    add_row = SubmitField("Add another person")

    def validate_attendees(self, field) -> None:
        if len(field.entries) > TEAM_LIMIT:
            raise ValidationError(f"You can book for at most {TEAM_LIMIT} people at once.")

    def people(self) -> list[Attendee]:
        return [
            Attendee(
                entry.form.name.data,
                entry.form.email.data,
                (entry.form.access_needs.data or "").strip(),
                (entry.form.dietary_needs.data or "").strip(),
            )
            for entry in self.attendees.entries
            if not entry.form.is_blank
        ]

    def head_count(self) -> int:
        return len(self.people()) + (1 if self.with_organiser.data else 0)


class SubstituteForm(FlaskForm):
    """Who goes instead."""

    name = _person_name()
    email = _person_email()
