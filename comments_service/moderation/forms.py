from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class AnswerForm(FlaskForm):
    body = TextAreaField(
        "Your answer (Markdown)",
        validators=[DataRequired("Write an answer first."), Length(max=10_000)],
    )


class DismissForm(FlaskForm):
    reason = StringField(
        "Why no answer is needed",
        validators=[DataRequired("Say why no answer is needed."), Length(max=500)],
    )


class ActionForm(FlaskForm):
    """Approve, spam and delete carry nothing but the CSRF token."""
