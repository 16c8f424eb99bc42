"""Staff forms: courses, sessions, bookings, users, news, import, exports, brochures."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    RadioField,
    SearchField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from .. import timefmt
from ..booking.forms import NeedsFields
from ..enums import BOOKING_STATUSES, ROLES, SECTOR_LABELS
from .course_filter import CourseFilterFields

SLUG_RE = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
POUNDS_RE = re.compile(r"^£?\s*(\d{1,6})(?:\.(\d{1,2}))?$")


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as select options."""
    return [SelectChoice(value, label) for value, label in pairs]


def pence_from_pounds(text: str | None) -> int | None:
    """'45', '45.5', '£45.00' as pence; None when it is not an amount of money."""
    match = POUNDS_RE.match((text or "").strip().replace(",", ""))
    if not match:
        return None
    pounds, fraction = match.groups()
    return int(pounds) * 100 + int((fraction or "0").ljust(2, "0"))


def pounds_amount(form, field) -> None:
    text = (field.data or "").strip()
    if text.startswith("-"):
        raise ValidationError("The price cannot be negative.")
    if pence_from_pounds(text) is None:
        raise ValidationError("Enter a price in pounds, like 45 or 45.00 (0 for free).")


FIRST_YEAR, LAST_YEAR = 2000, 2099


def plausible_date(form, field) -> None:
    """Refuse years no training session or report could mean (and dates near the calendar's end)."""
    if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(f"Enter a date between {FIRST_YEAR} and {LAST_YEAR}.")


def local_instant(day: date | None, clock: time | None) -> datetime | None:
    """A date and wall-clock time in Europe/London as an aware UTC instant."""
    if day is None or clock is None:
        return None
    return timefmt.from_local(datetime.combine(day, clock))


class ActionForm(FlaskForm):
    """A button that changes something: carries the CSRF token only."""


class CourseForm(FlaskForm):
    title = StringField(
        "Title", validators=[DataRequired("Enter the course title."), Length(max=200)]
    )
    slug = StringField(
        "Web address name",
        validators=[
            DataRequired("Enter the web address name, like first-aid-at-work."),
            Length(max=120, message="Keep it to 120 characters or fewer."),
            Regexp(SLUG_RE, message="Use lower-case letters, digits and single hyphens only."),
        ],
    )
    summary = TextAreaField(
        "Summary", validators=[Optional(), Length(max=500, message="Keep it to 500 characters.")]
    )
    description = TextAreaField("Description", validators=[Optional()])
    outcomes = TextAreaField("Learning outcomes", validators=[Optional()])
    audience = TextAreaField("Who it is for", validators=[Optional()])
    category = StringField("Category", validators=[Optional(), Length(max=80)])
    duration = StringField("Duration", validators=[Optional(), Length(max=80)])
    price_voluntary = StringField(
        "Price for the voluntary sector (£)",
        validators=[InputRequired("Enter a price (0 for free)."), pounds_amount],
    )
    price_private = StringField(
        "Price for the private sector (£)",
        validators=[InputRequired("Enter a price (0 for free)."), pounds_amount],
    )
    published = BooleanField("Published (shown in the catalogue)", default=True)
    preview = SubmitField("Preview")
    save = SubmitField("Save course")

    def values(self) -> dict:
        return {
            "title": self.title.data.strip(),
            "slug": self.slug.data.strip(),
            "summary": (self.summary.data or "").strip(),
            "description": self.description.data or "",
            "outcomes": self.outcomes.data or "",
            "audience": self.audience.data or "",
            "category": (self.category.data or "").strip(),
            "duration": (self.duration.data or "").strip(),
            "price_voluntary_pence": pence_from_pounds(self.price_voluntary.data),
            "price_private_pence": pence_from_pounds(self.price_private.data),
            "published": bool(self.published.data),
        }


