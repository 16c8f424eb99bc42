"""The attendance register (one outcome per confirmed learner) and staff corrections."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Optional

from ..enums import OUTCOME_LABELS, AttendanceOutcome

OUTCOME_CHOICES = [SelectChoice(value, label) for value, label in OUTCOME_LABELS.items()]


class AttendanceForm(FlaskForm):
    """Built per session by attendance_form(); fields are named after booking ids."""

    def marks(self) -> dict[int, str]:
        """{booking id: outcome} for every learner given a mark."""
        result = {}
        for name, booking_id in self.booking_fields.items():
            value = self[name].data
            if value in OUTCOME_LABELS:
                result[booking_id] = value
        return result


def attendance_form(bookings, **kwargs) -> AttendanceForm:
    """A register form with a radio group per booking, preset to what is recorded."""
    fields = {}

    class Form(AttendanceForm):
        pass

    for booking in bookings:
        name = f"booking_{booking.id}"
        setattr(
            Form,
            name,
            RadioField(
                f"{booking.learner.name}",
                choices=OUTCOME_CHOICES,
                validators=[Optional()],
                validate_choice=False,
            ),
        )
        fields[name] = booking.id
    Form.booking_fields = fields
    data = {name: b.outcome for name, b in zip(fields, bookings, strict=True)}
    return Form(data=data, **kwargs)


NOT_RECORDED = ""  # the choice that records no outcome


def outcome_choices(booking) -> list[SelectChoice]:
    """What staff may record for a booking: a cancelled place was given up in time or late."""
    if booking.is_cancelled:
        late = AttendanceOutcome.LATE_CANCELLATION
        return [SelectChoice(NOT_RECORDED, "Cancelled in time"), SelectChoice(late, late.label)]
    return [SelectChoice(NOT_RECORDED, "Not recorded"), *OUTCOME_CHOICES]


class OutcomeForm(FlaskForm):
    """Built per session by outcome_form(); fields are named after booking ids."""

    def outcomes(self) -> dict[int, str | None]:
        """{booking id: outcome, or None for none} for every booking on the form."""
        return {
            booking_id: (self[name].data or None)
            for name, booking_id in self.booking_fields.items()
        }


def outcome_form(bookings, **kwargs) -> OutcomeForm:
    """A correction form with a radio group per booking that had a place."""
    fields = {}

    class Form(OutcomeForm):
        pass

    for booking in bookings:
        name = f"booking_{booking.id}"
        choices = outcome_choices(booking)
        setattr(
            Form,
            name,
            RadioField(
                f"{booking.learner.name} ({booking.reference})",
                choices=choices,
                default=NOT_RECORDED,
                validate_choice=False,
                validators=[
                    AnyOf(
                        [choice.value for choice in choices],
                        message="Choose one of the outcomes shown.",
                    )
                ],
            ),
        )
        fields[name] = booking.id
    Form.booking_fields = fields
    data = {name: b.outcome or NOT_RECORDED for name, b in zip(fields, bookings, strict=True)}
    return Form(data=data, **kwargs)
