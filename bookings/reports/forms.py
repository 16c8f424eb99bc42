"""The report's date range: from and to, as YYYY-MM-DD in the address."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import InputRequired, ValidationError

from ..staff.forms import plausible_date
from .queries import Period

MAX_YEARS = 10


class DayField(DateField):
    """A date as YYYY-MM-DD, refused with a message that shows the form it takes."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError("Enter a date like 2026-04-01 (year, month, day).") from exc


class ReportForm(FlaskForm):
    class Meta:
        csrf = False

    date_from = DayField(
        "From",
        name="from",
        validators=[InputRequired("Enter the first date, like 2026-04-01."), plausible_date],
    )
    date_to = DayField(
        "To",
        name="to",
        validators=[InputRequired("Enter the last date, like 2027-03-31."), plausible_date],
    )

    def validate_date_to(self, field) -> None:
        first, last = self.date_from.data, field.data
        if not isinstance(first, date) or not isinstance(last, date):
            return
        if last < first:
            raise ValidationError("The 'to' date must be on or after the 'from' date.")
        if last.year - first.year > MAX_YEARS or (
            last.year - first.year == MAX_YEARS
            and (last.month, last.day) >= (first.month, first.day)
        ):
            raise ValidationError(f"Choose a range of at most {MAX_YEARS} years.")

    @property
    def period(self) -> Period:
        return Period(self.date_from.data, self.date_to.data)