class _TimeAndPlace:
    """Date, times and place fields shared by creating and rescheduling a session."""

    day = DateField(
        "Date", validators=[InputRequired("Enter the date, like 2027-03-14."), plausible_date]
    )
    starts = TimeField("Start time", validators=[InputRequired("Enter the start time.")])
    ends = TimeField("End time", validators=[InputRequired("Enter the end time.")])
    venue_name = StringField("Venue", validators=[Length(max=200)])
    venue_address = TextAreaField("Venue address", validators=[Optional(), Length(max=500)])
    online_url = URLField(
        "Online joining link",
        validators=[Optional(), URL(message="Enter a full web address."), Length(max=500)],
    )

    def validate_online_url(self, field) -> None:
        # URL() takes any scheme, javascript: included; emails make this link clickable.
        if field.data and not field.data.strip().lower().startswith(("https://", "http://")):
            raise ValidationError("Enter a web address starting with https://.")

    def validate_ends(self, field) -> None:
        if self.starts.data and field.data and field.data <= self.starts.data:
            raise ValidationError("The end time must be after the start time.")

    def validate_venue_name(self, field) -> None:
        if not (field.data or "").strip() and not (self.online_url.data or "").strip():
            raise ValidationError("Give a venue, or an online joining link below.")

    @property
    def starts_at(self) -> datetime:
        return local_instant(self.day.data, self.starts.data)

    @property
    def ends_at(self) -> datetime:
        return local_instant(self.day.data, self.ends.data)

    def place(self) -> dict:
        return {
            "venue_name": (self.venue_name.data or "").strip(),
            "venue_address": (self.venue_address.data or "").strip(),
            "online_url": (self.online_url.data or "").strip(),
        }


class _SessionDetails:
    """Fields that may change without telling anyone booked."""

    capacity = IntegerField(
        "Places",
        validators=[
            InputRequired("Enter the number of places."),
            NumberRange(min=0, max=10000, message="Enter a number of places from 0 to 10000."),
        ],
    )
    trainer_id = SelectField("Trainer", coerce=int, validate_choice=True)
    deadline_day = DateField("Booking deadline date", validators=[Optional(), plausible_date])
    deadline_time = TimeField("Booking deadline time", validators=[Optional()])
    notes = TextAreaField("Notes for staff and the trainer", validators=[Optional()])

    confirmed = 0

    def validate_capacity(self, field) -> None:
        if field.data is not None and field.data < self.confirmed:
            raise ValidationError(
                f"{self.confirmed} places are already booked; the number of places cannot be lower."
            )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        day, clock = self.deadline_day, self.deadline_time
        if day.errors or clock.errors:
            return False
        if bool(day.data) != bool(clock.data):
            clock.errors.append("Give both a date and a time for the deadline, or neither.")
            return False
        deadline, starts_at = self.booking_deadline, self.starts_at
        if deadline and starts_at and deadline > starts_at:
            day.errors.append("The booking deadline must be before the session starts.")
            return False
        return valid

    @property
    def booking_deadline(self) -> datetime | None:
        return local_instant(self.deadline_day.data, self.deadline_time.data)

    def details(self) -> dict:
        return {
            "capacity": self.capacity.data,
            "trainer_id": self.trainer_id.data,
            "booking_deadline": self.booking_deadline,
            "notes": self.notes.data or "",
        }


class SessionForm(_TimeAndPlace, _SessionDetails, FlaskForm):
    course_id = SelectField("Course", coerce=int, validate_choice=True)
    save = SubmitField("Add session")


class SessionEditForm(_SessionDetails, FlaskForm):
    save = SubmitField("Save session")
    starts_at = None  # the session's, set by the view


class RescheduleForm(_TimeAndPlace, FlaskForm):
    save = SubmitField("Reschedule and tell everyone booked")


class CancelSessionForm(FlaskForm):
    reason = TextAreaField(
        "Reason (sent to everyone booked)", validators=[Optional(), Length(max=1000)]
    )
    confirm = BooleanField(
        "I understand everyone booked or waiting will be told the session is cancelled",
        validators=[DataRequired("Tick the box to confirm the cancellation.")],
    )
    save = SubmitField("Cancel this session")


