"""Money forms: who pays (booking form and profile), and the staff invoice pages."""

from __future__ import annotations

import unicodedata
from dataclasses import replace

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    RadioField,
    SearchField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)

from ..enums import PAYERS, PAYMENT_METHOD_LABELS, Payer
from .service import Billing

ADDRESS_MAX = 500
PO_NUMBER_MAX = 64
PAYER_CHOICES = [
    SelectChoice(Payer.ORGANISATION.value, "My organisation (send an invoice)"),
    SelectChoice(Payer.SELF.value, "I will pay myself"),
]


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


def _plain_lines(value):
    """Browsers send a textarea's line breaks as CRLF: count each as one character.
    Tabs (pasted from a spreadsheet) become spaces."""
    if not isinstance(value, str):
        return value
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ").strip()


class NoControlCharacters:
    """Refuse control characters (line breaks too, unless allowed): they break CSV files,
    email headers and documents, and PostgreSQL refuses NUL outright."""

    def __init__(self, message: str, allow_line_breaks: bool = False):
        self.message = message
        self.allowed = {"\n"} if allow_line_breaks else set()

    def __call__(self, form, field) -> None:
        text = field.data or ""
        if any(unicodedata.category(c) == "Cc" and c not in self.allowed for c in text):
            raise ValidationError(self.message)


class PayerField(RadioField):
    """My organisation or myself; rendered by the radio branch of the forms macro."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type = "RadioField"

    def pre_validate(self, form):
        if self.data and self.data not in PAYERS:
            raise StopValidation("Choose who pays: your organisation, or you.")


class InvoiceDetailsFields:
    """Who pays and where the invoice goes, as the profile remembers them."""

    payer = PayerField("Who pays for priced courses?", choices=PAYER_CHOICES)
    invoice_email = EmailField(
        "Email address for invoices",
        filters=[_stripped],
        validators=[
            Optional(),
            Length(max=254, message="The email address must be 254 characters or fewer."),
            Email("Enter an email address like accounts@example.org."),
        ],
    )
    invoice_organisation = StringField(
        "Organisation name",
        filters=[_stripped],
        validators=[
            Length(max=160, message="The organisation's name must be 160 characters or fewer."),
            NoControlCharacters("Remove line breaks and other control characters from the name."),
        ],
    )
    invoice_address = TextAreaField(
        "Postal address",
        filters=[_plain_lines],
        validators=[
            Length(
                max=ADDRESS_MAX,
                message=f"The address must be {ADDRESS_MAX} characters or fewer.",
            ),
            NoControlCharacters(
                "Remove control characters from the address.", allow_line_breaks=True
            ),
        ],
        # No maxlength: a browser would cut a pasted address short without a word;
        # the server says it is too long instead.
        render_kw={"rows": 4, "maxlength": False},
    )

    # What an organisation that pays must give.
    _required_for_invoice = (
        ("invoice_email", "Enter the email address the invoice should go to."),
        ("invoice_organisation", "Enter the name of the organisation that pays."),
        ("invoice_address", "Enter the organisation's postal address."),
    )

    def billing_fields(self) -> list:
        return [self.payer, self.invoice_email, self.invoice_organisation, self.invoice_address]

    def check_invoice_details(self, *, must_answer: bool) -> bool:
        """After validate(): an organisation that pays needs somewhere to send the invoice;
        must_answer (a priced place): the question itself must be answered."""
        if must_answer and self.payer.data not in PAYERS and not self.payer.errors:
            self.payer.errors.append("Choose who pays for this place.")
        if self.payer.data == Payer.ORGANISATION:
            for name, message in self._required_for_invoice:
                field = self[name]
                if not field.data and not field.errors:
                    field.errors.append(message)
        return not any(field.errors for field in self.billing_fields())

    def show_billing(self, billing: Billing, *, answered: bool) -> None:
        """Fill the fields from what the profile remembers (an unanswered question stays so)."""
        self.payer.data = billing.payer if answered else None
        self.invoice_email.data = billing.email
        self.invoice_organisation.data = billing.organisation
        self.invoice_address.data = billing.address

    def billing(self) -> Billing:
        return Billing(
            payer=self.payer.data,
            email=self.invoice_email.data or "",
            organisation=self.invoice_organisation.data or "",
            address=self.invoice_address.data or "",
        )


class BillingFields(InvoiceDetailsFields):
    """The booking form's who-pays question, with the booking's own purchase order."""

    payer = PayerField("Who pays for this place?", choices=PAYER_CHOICES)
    po_number = StringField(
        "Purchase order number",
        filters=[_stripped],
        validators=[
            Length(
                max=PO_NUMBER_MAX,
                message=f"The purchase order number must be {PO_NUMBER_MAX} characters or fewer.",
            ),
            NoControlCharacters(
                "The purchase order number cannot contain line breaks or other control characters."
            ),
        ],
        render_kw={"maxlength": False},
    )

    def billing_fields(self) -> list:
        return [*super().billing_fields(), self.po_number]

    def billing(self) -> Billing:
        return replace(super().billing(), po_number=self.po_number.data or "")


# Staff.


class InvoiceFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(
        "Number, organisation or learner",
        validators=[Optional(), Length(max=200, message="Keep the search to 200 characters.")],
    )
    issued_from = DateField("Issued from", validators=[Optional()])
    issued_to = DateField("Issued to", validators=[Optional()])

    def validate_issued_to(self, field) -> None:
        if self.issued_from.data and field.data and field.data < self.issued_from.data:
            raise ValidationError("The last date must be on or after the first date.")


class MarkPaidForm(FlaskForm):
    paid_on = DateField(
        "Date paid",
        validators=[InputRequired("Enter the date the payment arrived, like 2026-11-30.")],
    )
    method = SelectField(
        "Payment method",
        choices=[SelectChoice(value, label) for value, label in PAYMENT_METHOD_LABELS.items()],
        validators=[DataRequired("Choose how it was paid.")],
    )
    reference = StringField(
        "Payment reference",
        filters=[_stripped],
        validators=[
            Optional(),
            Length(max=120, message="The reference must be 120 characters or fewer."),
            NoControlCharacters("Remove line breaks and other control characters."),
        ],
    )
    save = SubmitField("Mark as paid")


class WaiveForm(FlaskForm):
    reason = TextAreaField(
        "Reason for waiving the charge",
        filters=[_plain_lines],
        validators=[
            DataRequired("Give the reason for waiving the charge."),
            Length(max=500, message="Keep the reason to 500 characters or fewer."),
            NoControlCharacters("Remove control characters.", allow_line_breaks=True),
        ],
        render_kw={"rows": 2},
    )
    save = SubmitField("Waive the charge")
