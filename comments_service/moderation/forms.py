from flask import current_app
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError


def within_comment_limit(form, field) -> None:
    """Staff answers follow the same length limit as reader comments."""
    limit = current_app.config["PORCH_MAX_COMMENT_CHARS"]
    if field.data and len(field.data) > limit:
        raise ValidationError(f"Please keep answers under {limit:,} characters.")


class AnswerForm(FlaskForm):
    body = TextAreaField(
        "Your answer (Markdown)",
        validators=[DataRequired("Write an answer first."), within_comment_limit],
    )


class DismissForm(FlaskForm):
    reason = StringField(
        "Why no answer is needed",
        validators=[DataRequired("Say why no answer is needed."), Length(max=500)],
    )


class ActionForm(FlaskForm):
    """Approve, spam and delete carry nothing but the CSRF token."""
