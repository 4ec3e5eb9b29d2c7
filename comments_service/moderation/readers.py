"""Readers known by name: who comments, how often, and whether they heard back."""

from flask import abort, current_app, render_template, request
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy.orm import selectinload

from comments_service.config import comment_kinds
from comments_service.extensions import db
from comments_service.models import Comment
from comments_service.moderation import bp
from comments_service.queries.care import for_staff
from comments_service.queries.listings import count_of
from comments_service.services.moderation.readers import (
    ReaderKeys,
    comments_of,
    published_comments,
    readers,
    scope_of,
    summaries,
    summary_reader,
)
from comments_service.services.report import figures

ORDERS = ("newest", "oldest")
# What each comment on a reader's page shows besides itself, loaded for the page at once.
ON_THE_PAGE = (
    selectinload(Comment.post),
    selectinload(Comment.answered_by),
    selectinload(Comment.private_answered_by),
    selectinload(Comment.dismissed_by),
)


@bp.get("/readers")
def readers_page():
    kinds = comment_kinds(current_app.config)
    search = request.args.get("q", "").strip()
    query = summaries(scope_of(current_user), search)
    page, per_page = _page(), current_app.config["PORCH_MODERATION_PAGE_SIZE"]
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    keys = _keys()
    total = db.session.scalar(count_of(query))
    return render_template(
        "moderation/readers.html",
        readers=[summary_reader(keys, row, kinds) for row in rows],
        kinds=kinds,
        search=search,
        page=page,
        pages=max(1, -(-total // per_page)),
        total=total,
        share_text=figures.share_text,
    )


@bp.get("/readers/<key>")
def reader_page(key: str):
    signed = _keys().read(key)
    named = signed and db.session.scalar(_theirs().where(Comment.id == signed.row_id))
    if not named or not signed.names(named):
        abort(404, gettext("There is no such reader, or nothing of theirs is published any more."))
    kinds = comment_kinds(current_app.config)
    order = request.args.get("order", "oldest")
    if order not in ORDERS:
        abort(
            400, gettext("Order is %(newest)s or %(oldest)s.", newest=ORDERS[0], oldest=ORDERS[1])
        )
    summary = db.session.execute(readers(comments_of(_theirs(), named), kinds)).one()
    listing = db.paginate(
        comments_of(_theirs(), named, newest_first=order == "newest").options(*ON_THE_PAGE),
        page=_page(),
        per_page=current_app.config["PORCH_MODERATION_PAGE_SIZE"],
        error_out=False,
    )
    return render_template(
        "moderation/reader.html",
        key=key,
        reader=_keys().reader(summary, kinds),
        kinds=kinds,
        order=order,
        listing=listing,
        blog_url=current_app.config["PORCH_BLOG_URL"],
        share_text=figures.share_text,
    )


def _theirs():
    """Published reader comments on what the signed-in staff member looks after."""
    return for_staff(published_comments(), current_user)


def _keys() -> ReaderKeys:
    return ReaderKeys(current_app.config["SECRET_KEY"])


def _page() -> int:
    return max(1, request.args.get("page", 1, type=int))
