"""The audit trail's filters: who, what, which object, and when."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SearchField, SelectField, ValidationError
from wtforms.validators import Length, NumberRange, Optional

from ..enums import AUDIT_ACTION_LABELS
from ..staff.forms import options, plausible_date
from .service import OBJECT_TYPES


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    who = SearchField(
        "Who", validators=[Optional(), Length(max=200, message="200 characters or fewer.")]
    )
    action = SelectField(
        "Action", choices=options([("", "Any action"), *AUDIT_ACTION_LABELS.items()]), default=""
    )
    object_type = SelectField(
        "Object",
        choices=options([("", "Anything"), *OBJECT_TYPES.items()]),
        default="",
    )
    object_id = IntegerField(
        "Object number",
        validators=[
            Optional(),
            NumberRange(min=1, max=2**31 - 1, message="Enter the number from the object's page."),
        ],
    )
    date_from = DateField("From", validators=[Optional(), plausible_date])
    date_to = DateField("To", validators=[Optional(), plausible_date])

    def validate_date_to(self, field) -> None:
        if self.date_from.data and field.data and field.data < self.date_from.data:
            raise ValidationError("The last date must be on or after the first date.")

    def filters(self) -> dict:
        """The valid filters as query arguments (an invalid one is left out)."""
        return {
            name: field.data
            for name, field in self._fields.items()
            if not field.errors and field.data not in (None, "")
        }
