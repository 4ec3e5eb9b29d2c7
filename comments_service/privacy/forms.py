"""The privacy page's form: an address and what its owner wants done."""

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Regexp, ValidationError

from comments_service.api.validation import EMAIL
from comments_service.words.characters import line_problem

WISHES = [
    SelectChoice("export", "Send me a copy of my data"),
    SelectChoice("forget", "Erase my data"),
]


def storable_line(form, field) -> None:
    """No control or invisible character reaches the outbox or a lookup."""
    if field.data and (problem := line_problem(field.data)):
        raise ValidationError(problem)


class DataRequestForm(FlaskForm):
    """Posted from the static blog, where no CSRF token can be baked in: the view checks
    the Origin instead, and the form changes nothing stored but a mail to the address."""

    class Meta:
        csrf = False

    email = StringField(
        "Your email address",
        validators=[
            DataRequired("Please give the email address you commented with."),
            Length(max=254, message="An email address has at most 254 characters."),
            storable_line,
            Regexp(EMAIL, message="That email address does not look right."),
        ],
    )
    wish = RadioField(
        "What would you like?",
        choices=WISHES,
        validators=[InputRequired("Please choose a copy of your data, or its erasure.")],
    )
