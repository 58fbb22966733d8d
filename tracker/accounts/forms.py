"""Login and setup forms (input only; the rules live in services)."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from tracker.accounts.services import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH


class LoginForm(FlaskForm):
    email = EmailField(
        "Email", validators=[DataRequired(), Length(max=254, message="Use at most 254 characters.")]
    )
    password = PasswordField(
        "Password",
        validators=[
            DataRequired(),
            Length(
                max=PASSWORD_MAX_LENGTH, message=f"Use at most {PASSWORD_MAX_LENGTH} characters."
            ),
        ],
    )
    submit = SubmitField("Log in")


class SetupForm(FlaskForm):
    email = EmailField(
        "Email", validators=[DataRequired(), Length(max=254, message="Use at most 254 characters.")]
    )
    password = PasswordField(
        "Password",
        validators=[
            DataRequired(),
            Length(
                min=PASSWORD_MIN_LENGTH,
                max=PASSWORD_MAX_LENGTH,
                message=f"Use at least {PASSWORD_MIN_LENGTH} and at most {PASSWORD_MAX_LENGTH} "
                "characters.",
            ),
        ],
        description=f"At least {PASSWORD_MIN_LENGTH} characters.",
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", message="The passwords differ.")],
    )
    submit = SubmitField("Create the admin account")
