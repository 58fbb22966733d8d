"""Account forms (input only; the rules live in services)."""

from typing import Any

from flask import flash
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from tracker.accounts.models import ROLES
from tracker.accounts.services import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from tracker.exceptions import ServiceError
from tracker.i18n import role_label

EMAIL_LENGTH = Length(max=254, message=_l("Use at most 254 characters."))
PASSWORD_LENGTH = Length(
    min=PASSWORD_MIN_LENGTH,
    max=PASSWORD_MAX_LENGTH,
    message=_l("Use at least %(min)d and at most %(max)d characters."),
)
ANY_PASSWORD_LENGTH = Length(max=PASSWORD_MAX_LENGTH, message=_l("Use at most %(max)d characters."))
PASSWORD_HELP = _l(
    "At least %(min)d characters; a few unrelated words make a good one. "
    "Common passwords are refused.",
    min=PASSWORD_MIN_LENGTH,
)
ROLE_CHOICES = list(ROLES)  # plain values: WTForms 3.3 deprecates (value, label) tuples


def _role_choices(field: SelectField) -> None:
    """Show each role by its name in the interface language (set after construction)."""
    field.choices = [(role, role_label(role)) for role in ROLES]


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), EMAIL_LENGTH])
    password = PasswordField(_l("Password"), validators=[DataRequired(), ANY_PASSWORD_LENGTH])
    submit = SubmitField(_l("Log in"))


class SetupForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), EMAIL_LENGTH])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), PASSWORD_LENGTH], description=PASSWORD_HELP
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Create the admin account"))


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=32, message=_l("Use at most 32 characters."))],
        description=_l(
            "The 6-digit code from your authenticator app, or one of your recovery codes."
        ),
    )
    submit = SubmitField(_l("Continue"))


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), ANY_PASSWORD_LENGTH]
    )
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired(), PASSWORD_LENGTH], description=PASSWORD_HELP
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )
    revoke_tokens = BooleanField(
        _l("Also revoke my API tokens"),
        description=_l("Do this if the password may have been seen: a token works without it."),
    )
    submit = SubmitField(_l("Change the password"))


class InviteForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), EMAIL_LENGTH])
    # The least privilege unless the admin chooses otherwise: never admin by default.
    role = SelectField(
        _l("Role"), choices=ROLE_CHOICES, default="analyst", validators=[DataRequired()]
    )
    submit = SubmitField(_l("Create the account"))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _role_choices(self.role)


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, validators=[DataRequired()])
    submit = SubmitField(_l("Change the role"))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _role_choices(self.role)


class TwoFactorPolicyForm(FlaskForm):
    admin = BooleanField(_l("Admins"))
    researcher = BooleanField(_l("Researchers"))
    analyst = BooleanField(_l("Analysts"))
    submit = SubmitField(_l("Save"))


class ConfirmForm(FlaskForm):
    """A button that only carries the CSRF token."""

    submit = SubmitField(_l("Confirm"))


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
