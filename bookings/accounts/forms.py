"""Account forms: register, sign in, password reset and change, profile."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    StopValidation,
)

from ..enums import SECTOR_LABELS, SECTORS
from ..payments.forms import InvoiceDetailsFields
from .service import MIN_PASSWORD_LENGTH

SECTOR_CHOICES = [SelectChoice(s, SECTOR_LABELS[s]) for s in SECTORS]


class SectorField(RadioField):
    """Voluntary or private: which brochure and which price list apply."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type = "RadioField"  # rendered by the radio branch of the forms macro

    def pre_validate(self, form):
        if self.data is not None and self.data not in SECTORS:
            raise StopValidation("Choose the voluntary sector or the private sector.")


def _name():
    return StringField(
        "Full name",
        validators=[
            DataRequired("Enter your full name."),
            Length(max=120, message="Your name must be 120 characters or fewer."),
        ],
    )


def _organisation():
    return StringField(
        "Organisation",
        validators=[
            Optional(),
            Length(max=160, message="The organisation must be 160 characters or fewer."),
        ],
    )


def _sector():
    return SectorField(
        "Which sector do you work in?",
        choices=SECTOR_CHOICES,
        validators=[InputRequired("Choose the voluntary sector or the private sector.")],
    )


def _email():
    return EmailField(
        "Email address",
        validators=[
            DataRequired("Enter your email address."),
            Length(max=254, message="The email address must be 254 characters or fewer."),
            Email("Enter an email address like name@example.org."),
        ],
    )


def _new_password(label="Password"):
    return PasswordField(
        label,
        validators=[
            DataRequired("Choose a password."),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=f"Passwords must be {MIN_PASSWORD_LENGTH} to 200 characters long.",
            ),
        ],
    )


def _confirm_password(label="Password again"):
    return PasswordField(
        label,
        validators=[
            DataRequired("Type the password again."),
            EqualTo("password", message="The two passwords do not match."),
        ],
    )


class RegistrationForm(FlaskForm):
    name = _name()
    email = _email()
    password = _new_password()
    confirm = _confirm_password()
    organisation = _organisation()
    sector = _sector()


class LoginForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter your email address."),
            Length(max=254, message="The email address must be 254 characters or fewer."),
        ],
    )
    password = PasswordField(
        "Password",
        validators=[
            DataRequired("Enter your password."),
            Length(max=200, message="Passwords are 200 characters or fewer."),
        ],
    )
    remember = BooleanField("Remember me on this device")


class ResetRequestForm(FlaskForm):
    email = _email()


class NewPasswordForm(FlaskForm):
    password = _new_password("New password")
    confirm = _confirm_password()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        validators=[
            DataRequired("Enter your current password."),
            Length(max=200, message="Passwords are 200 characters or fewer."),
        ],
    )
    password = _new_password("New password")
    confirm = _confirm_password("New password again")


class ProfileForm(InvoiceDetailsFields, FlaskForm):
    name = _name()
    organisation = _organisation()
    sector = _sector()


class EraseAccountForm(FlaskForm):
    password = PasswordField(
        "Your password", validators=[DataRequired("Enter your password to confirm.")]
    )
    understood = BooleanField(
        "I understand my upcoming bookings will be cancelled and my account closed",
        validators=[DataRequired("Tick the box to confirm.")],
    )


def _code(label="Code"):
    return StringField(
        label,
        validators=[
            DataRequired("Enter the code."),
            Length(max=40, message="Codes are 6 digits, or 16 letters and digits."),
        ],
        render_kw={
            "autocomplete": "one-time-code",
            "spellcheck": "false",
            "autocapitalize": "none",
        },
    )


class TwoFactorSetupForm(FlaskForm):
    code = _code("Code from your authenticator app")


class SecondStepForm(FlaskForm):
    code = _code("Code from your authenticator app, or a recovery code")
    remember_device = BooleanField("Do not ask for a code on this device for 30 days")


class RecoveryCodesForm(FlaskForm):
    code = _code("Code from your authenticator app")


class TwoFactorOffForm(FlaskForm):
    password = PasswordField(
        "Your password",
        validators=[
            DataRequired("Enter your password."),
            Length(max=200, message="Passwords are 200 characters or fewer."),
        ],
    )
    code = _code("Code from your authenticator app, or a recovery code")