class BookingFilterForm(CourseFilterFields, FlaskForm):
    class Meta:
        csrf = False

    session = SelectField("Session", coerce=int, default=0, validate_choice=False)
    status = SelectField(
        "Status",
        choices=options([("", "Any")] + [(s, s.capitalize()) for s in BOOKING_STATUSES]),
        default="",
    )
    q = SearchField("Name, email or reference", validators=[Optional(), Length(max=200)])


class SessionFilterForm(CourseFilterFields, FlaskForm):
    class Meta:
        csrf = False

    show = SelectField(
        "Show",
        choices=options([("upcoming", "Upcoming"), ("past", "Past")]),
        default="upcoming",
        validate_choice=False,  # anything else shows the upcoming ones
    )


class OutboxSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(
        "Recipient's email address",
        validators=[
            Optional(),
            Length(max=254, message="An email address is 254 characters or fewer."),
        ],
    )


class BookOnBehalfForm(NeedsFields, FlaskForm):
    session_id = SelectField("Session", coerce=int, validate_choice=True)
    learner_email = EmailField(
        "Learner's email address",
        validators=[
            DataRequired("Enter the learner's email address."),
            Email("Enter an email address like name@example.org."),
        ],
    )
    access_needs = TextAreaField("Access needs", validators=[Optional(), Length(max=2000)])
    dietary_needs = TextAreaField("Dietary needs", validators=[Optional(), Length(max=2000)])
    consent = BooleanField("The learner agrees to their details being shared with the trainer")
    save = SubmitField("Book a place for this learner")

    learner = None

    def validate_learner_email(self, field) -> None:
        from ..accounts.service import find_by_email

        self.learner = find_by_email(field.data or "")
        if self.learner is None:
            raise ValidationError("No account uses that email address. Ask them to register.")
        if not self.learner.active:
            raise ValidationError("That account is deactivated.")


class MoveBookingForm(FlaskForm):
    session_id = SelectField("Move to session", coerce=int, validate_choice=True)
    save = SubmitField("Move booking")


class UserFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField("Name or email", validators=[Optional(), Length(max=200)])
    role = SelectField(
        "Role", choices=options([("", "Any")] + [(r, r.capitalize()) for r in ROLES]), default=""
    )


class UserRoleForm(FlaskForm):
    role = SelectField(
        "Role",
        choices=options((r, r.capitalize()) for r in ROLES),
        validators=[DataRequired("Choose a role.")],
    )
    save = SubmitField("Change role")


class NewsForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Enter a title."), Length(max=200)])
    published_on = DateField(
        "Date", validators=[InputRequired("Enter the date, like 2027-03-14."), plausible_date]
    )
    body = TextAreaField("Text", validators=[DataRequired("Write the news.")])
    published = BooleanField("Published (shown on the home page)", default=True)
    save = SubmitField("Save news post")

    @property
    def published_at(self) -> datetime:
        return local_instant(self.published_on.data, time(9, 0))


class ImportForm(FlaskForm):
    file = FileField(
        "Catalogue CSV file", validators=[FileRequired("Choose a CSV file to import.")]
    )
    save = SubmitField("Import catalogue")


class ExportForm(FlaskForm):
    class Meta:
        csrf = False

    date_from = DateField(
        "Sessions from",
        validators=[InputRequired("Enter the first date, like 2027-01-01."), plausible_date],
    )
    date_to = DateField(
        "Sessions to",
        validators=[InputRequired("Enter the last date, like 2027-12-31."), plausible_date],
    )
    course = SelectField("Course", coerce=int, default=0, validate_choice=True)

    def validate_date_to(self, field) -> None:
        if self.date_from.data and field.data and field.data < self.date_from.data:
            raise ValidationError("The last date must be on or after the first date.")


class BrochureUploadForm(FlaskForm):
    sector = RadioField(
        "Sector",
        choices=options(SECTOR_LABELS.items()),
        validators=[InputRequired("Choose which brochure this is.")],
    )
    file = FileField("Brochure PDF", validators=[FileRequired("Choose a PDF file to upload.")])
    save = SubmitField("Upload brochure")
