"""Thin views for a reader's own comments: edit, delete, see them held; and previews."""

from datetime import timedelta

from flask import current_app, request
from flask_babel import lazy_gettext, ngettext

from comments_service.api import bp
from comments_service.api.json_body import json_body
from comments_service.api.routes import comment_rate_limit, require_blog_origin
from comments_service.api.validation import Invalid, Malformed, parse_body
from comments_service.config import reader_edit_window
from comments_service.enums import PublicStatus
from comments_service.errors import ApiError
from comments_service.extensions import db, limiter, one_writer_at_a_time
from comments_service.models import Comment, utcnow
from comments_service.services.comments.own import (
    Refused,
    changeable_under_lock,
    check_changeable,
    comments_of_writer,
    delete_comment,
    edited_draft,
    judge_edit,
    own_comment,
    store_edit,
)
from comments_service.services.comments.threads import comment_node
from comments_service.services.spam import akismet, blocklist
from comments_service.services.spam import guard as spam
from comments_service.services.tokens import Tokens
from comments_service.words.rendering import render_comment

MAX_TOKENS = 200


def preview_rate_limit() -> str:
    return current_app.config["PORCH_PREVIEW_RATE_LIMIT"]


def _tokens() -> Tokens:
    return Tokens(current_app.config["SECRET_KEY"])


NOT_AN_OBJECT = lazy_gettext("Send a JSON object (Content-Type: application/json).")


def _json() -> dict:
    data = json_body(str(NOT_AN_OBJECT))
    if not isinstance(data, dict):
        raise ApiError(400, "malformed", str(NOT_AN_OBJECT))
    return data


def _body(data: dict) -> str:
    try:
        return parse_body(data, max_chars=current_app.config["PORCH_MAX_COMMENT_CHARS"])
    except Malformed as error:
        raise ApiError(400, "malformed", str(error)) from None
    except Invalid as error:
        raise ApiError(422, "invalid", str(error), error.fields) from None


def _changeable(comment_id: int, data: dict) -> Comment:
    """The caller's own comment, still open to change; else the API's 403 or 404."""
    try:
        comment = own_comment(_tokens(), data.get("token"), comment_id)
        check_changeable(comment, utcnow(), reader_edit_window(current_app.config))
    except Refused as refused:
        raise _refusal(refused) from None
    return comment


def _changeable_under_lock(comment_id: int) -> Comment:
    """The same checks again in the writing transaction, under the lock an answer takes."""
    try:
        window = reader_edit_window(current_app.config)
        return changeable_under_lock(comment_id, utcnow(), window)
    except Refused as refused:
        db.session.rollback()
        raise _refusal(refused) from None


def _refusal(refused: Refused) -> ApiError:
    status = 404 if refused.kind == "unknown_comment" else 403
    return ApiError(status, refused.kind, str(refused))


@bp.route("/comments/<int:comment_id>", methods=["PATCH", "DELETE"])
@limiter.limit(comment_rate_limit)
def edit_or_delete_own_comment(comment_id: int):
    """Edit (PATCH) or take back (DELETE) the caller's comment.

    One rule for both methods: with a rule for each, Werkzeug answers a number beyond
    what the id column holds with 405 (the other rule's method) instead of 404.
    """
    if request.method == "PATCH":
        return edit_own_comment(comment_id)
    return delete_own_comment(comment_id)


def edit_own_comment(comment_id: int):
    """New words for the caller's comment, checked like a new comment's.

    As a new comment: read and check, give the connection back (and SQLite's file to
    other writers) while Akismet is asked, then check again where the words are written.
    """
    require_blog_origin()
    data = _json()
    draft = edited_draft(_changeable(comment_id, data), _body(data))
    blocked = blocklist.screen(draft)
    db.session.close()
    config = current_app.config
    guard = spam.Guard(
        max_links=config["PORCH_MAX_LINKS"],
        min_fill_seconds=config["PORCH_MIN_FILL_SECONDS"],
        akismet=akismet.for_app(current_app),
    )
    verdict = judge_edit(draft, guard, blocked)
    with one_writer_at_a_time(current_app):
        comment = _changeable_under_lock(comment_id)
        store_edit(comment, draft, verdict, utcnow())
        db.session.commit()
    return {"comment": _own_node(comment)}


def delete_own_comment(comment_id: int):
    """Take back the caller's comment: gone, or a placeholder above others' replies."""
    require_blog_origin()
    _changeable(comment_id, _json())  # the token and what refuses it, before any lock
    with one_writer_at_a_time(current_app):
        delete_comment(_changeable_under_lock(comment_id), utcnow())
        db.session.commit()
    return "", 204


@bp.post("/comments/mine")
@limiter.limit(comment_rate_limit)
def my_comments():
    """The caller's comments still there, held ones included, so their writer sees them."""
    require_blog_origin()
    held = _json().get("tokens")
    if not _are_tokens(held):
        message = ngettext(
            "Send 'tokens' as a list of at most %(num)s string.",
            "Send 'tokens' as a list of at most %(num)s strings.",
            MAX_TOKENS,
        )
        raise ApiError(400, "malformed", message)
    config = current_app.config
    days = config["PORCH_OWN_COMMENT_DAYS"]
    found = comments_of_writer(_tokens(), held, utcnow(), timedelta(days=days))
    return {"comments": [_own_node(comment) for comment in found]}


def _are_tokens(held) -> bool:
    """What the blog's script keeps: the own_token strings of 201 answers, as the document
    says. Anything else is a broken client, told so rather than answered as if it had none."""
    return (
        isinstance(held, list)
        and len(held) <= MAX_TOKENS
        and all(isinstance(token, str) for token in held)
    )


def _own_node(comment: Comment) -> dict:
    return {**comment_node(comment), "status": PublicStatus.of(comment.status)}


@bp.post("/preview")
@limiter.limit(preview_rate_limit)
def preview():
    """A comment's text as the blog would show it: the very renderer and sanitiser it is
    stored with."""
    require_blog_origin()
    return {"html": render_comment(_body(_json()))}
