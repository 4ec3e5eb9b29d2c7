"""Thin views: read input, call a service, answer in JSON (or redirect a plain form)."""

import json
import re
from functools import cache
from importlib.resources import files

from flask import current_app, jsonify, redirect, render_template, request
from flask_babel import gettext, lazy_gettext

from comments_service.api import bp
from comments_service.api.json_body import json_body
from comments_service.api.reading import NO_POST_HERE, NO_SUCH_POST, thread_response
from comments_service.api.validation import (
    LAST_COMMENT_NUMBER,
    Invalid,
    Malformed,
    is_possible_slug,
    parse_submission,
)
from comments_service.config import origin_of, reader_edit_window
from comments_service.enums import PublicStatus, SubscriptionState
from comments_service.errors import FORM_TYPES, ApiError
from comments_service.extensions import db, limiter, once_more_if_dropped
from comments_service.links.routes import reply_form, shown_comment
from comments_service.models import Comment
from comments_service.queries.public import POST_BY_SLUG, changed_posts
from comments_service.services.comments.inserting import inserted_now
from comments_service.services.comments.own import edit_until, own_token
from comments_service.services.comments.posting import (
    KeyReused,
    NoSuchParent,
    Posting,
    SubmissionContext,
    post_reader_comment,
)
from comments_service.services.comments.threads import (
    comment_node,
    page_holding,
    published_thread,
)
from comments_service.services.mail.subscriptions import subscription_state
from comments_service.services.seldom_changed import keep_revisions, reads_as_staff, with_revisions
from comments_service.services.tokens import Tokens
from porch_contract import page_address


def comment_rate_limit() -> str:
    return current_app.config["PORCH_COMMENT_RATE_LIMIT"]


def post_rate_limit() -> str:
    return current_app.config["PORCH_POST_RATE_LIMIT"]


def post_being_commented() -> str:
    """The post's slug: PORCH_POST_RATE_LIMIT counts every address together, per post."""
    return f"post:{request.view_args['slug']}"


BUSY_POST = lazy_gettext(
    "Many comments are arriving on this post right now; please try again in a minute."
)


@cache
def _openapi_document() -> dict:
    return json.loads(files("comments_service").joinpath("openapi.json").read_text())


@bp.get("/openapi.json")
def openapi():
    """The API description, kept next to the code it describes (read once per process)."""
    return jsonify(_openapi_document())


@bp.get("/changes")
def changes():
    """Every post whose thread ever changed, with its comments version, for re-bakers.

    A re-baker on another host compares these with the versions baked into its pages
    and fetches only the threads that are behind; nothing here is not public already.
    """
    response = jsonify(
        {"posts": [dict(row._mapping) for row in db.session.execute(changed_posts())]}
    )
    response.cache_control.no_cache = True
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/posts/<slug>/comments")
def list_comments(slug: str):
    """A post's thread: one page of it with ``?page=N``, else all of it (for re-bakers)."""
    return thread_response(slug, request.args.get("page"))


@bp.post("/posts/<slug>/comments")
@limiter.limit(comment_rate_limit, methods=["POST"])
@limiter.limit(
    post_rate_limit, methods=["POST"], key_func=post_being_commented, error_message=BUSY_POST
)
def create_comment(slug: str):
    require_blog_origin()
    post = _post_or_404(slug)
    data = _submitted_data()
    config = current_app.config
    try:
        submission, parent_id = parse_submission(
            data,
            max_chars=config["PORCH_MAX_COMMENT_CHARS"],
            max_name=config["PORCH_MAX_NAME_CHARS"],
            is_staff_name=reads_as_staff,
        )
    except Malformed as error:
        raise ApiError(400, "malformed", str(error)) from None
    except Invalid as error:
        if not request.is_json:
            return _form_with_errors(post, data, error.fields), 422
        raise ApiError(422, "invalid", str(error), error.fields) from None
    # A form's reader is sent on to the page, which is read after the commit.
    answer = _created if request.is_json else lambda comment: comment
    try:
        answered = post_reader_comment(
            post, submission, parent_id, _request_context(), Posting.for_app(current_app), answer
        )
    except NoSuchParent as error:
        raise ApiError(404, "unknown_parent", str(error)) from None
    except KeyReused as error:
        raise ApiError(422, "idempotency_key_reused", str(error)) from None
    if not request.is_json:
        return redirect(_landing(post, answered, PublicStatus.of(answered.status)), code=303)
    return answered


def _created(comment: Comment):
    """The answer to a new comment, made from the comment as stored, before the commit."""
    shown = PublicStatus.of(comment.status)
    body = {"id": comment.id, "status": shown, **_ownership(comment)}
    if subscription := subscription_state(comment, inserted_now(db.session, comment)):
        body["subscription"] = subscription
    # Held ones too: their writer sees them in place at once, as POST /comments/mine shows them.
    body["comment"] = {**comment_node(comment), "status": shown}
    return body, 201


