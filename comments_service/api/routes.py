"""Thin views: read input, call a service, answer in JSON (or redirect a plain form)."""

import json
from functools import cache
from importlib.resources import files

from flask import current_app, jsonify, redirect, render_template, request
from sqlalchemy import select

from ..config import origin_of
from ..errors import FORM_TYPES, ApiError
from ..extensions import db, limiter
from ..models import Comment, CommentStatus, Staff
from ..queries import post_by_slug
from ..services.comments import SubmissionContext, add_reader_comment
from ..services.threads import comment_node, count_nodes, thread_for
from . import bp
from .validation import Invalid, Malformed, parse_submission


def comment_rate_limit() -> str:
    return current_app.config["PORCH_COMMENT_RATE_LIMIT"]


@cache
def _openapi_document() -> dict:
    return json.loads(files("comments_service").joinpath("openapi.json").read_text())


@bp.get("/openapi.json")
def openapi():
    """The API description, kept next to the code it describes (read once per process)."""
    return jsonify(_openapi_document())


@bp.get("/posts/<slug>/comments")
def list_comments(slug: str):
    post = _post_or_404(slug)
    nodes = thread_for(post)
    body = {
        "post": {"slug": post.slug, "title": post.title},
        "comments": nodes,
        "count": count_nodes(nodes),
    }
    response = jsonify(body)
    response.cache_control.no_cache = True
    response.add_etag()
    return response.make_conditional(request)


@bp.post("/posts/<slug>/comments")
@limiter.limit(comment_rate_limit, methods=["POST"])
def create_comment(slug: str):
    _require_blog_origin()
    post = _post_or_404(slug)
    data = _submitted_data()
    config = current_app.config
    try:
        submission, parent_id = parse_submission(
            data,
            max_chars=config["PORCH_MAX_COMMENT_CHARS"],
            max_name=config["PORCH_MAX_NAME_CHARS"],
            reserved_names=_staff_names(),
        )
    except Malformed as error:
        raise ApiError(400, "malformed", str(error)) from None
    except Invalid as error:
        if not request.is_json:
            return _form_with_errors(post, data, error.fields), 422
        raise ApiError(422, "invalid", str(error), error.fields) from None
    comment = add_reader_comment(
        post,
        _parent_or_404(post, parent_id),
        submission,
        _request_context(),
        policy=config["PORCH_MODERATION_POLICY"],
        max_links=config["PORCH_MAX_LINKS"],
    )
    return _created(post, comment)


def _created(post, comment: Comment):
    shown = "approved" if comment.status == CommentStatus.APPROVED else "pending"
    if not request.is_json:
        return redirect(f"{_article_url(post)}#comment-status-{shown}", code=303)
    body = {"id": comment.id, "status": shown}
    if shown == "approved":
        body["comment"] = comment_node(comment)
    return body, 201


def _submitted_data() -> dict:
    if request.is_json:
        data = request.get_json(silent=True)
        if data is None:
            raise ApiError(400, "malformed", "The body is not valid JSON.")
        return data
    if request.mimetype in FORM_TYPES:
        return request.form.to_dict()
    raise ApiError(
        400, "malformed", "Send the comment as JSON (Content-Type: application/json) or a form."
    )


def _post_or_404(slug: str):
    post = post_by_slug(slug)
    if post is None:
        raise ApiError(404, "unknown_post", f"There is no post '{slug}' to comment on.")
    return post


def _parent_or_404(post, parent_id: int | None) -> Comment | None:
    if parent_id is None:
        return None
    parent = db.session.get(Comment, parent_id)
    if parent is None or parent.post_id != post.id or parent.status != CommentStatus.APPROVED:
        raise ApiError(
            404, "unknown_parent", f"There is no comment {parent_id} on this post to reply to."
        )
    return parent


def _staff_names() -> set[str]:
    return {name.casefold() for name in db.session.scalars(select(Staff.name))}


def _request_context() -> SubmissionContext:
    return SubmissionContext(
        remote_addr=request.remote_addr,
        user_agent=(request.user_agent.string or None) and request.user_agent.string[:500],
        referrer=request.referrer and request.referrer[:1000],
    )


def _require_blog_origin() -> None:
    """Refuse posts that a browser sent from another site's page (cross-site forgery)."""
    sent = request.headers.get("Origin") or (request.referrer and origin_of(request.referrer))
    allowed = {origin_of(current_app.config["PORCH_BLOG_URL"]), origin_of(request.host_url)}
    if sent and sent not in allowed:
        raise ApiError(
            403, "foreign_origin", "Comments can only be posted from the blog's own pages."
        )


def _article_url(post) -> str:
    return current_app.config["PORCH_BLOG_URL"].rstrip("/") + post.path


def _form_with_errors(post, data: dict, fields: dict):
    """A page that keeps what the reader typed when JavaScript is off and a field is wrong."""
    return render_template(
        "api/comment_form.html",
        post=post,
        article_url=_article_url(post),
        values=data,
        errors=fields,
    )
