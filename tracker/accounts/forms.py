"""Account forms (input only; the rules live in services)."""

from flask import flash
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from tracker.accounts.models import ROLES
from tracker.accounts.services import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from tracker.exceptions import ServiceError

EMAIL_LENGTH = Length(max=254, message="Use at most 254 characters.")
PASSWORD_LENGTH = Length(
    min=PASSWORD_MIN_LENGTH,
    max=PASSWORD_MAX_LENGTH,
    message=f"Use at least {PASSWORD_MIN_LENGTH} and at most {PASSWORD_MAX_LENGTH} characters.",
)
ANY_PASSWORD_LENGTH = Length(
    max=PASSWORD_MAX_LENGTH, message=f"Use at most {PASSWORD_MAX_LENGTH} characters."
)
PASSWORD_HELP = (
    f"At least {PASSWORD_MIN_LENGTH} characters; a few unrelated words make a good one. "
    "Common passwords are refused."
)
ROLE_CHOICES = list(ROLES)  # plain values: WTForms 3.3 deprecates (value, label) tuples


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), EMAIL_LENGTH])
    password = PasswordField("Password", validators=[DataRequired(), ANY_PASSWORD_LENGTH])
    submit = SubmitField("Log in")


class SetupForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), EMAIL_LENGTH])
    password = PasswordField(
        "Password", validators=[DataRequired(), PASSWORD_LENGTH], description=PASSWORD_HELP
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", message="The passwords differ.")],
    )
    submit = SubmitField("Create the admin account")


class CodeForm(FlaskForm):
    code = StringField(
        "Code",
        validators=[DataRequired(), Length(max=32, message="Use at most 32 characters.")],
        description="The 6-digit code from your authenticator app, or one of your recovery codes.",
    )
    submit = SubmitField("Continue")


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(), ANY_PASSWORD_LENGTH]
    )
    new_password = PasswordField(
        "New password", validators=[DataRequired(), PASSWORD_LENGTH], description=PASSWORD_HELP
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("new_password", message="The passwords differ.")],
    )
    submit = SubmitField("Change the password")


class InviteForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), EMAIL_LENGTH])
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[DataRequired()])
    submit = SubmitField("Create the account")


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[DataRequired()])
    submit = SubmitField("Change the role")


class TwoFactorPolicyForm(FlaskForm):
    admin = BooleanField("Admins")
    researcher = BooleanField("Researchers")
    analyst = BooleanField("Analysts")
    submit = SubmitField("Save")


class ConfirmForm(FlaskForm):
    """A button that only carries the CSRF token."""

    submit = SubmitField("Confirm")


def show_service_error(form: FlaskForm, error: ServiceError) -> int:
    """Put a service's message beside the field it names (or flash it); return the status."""
    for field, message in error.fields.items():
        if hasattr(form, field):
            getattr(form, field).errors.append(message)
        else:
            flash(message, "error")
    if not error.fields:
        flash(error.message, "error")
    return error.status_code
