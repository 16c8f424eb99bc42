"""The contact form, and the staff inbox's search."""

from __future__ import annotations

import re

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SearchField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from ..catalogue.forms import without_control_characters
from ..errors import EnquiryRefusal
from .spam import HONEYPOT, count_links

MESSAGE_MAX = 5000
# Control characters other than line breaks and tabs: databases refuse some (NUL).
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean_text(value: str | None) -> str | None:
    return _CONTROL_IN_TEXT.sub("", value) if value else value


def _few_links(form, field) -> None:
    limit = current_app.config["ENQUIRY_MAX_LINKS"]
    if count_links(field.data) > limit:
        raise ValidationError(EnquiryRefusal.TOO_MANY_LINKS.format(limit=limit))


class ContactForm(FlaskForm):
    name = StringField(
        "Your name",
        validators=[
            DataRequired("Enter your name."),
            Length(max=120, message="Keep your name to 120 characters or fewer."),
        ],
        filters=[without_control_characters],
    )
    email = EmailField(
        "Your email address",
        validators=[
            DataRequired("Enter your email address, so we can reply."),
            Email("Enter an email address like name@example.org."),
            Length(max=254, message="An email address is 254 characters or fewer."),
        ],
        filters=[without_control_characters],
    )
    subject = StringField(
        "Subject",
        validators=[
            DataRequired("Enter a subject, such as “Question about booking”."),
            Length(max=200, message="Keep the subject to 200 characters or fewer."),
        ],
        filters=[without_control_characters],
    )
    course = SelectField("Course (optional)", coerce=int, default=0, validate_choice=True)
    message = TextAreaField(
        "Your message",
        validators=[
            DataRequired("Write your message."),
            Length(
                max=MESSAGE_MAX,
                message=f"Keep your message to {MESSAGE_MAX:,} characters or fewer.",
            ),
            _few_links,
        ],
        filters=[_clean_text],
    )
    # The honeypot: hidden from people and assistive technology by the page; only
    # programs that fill in every field see it.
    website = StringField(
        "Leave this field empty",
        validators=[Optional()],
        render_kw={"autocomplete": "off", "tabindex": "-1"},
    )
    stamp = HiddenField()

    def set_courses(self, courses) -> None:
        self.course.choices = [
            SelectChoice(0, "Not about a particular course"),
            *(SelectChoice(c.id, c.title) for c in courses),
        ]

    @property
    def honeypot(self) -> str:
        return self[HONEYPOT].data or ""

    def values(self) -> dict:
        return {
            "name": self.name.data.strip(),
            "email": self.email.data.strip(),
            "subject": self.subject.data.strip(),
            "message": self.message.data.strip(),
            "course_id": self.course.data or None,
        }


class EnquirySearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(
        "Name, email address or words in the enquiry",
        validators=[Optional(), Length(max=200, message="Search for at most 200 characters.")],
    )
