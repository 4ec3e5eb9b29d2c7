"""Previews of a staff answer, rendered and sanitised exactly as a published answer.

Without JavaScript the box's Preview button sends the box here and the page comes back
with the preview above it and the text kept; with JavaScript (static/answer-tools.js)
the box asks ``preview_json`` and shows the preview in place.
"""

from flask import current_app, request
from flask_babel import format_decimal, gettext, lazy_gettext
from werkzeug.datastructures import MultiDict

from comments_service.moderation import bp
from comments_service.moderation.answering import form_errors
from comments_service.moderation.forms import AnswerForm, DraftForm
from comments_service.moderation.routes import comment_in_my_care
from comments_service.moderation.saved_replies import answer_box, keep_in_box
from comments_service.words.characters import normalised_body
from comments_service.words.rendering import render_comment


@bp.app_template_filter("as_published")
def as_published(text: str) -> str:
    """The HTML an answer with these words would be published with (answering.answer)."""
    body = normalised_body(text).strip() if text else ""
    return render_comment(body) if body else ""


NOT_A_PREVIEW = lazy_gettext(
    'Send a JSON object with the answer\'s text as a string: {"body": "..."}.'
)


@bp.post("/comments/<int:comment_id>/preview")
def preview_answer(comment_id: int):
    comment_in_my_care(comment_id)
    form = DraftForm()
    box = answer_box(form, comment_id)
    typed = form.body.data or ""
    return keep_in_box(box, typed, answer_problems(typed), preview=True)


@bp.post("/preview")
def preview_json():
    """``{"body": text}`` in, ``{"html": preview, "problems": [...]}`` out: what the answer
    would show, and why publishing it would be refused (none: it would be published)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("body"), str):
        return {"error": "malformed", "message": str(NOT_A_PREVIEW)}, 400
    body = data["body"]
    limit = current_app.config["PORCH_MAX_COMMENT_CHARS"]
    if len(body) > limit:
        message = gettext(
            "Please keep answers under %(limit)s characters (%(length)s now).",
            limit=format_decimal(limit),
            length=format_decimal(len(body)),
        )
        return {"error": "invalid", "message": message}, 422
    problems = answer_problems(body)
    return {"html": as_published(body), "problems": problems}


def answer_problems(body: str) -> list[str]:
    """Why an answer with these words would be refused, in the answer form's words."""
    form = AnswerForm(formdata=MultiDict({"body": body}), meta={"csrf": False})
    form.validate()
    return form_errors(form)
