"""The attendance register form: one attended/absent choice per confirmed learner."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

ATTENDANCE_CHOICES = [SelectChoice("attended", "Attended"), SelectChoice("absent", "Absent")]


class AttendanceForm(FlaskForm):
    """Built per session by attendance_form(); fields are named after booking ids."""

    def marks(self) -> dict[int, bool]:
        """{booking id: attended?} for every learner given a mark."""
        result = {}
        for name, booking_id in self.booking_fields.items():
            value = self[name].data
            if value in ("attended", "absent"):
                result[booking_id] = value == "attended"
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
                choices=ATTENDANCE_CHOICES,
                validators=[Optional()],
                validate_choice=False,
            ),
        )
        fields[name] = booking.id
    Form.booking_fields = fields
    data = {
        name: {True: "attended", False: "absent"}.get(b.attended)
        for name, b in zip(fields, bookings, strict=True)
    }
    return Form(data=data, **kwargs)
