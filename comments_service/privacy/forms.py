"""The privacy page's form: an address and what its owner wants done."""

from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from comments_service.words.addresses import AddressError, mail_address
from comments_service.words.characters import line_problem

WISHES = [
    SelectChoice("export", lazy_gettext("Send me a copy of my data")),
    SelectChoice("forget", lazy_gettext("Erase my data")),
]


def storable_line(form, field) -> None:
    """No control or invisible character reaches the outbox or a lookup."""
    if field.data and (problem := line_problem(field.data)):
        raise ValidationError(problem)


def mail_address_field(form, field) -> None:
    """An address mail can be sent to, kept in the form it is stored in (addresses.py)."""
    try:
        field.data = mail_address(field.data)
    except AddressError as error:
        raise ValidationError(
            gettext("That email address does not look right. %(problem)s", problem=error)
        ) from None


class DataRequestForm(FlaskForm):
    """Posted from the static blog, where no CSRF token can be baked in: the view checks
    the Origin instead, and the form changes nothing stored but a mail to the address."""

    class Meta:
        csrf = False

    email = StringField(
        lazy_gettext("Your email address"),
        validators=[
            DataRequired(lazy_gettext("Please give the email address you commented with.")),
            Length(max=254, message=lazy_gettext("An email address has at most 254 characters.")),
            storable_line,
            mail_address_field,
        ],
    )
    wish = RadioField(
        lazy_gettext("What would you like?"),
        choices=WISHES,
        validators=[
            InputRequired(lazy_gettext("Please choose a copy of your data, or its erasure."))
        ],
    )