def _ownership(comment: Comment) -> dict:
    """What lets the writer's browser change the comment for a while: sent only here, once."""
    until = edit_until(comment, reader_edit_window(current_app.config))
    return {
        "own_token": own_token(Tokens(current_app.config["SECRET_KEY"]), comment),
        "edit_until": until.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def _submitted_data() -> dict:
    if request.is_json:
        return json_body(gettext("The body is not valid JSON."))
    if request.mimetype in FORM_TYPES:
        return request.form.to_dict()
    raise ApiError(
        400,
        "malformed",
        gettext("Send the comment as JSON (Content-Type: application/json) or a form."),
    )


# Built once: asked on every post of a comment. The revisions of what the comment is
# checked against come with the post: one statement fewer.
POST_AND_REVISIONS = with_revisions(POST_BY_SLUG)


def _post_or_404(slug: str):
    if not is_possible_slug(slug):
        raise ApiError(404, "unknown_post", str(NO_POST_HERE))
    found = once_more_if_dropped(lambda: _post_and_revisions(slug), db.session)  # its first read
    if found is None:
        raise ApiError(404, "unknown_post", str(NO_SUCH_POST) % {"slug": slug})
    keep_revisions(db.session, found)
    return found[0]


def _post_and_revisions(slug: str):
    return db.session.execute(POST_AND_REVISIONS, {"slug": slug}).first()


def _request_context() -> SubmissionContext:
    return SubmissionContext(
        remote_addr=request.remote_addr,
        user_agent=_stored_header(request.user_agent.string, 500),
        referrer=_stored_header(request.referrer, 1000),
        idempotency_key=_idempotency_key(),
    )


def _stored_header(value: str | None, limit: int) -> str | None:
    """A header kept for spam checks: PostgreSQL refuses NUL, and not every server drops it."""
    return (value and value.replace("\x00", "")[:limit]) or None


IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9._:-]{8,100}")


def _idempotency_key() -> str | None:
    """The client's key for this submission: a retry with the same key is the same comment."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not IDEMPOTENCY_KEY.fullmatch(key):
        raise ApiError(
            400,
            "malformed",
            "The Idempotency-Key header must be 8 to 100 letters, digits or . _ : -",
        )
    return key


def require_blog_origin() -> None:
    """Refuse posts that a browser sent from another site's page (cross-site forgery)."""
    if not from_our_pages():
        raise ApiError(
            403, "foreign_origin", gettext("Comments can only be posted from the blog’s own pages.")
        )


def from_our_pages() -> bool:
    """Whether a post came from the blog's pages or the service's own, as far as a browser says.

    Only configured origins count: the blog, and the service's own pages (the form that
    keeps a reader's text). The Host header is the sender's to choose, so never trusted.
    """
    sent = request.headers.get("Origin") or _referrer_origin()
    config = current_app.config
    allowed = {origin_of(config["PORCH_BLOG_URL"]), origin_of(config["PORCH_PUBLIC_URL"])}
    return not sent or sent in allowed


def _referrer_origin() -> str | None:
    """The Referer's origin; one that cannot be read (``http://[``) is no origin of ours."""
    if not request.referrer:
        return None
    try:
        return origin_of(request.referrer)
    except ValueError:
        return "null"


def _landing(post, comment: Comment, shown: PublicStatus) -> str:
    """Where a reader without JavaScript lands after posting: the note baked in the page
    that says whether the comment is published or held and, when a mail waits to be
    confirmed, that too (``#comment-status-approved-confirm``...). Where this host re-baked
    the page first, the reader lands on the page that shows the published comment: a reply
    at itself, beside the comment it answers; a new comment, the last of its page, at the
    note just under it that says it is published (``#comment-status-approved-above``)."""
    confirm = subscription_state(comment) == SubscriptionState.CONFIRM
    note = f"#comment-status-{shown}" + ("-confirm" if confirm else "")
    if shown != PublicStatus.APPROVED or not current_app.config["PORCH_REBAKE_OUTPUT"]:
        return _article_url(post) + note
    if confirm:
        return _page_showing(post, comment) + note
    if comment.parent_id is not None:
        return _page_showing(post, comment) + f"#comment-{comment.id}"
    return _page_showing(post, comment) + "#comment-status-approved-above"


def _page_showing(post, comment: Comment) -> str:
    """The page of the article's comments that shows the reader's comment, where this host
    re-baked it before answering.

    The query string is the comment's own, so no browser or proxy answers with the
    page it cached before the comment was baked in; a static server ignores it.
    """
    config = current_app.config
    thread = published_thread(post)["comments"]
    page = page_holding(thread, comment.id, config["PORCH_COMMENTS_PER_PAGE"]) or 1
    at = page_address(_article_url(post), page, config["PORCH_COMMENTS_PAGE_URL"])
    return f"{at}?comment={comment.id}"


def _article_url(post) -> str:
    return current_app.config["PORCH_BLOG_URL"] + post.path


def _form_with_errors(post, data: dict, fields: dict):
    """A page that keeps what the reader typed when JavaScript is off and a field is wrong;
    a reply's is the reply page again, with the comment it answers."""
    parent = _shown_parent(data.get("parent_id"))
    if parent is not None and parent.post_id == post.id:
        return reply_form(parent, data, fields)
    return render_template(
        "api/comment_form.html",
        post=post,
        article_url=_article_url(post),
        values=data,
        errors=fields,
    )


def _shown_parent(parent_id) -> Comment | None:
    """The comment a plain form answers, if it names one readers see."""
    if not isinstance(parent_id, str) or not parent_id.strip().isdigit():
        return None
    number = int(parent_id)
    return shown_comment(number) if number <= LAST_COMMENT_NUMBER else None
