"""The feedback form a learner fills in after a session they attended."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length

from ..models.feedback import SCALE
from .service import Answers

COMMENT_MAX_LENGTH = 2000
RECOMMEND_MESSAGE = "Say whether you would recommend the course: yes or no."


class ScaleField(RadioField):
    """A choice from 1 to 5; anything else is refused with the field's own message."""

    def __init__(self, label: str, low: str, high: str, message: str, **kwargs):
        choices = [
            SelectChoice(
                score,
                f"{score} ({low})"
                if score == SCALE.start
                else f"{score} ({high})"
                if score == SCALE.stop - 1
                else str(score),
            )
            for score in SCALE
        ]
        self.message = message
        super().__init__(
            label,
            choices=choices,
            coerce=int,
            validate_choice=False,
            validators=[InputRequired(message)],
            **kwargs,
        )
        # Drawn as the radio group it is by the forms macro, which goes by type.
        self.type = "RadioField"

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = valuelist[0].strip()
        self.data = int(text) if text.isascii() and text.isdigit() and len(text) < 3 else None
        if self.data not in SCALE:
            self.data = None
            raise ValueError(self.message)


class FeedbackForm(FlaskForm):
    rating = ScaleField(
        "Overall, how would you rate the course?",
        "poor",
        "excellent",
        "Choose a rating from 1 (poor) to 5 (excellent).",
    )
    confidence_before = ScaleField(
        "How confident were you in the subject before the course?",
        "not at all",
        "very",
        "Choose how confident you were before, from 1 (not at all) to 5 (very).",
    )
    confidence_after = ScaleField(
        "How confident are you in the subject now?",
        "not at all",
        "very",
        "Choose how confident you are now, from 1 (not at all) to 5 (very).",
    )
    do_differently = TextAreaField(
        "What will you do differently?",
        validators=[
            Length(
                max=COMMENT_MAX_LENGTH,
                message=f"Keep your answer to {COMMENT_MAX_LENGTH:,} characters or fewer.",
            )
        ],
    )
    recommend = RadioField(
        "Would you recommend the course to others?",
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        validate_choice=False,
        validators=[
            InputRequired(RECOMMEND_MESSAGE),
            AnyOf(("yes", "no"), message=RECOMMEND_MESSAGE),
        ],
    )
    quote_permitted = BooleanField(
        "You may quote my answer anonymously (on the course page and in reports to funders)"
    )
    save = SubmitField("Send feedback")

    def answers(self) -> Answers:
        return Answers(
            rating=self.rating.data,
            confidence_before=self.confidence_before.data,
            confidence_after=self.confidence_after.data,
            do_differently=(self.do_differently.data or "").strip(),
            recommend=self.recommend.data == "yes",
            quote_permitted=bool(self.quote_permitted.data),
        )

    def fill_from(self, response) -> None:
        """Preset the form to answers already given."""
        self.rating.data = response.rating
        self.confidence_before.data = response.confidence_before
        self.confidence_after.data = response.confidence_after
        self.do_differently.data = response.do_differently
        self.recommend.data = "yes" if response.recommend else "no"
        self.quote_permitted.data = response.quote_permitted


class QuoteForm(FlaskForm):
    """Staff show a permitted comment on its course page, or take it off."""

    show = RadioField(
        "Show on the course page",
        choices=[SelectChoice("yes", "Show"), SelectChoice("no", "Hide")],
        validators=[InputRequired("Choose whether to show the quote.")],
    )
