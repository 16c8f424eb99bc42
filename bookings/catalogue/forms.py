"""The catalogue's search form (GET, so no CSRF token)."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError
from wtforms.widgets import MonthInput, SearchInput

from ..enums import SECTOR_LABELS
from .queries import CatalogueSearch

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
QUERY_MAX = 200
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def without_control_characters(value: str | None) -> str | None:
    """Typed text never holds control characters; databases refuse some (NUL)."""
    return CONTROL_CHARACTERS.sub(" ", value) if value else value


def parse_month(value: str) -> tuple[int, int] | None:
    """(year, month) from 'YYYY-MM', or None when it is not a real month."""
    match = MONTH_RE.match(value or "")
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        return None
    return year, month


def _real_month(form, field) -> None:
    if field.data and parse_month(field.data.strip()) is None:
        raise ValidationError("Enter a month as year and month, for example 2027-03.")


class CatalogueSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(
        "Search for",
        validators=[
            Optional(),
            Length(max=QUERY_MAX, message=f"Search for at most {QUERY_MAX} characters."),
        ],
        filters=[without_control_characters],
        widget=SearchInput(),
    )
    category = SelectField("Category", choices=[], validate_choice=False)
    sector = SelectField(
        "Show prices for",
        choices=[
            SelectChoice("", "Both sectors"),
            *(SelectChoice(k, v) for k, v in SECTOR_LABELS.items()),
        ],
        validate_choice=False,
    )
    month = StringField("Month", validators=[Optional(), _real_month], widget=MonthInput())
    available = BooleanField("Only dates with places left")

    def set_categories(self, names: list[str]) -> None:
        self.category.choices = [SelectChoice("", "All categories"), *map(SelectChoice, names)]
        self._category_names = set(names)

    def validate_category(self, field) -> None:
        if field.data and field.data not in getattr(self, "_category_names", ()):
            raise ValidationError("Choose a category from the list.")

    def validate_sector(self, field) -> None:
        if field.data and field.data not in SECTOR_LABELS:
            raise ValidationError("Choose voluntary or private sector.")

    def search(self) -> CatalogueSearch:
        """The validated filters as plain values."""
        return CatalogueSearch(
            q=(self.q.data or "").strip(),
            category=self.category.data or "",
            month=parse_month((self.month.data or "").strip()),
            available=bool(self.available.data),
        )
