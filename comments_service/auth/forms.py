from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, PasswordField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from comments_service.enums import Notify


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    remember = BooleanField("Keep me signed in on this device")


class NotifyForm(FlaskForm):
    """How a staff member hears about new reader comments on their posts."""

    notify = RadioField(
        "Email me about new reader comments",
        choices=[
            SelectChoice(Notify.EACH.value, "One email for each comment, as it arrives"),
            SelectChoice(Notify.DIGEST.value, "One email a day listing the new comments"),
            SelectChoice(Notify.OFF.value, "No email: I check the moderation page myself"),
        ],
        validators=[InputRequired("Choose how you want to hear about comments.")],
    )


class AwayForm(FlaskForm):
    """An away period, first and last day included; empty both to come back."""

    away_from = DateField("First day away", validators=[Optional()])
    away_until = DateField("Last day away", validators=[Optional()])


class FeedForm(FlaskForm):
    """Make a new private feed address; it carries nothing but the CSRF token."""
