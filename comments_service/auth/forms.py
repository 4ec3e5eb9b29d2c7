from flask import current_app
from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from comments_service.enums import Notify
from comments_service.words.language import language_choices, own_name


class LoginForm(FlaskForm):
    email = EmailField(lazy_gettext("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(
        lazy_gettext("Password"), validators=[DataRequired(), Length(max=1024)]
    )
    remember = BooleanField(lazy_gettext("Keep me signed in on this device"))


class NotifyForm(FlaskForm):
    """How a staff member hears about new reader comments on their posts."""

    notify = RadioField(
        lazy_gettext("Email me about new reader comments"),
        choices=[
            SelectChoice(
                Notify.EACH.value, lazy_gettext("One email for each comment, as it arrives")
            ),
            SelectChoice(
                Notify.DIGEST.value, lazy_gettext("One email a day listing the new comments")
            ),
            SelectChoice(
                Notify.OFF.value, lazy_gettext("No email: I check the moderation page myself")
            ),
        ],
        validators=[InputRequired(lazy_gettext("Choose how you want to hear about comments."))],
    )


class AwayForm(FlaskForm):
    """An away period, first and last day included; empty both to come back."""

    away_from = DateField(lazy_gettext("First day away"), validators=[Optional()])
    away_until = DateField(lazy_gettext("Last day away"), validators=[Optional()])


class FeedForm(FlaskForm):
    """Make a new private feed address; it carries nothing but the CSRF token."""


class LanguageForm(FlaskForm):
    """The language of a staff member's pages and mails: one the service has words for, or
    empty for the blog's (``PORCH_LANGUAGE``), which follows the blog if it changes."""

    language = SelectField(lazy_gettext("Language of your pages and mails"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        blog_language = current_app.config["PORCH_LANGUAGE"]
        blogs = gettext("The blog’s language (%(name)s)", name=own_name(blog_language))
        self.language.choices = [
            SelectChoice("", blogs),
            *(
                SelectChoice(code, name, render_kw={"lang": code.replace("_", "-")})
                for code, name in language_choices(blog_language)
            ),
        ]
