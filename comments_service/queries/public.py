"""What readers see: the public rows of a thread, removed placeholders, and which posts changed."""

from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.orm import aliased

from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus, Post, Staff


def public_comment_rows() -> Select:
    """The public columns of every public comment (``Comment.is_public``), oldest first,
    with its answer state.

    Plain rows rather than ORM objects: reading a thread is the hot path.
    """
    answerer = aliased(Staff)
    return (
        select(
            Comment.post_id,
            Comment.id,
            Comment.parent_id,
            Comment.author_name,
            Comment.author_website,
            Comment.body_html,
            Comment.created_at,
            Comment.edited_at,
            Comment.team_edited_at,
            Staff.name.label("staff_name"),
            Staff.role.label("staff_role"),
            Comment.answered_at,
            answerer.name.label("answered_by"),
            Comment.answered_privately.label("answered_privately"),
            Comment.private_answer_shown,
            Comment.is_waiting.label("waiting"),
            Comment.follow_up,
            Comment.follow_up_note,
        )
        .outerjoin(Staff, Comment.staff_id == Staff.id)
        .outerjoin(answerer, Comment.answered_by_id == answerer.id)
        .where(Comment.is_public)
        .order_by(Comment.created_at, Comment.id)
    )


def removed_comment_rows() -> Select:
    """Where comments taken down (spam, deleted) or erased at their writer's request sat in
    their threads; never their content."""
    return select(
        Comment.post_id, Comment.id, Comment.parent_id, Comment.created_at, Comment.erased_at
    ).where(
        or_(
            Comment.status.in_([CommentStatus.SPAM, CommentStatus.DELETED]),
            Comment.erased_at.is_not(None),
        )
    )


# Built once: asked on every post of a comment (parameter ``slug``).
POST_BY_SLUG = select(Post).where(Post.slug == bindparam("slug"))


def post_by_slug(slug: str) -> Post | None:
    return db.session.scalar(POST_BY_SLUG, {"slug": slug})


# What a thread's cached body is keyed by: id, title and comments version, by slug
# (parameter ``slug``). Built once: it is asked on every read of every thread.
THREAD_STATE = select(Post.id, Post.title, Post.comments_version).where(
    Post.slug == bindparam("slug")
)


def changed_posts() -> Select:
    """Slug, path and comments version of every post whose public thread has changed."""
    return (
        select(Post.slug, Post.path, Post.comments_version.label("version"))
        .where(Post.comments_version > 0)
        .order_by(Post.slug)
    )
