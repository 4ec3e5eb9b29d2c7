"""Thin views: a comment's permalink finds its page; its reply page keeps the blog's form."""

from flask import abort, current_app, redirect, render_template, url_for
from flask_babel import lazy_gettext

from comments_service.extensions import db
from comments_service.links import bp
from comments_service.models import Comment
from comments_service.queries.public import public_comment_rows
from comments_service.services.comments.threads import (
    page_holding,
    public_node,
    published_thread,
)
from porch_contract import page_address

NOT_PUBLIC = lazy_gettext(
    "There is no published comment at this address: it may have been removed."
)


@bp.get("/c/<int:comment_id>")
def permalink(comment_id: int):
    """Redirect to the blog page that shows the comment, whichever page of its thread."""
    comment = _published(comment_id)
    thread = published_thread(comment.post)
    config = current_app.config
    page = page_holding(thread["comments"], comment_id, config["PORCH_COMMENTS_PER_PAGE"])
    if page is None:  # under a comment that is not shown: nothing on the blog reaches it
        abort(404, description=str(NOT_PUBLIC))
    return redirect(f"{_page_url(comment.post, page)}#comment-{comment_id}")


@bp.get("/reply/<int:comment_id>")
def reply_page(comment_id: int):
    """The comment and the blog's form to answer it: the Reply link without JavaScript."""
    return reply_form(_published(comment_id), {"parent_id": comment_id}, {})


def reply_form(comment: Comment, values: dict, errors: dict) -> str:
    """The reply page: the comment answered, quoted, and the form, with what the reader
    typed and what is wrong with it when the service sends it back (422)."""
    row = db.session.execute(public_comment_rows().where(Comment.id == comment.id)).one()
    return render_template(
        "links/reply.html",
        post=comment.post,
        article_url=_page_url(comment.post, 1),
        permalink=url_for("links.permalink", comment_id=comment.id),
        comment=public_node(row),
        created=row.created_at,
        values=values,
        errors=errors,
    )


def shown_comment(comment_id) -> Comment | None:
    """The comment if readers see it (``Comment.is_public``), else None.

    An erased comment stays approved under a placeholder, and has no page of its own.
    """
    comment = db.session.get(Comment, comment_id)
    return comment if comment is not None and comment.is_public else None


def _published(comment_id: int) -> Comment:
    """The comment readers see; the blog's 404 page if there is none."""
    comment = shown_comment(comment_id)
    if comment is None:
        abort(404, description=str(NOT_PUBLIC))
    return comment


def _page_url(post, page: int) -> str:
    config = current_app.config
    article = config["PORCH_BLOG_URL"] + post.path
    return page_address(article, page, config["PORCH_COMMENTS_PAGE_URL"])
