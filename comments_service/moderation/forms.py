"""Forms of the moderation pages; staff text follows the same character rules as readers'."""

from flask import current_app
from flask_babel import format_decimal, gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from comments_service.enums import FollowUp, PrivateChannel
from comments_service.services.moderation.saved_replies import TITLE_LIMIT
from comments_service.words.characters import (
    body_problem,
    has_visible_text,
    line_problem,
    normalised,
    normalised_body,
)
from comments_service.words.fields import body_problem as comment_problem
from comments_service.words.rendering import render_comment


def within_comment_limit(form, field) -> None:
    """Staff answers follow the same length limit as reader comments."""
    limit = current_app.config["PORCH_MAX_COMMENT_CHARS"]
    if field.data and len(field.data) > limit:
        raise ValidationError(
            gettext("Please keep answers under %(limit)s characters.", limit=format_decimal(limit))
        )


def storable_body(form, field) -> None:
    """No NUL, lone surrogate or other control character reaches the database."""
    if field.data and (problem := body_problem(field.data)):
        raise ValidationError(problem)


def shows_something(form, field) -> None:
    """An answer that sanitises to nothing would mark a question answered with a blank."""
    if field.data and not has_visible_text(render_comment(field.data)):
        raise ValidationError(gettext("Nothing of this answer would show: HTML tags are removed."))


def storable_line(form, field) -> None:
    if field.data and (problem := line_problem(field.data)):
        raise ValidationError(problem)


class AnswerForm(FlaskForm):
    body = TextAreaField(
        lazy_gettext("Your answer (Markdown)"),
        filters=[lambda text: text and normalised_body(text)],
        validators=[
            DataRequired(lazy_gettext("Write an answer first.")),
            within_comment_limit,
            storable_body,
            shows_something,
        ],
    )


class NewAnswerForm(AnswerForm):
    """An answer to a reader comment: it carries the comment's words as the page showed
    them (services.answers.words_seen), so an answer to words changed since is refused."""

    seen = HiddenField(
        validators=[
            DataRequired(
                lazy_gettext(
                    "This page is older than the answer form: reload it, read the comment"
                    " and answer again."
                )
            )
        ]
    )


class DismissForm(FlaskForm):
    reason = StringField(
        lazy_gettext("Why no answer is needed"),
        filters=[lambda text: text and normalised(text)],
        validators=[
            DataRequired(lazy_gettext("Say why no answer is needed.")),
            Length(max=500),
            storable_line,
        ],
    )


def reader_comment_rules(form, field) -> None:
    """A reader's words changed by staff follow the rules of a reader's comment."""
    if field.data and (
        problem := comment_problem(field.data, current_app.config["PORCH_MAX_COMMENT_CHARS"])
    ):
        raise ValidationError(problem.message)


class EditCommentForm(FlaskForm):
    """Staff change a reader's words; the reason goes into the comment's history."""

    body = TextAreaField(
        lazy_gettext("The comment's words (Markdown)"),
        filters=[lambda text: text and normalised_body(text).strip()],
        validators=[
            DataRequired(lazy_gettext("The comment needs words; delete it instead.")),
            reader_comment_rules,
        ],
    )
    reason = StringField(
        lazy_gettext("Why you change it"),
        filters=[lambda text: text and normalised(text)],
        validators=[
            DataRequired(
                lazy_gettext("Say why you change the reader's words; the history keeps it.")
            ),
            Length(
                max=500,
                message=lazy_gettext(
                    "Please keep the reason under %(limit)s characters.", limit=500
                ),
            ),
            storable_line,
        ],
    )
    seen = HiddenField(
        validators=[
            DataRequired(
                lazy_gettext("This page is older than the form: reload it and edit again.")
            )
        ]
    )


def within_saved_reply_limit(form, field) -> None:
    """A saved reply goes into an answer, so an answer's limit is its limit too."""
    limit = current_app.config["PORCH_MAX_COMMENT_CHARS"]
    if field.data and len(field.data) > limit:
        raise ValidationError(
            gettext(
                "Please keep saved replies under %(limit)s characters (%(length)s now):"
                " they go into answers, which have that limit.",
                limit=format_decimal(limit),
                length=format_decimal(len(field.data)),
            )
        )


class SavedReplyForm(FlaskForm):
    title = StringField(
        lazy_gettext("Title (only you and the team see it)"),
        filters=[lambda text: text and normalised(text)],
        validators=[
            DataRequired(lazy_gettext("Give the saved reply a title, to find it in the list.")),
            Length(
                max=TITLE_LIMIT,
                message=lazy_gettext(
                    "Please keep the title under %(limit)s characters.", limit=TITLE_LIMIT
                ),
            ),
            storable_line,
        ],
    )
    body = TextAreaField(
        lazy_gettext("Text (Markdown)"),
        filters=[lambda text: text and normalised_body(text).strip()],
        validators=[
            DataRequired(lazy_gettext("Write the text of the saved reply.")),
            within_saved_reply_limit,
            storable_body,
        ],
    )
    shared = BooleanField(lazy_gettext("Share with everyone on the team"))


class DraftForm(FlaskForm):
    """An answer box sent to insert a saved reply or to preview: nothing is published."""

    into = StringField()
    body = TextAreaField()
    saved_reply = IntegerField(validators=[Optional()])


class ActionForm(FlaskForm):
    """Approve, spam and delete carry nothing but the CSRF token."""


class ReassignForm(FlaskForm):
    """Hand a comment to a colleague, chosen by their account number."""

    to = IntegerField(
        lazy_gettext("Hand to"),
        validators=[InputRequired(lazy_gettext("Choose the colleague to hand this comment to."))],
    )


class PrivateAnswerForm(FlaskForm):
    """A reader answered by phone, email or in person; the note is for staff only."""

    how = SelectField(
        lazy_gettext("How you answered"),
        choices=[
            SelectChoice(PrivateChannel.PHONE.value, lazy_gettext("By phone")),
            SelectChoice(PrivateChannel.EMAIL.value, lazy_gettext("By email")),
            SelectChoice(PrivateChannel.IN_PERSON.value, lazy_gettext("In person")),
        ],
        validators=[InputRequired(lazy_gettext("Choose how you answered."))],
    )
    note = TextAreaField(
        lazy_gettext("Note for the team (readers never see it)"),
        validators=[DataRequired(lazy_gettext("Say in the note what you told the reader."))],
    )
    at = DateTimeLocalField(
        lazy_gettext("When (UTC; empty: now)"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
    )
    show = BooleanField(lazy_gettext("Show “got in touch privately” under the comment on the blog"))


class FollowUpForm(FlaskForm):
    """The next step of an idea's or a problem's follow-up."""

    step = SelectField(
        lazy_gettext("Step"),
        choices=[
            SelectChoice(FollowUp.PASSED_ON.value, lazy_gettext("Passed on to a team")),
            SelectChoice(FollowUp.ACTED_ON.value, lazy_gettext("Acted on (the note is public)")),
            SelectChoice(FollowUp.DECLINED.value, lazy_gettext("Declined")),
        ],
        validators=[InputRequired(lazy_gettext("Choose the step."))],
    )
    team = StringField(lazy_gettext("Team (when passing on)"), validators=[Optional()])
    note = StringField(lazy_gettext("Note"), validators=[Optional()])
