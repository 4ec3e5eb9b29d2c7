"""The rules about which comments are waiting, and for whom, as select() builders.

Each builder returns a ``Select`` so views, the CLI and later reports share one
tested definition of "unanswered", "overdue" and "flagged".
"""

from datetime import datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from .extensions import db
from .models import Comment, CommentStatus, Post, PostAuthor, Role, Staff


def unanswered() -> Select:
    """Published reader comments that no staff member has answered or dismissed, oldest first."""
    return (
        select(Comment)
        .where(
            Comment.staff_id.is_(None),
            Comment.status == CommentStatus.APPROVED,
            Comment.answered_at.is_(None),
            Comment.dismissed_at.is_(None),
        )
        .options(selectinload(Comment.post).selectinload(Post.authors))
        .order_by(Comment.created_at, Comment.id)
    )


def pending_approval() -> Select:
    """Reader comments held for a staff decision, oldest first."""
    return (
        select(Comment)
        .where(Comment.staff_id.is_(None), Comment.status == CommentStatus.PENDING)
        .options(selectinload(Comment.post).selectinload(Post.authors))
        .order_by(Comment.created_at, Comment.id)
    )


def for_staff(query: Select, staff: Staff) -> Select:
    """Narrow a comment query to what this staff member looks after.

    Admins look after every post, including posts whose authors have no account;
    an author looks after the posts that name them.
    """
    if staff.is_admin:
        return query
    return query.where(Comment.post.has(Post.authors.any(PostAuthor.name == staff.name)))


def unanswered_for(staff: Staff) -> Select:
    return for_staff(unanswered(), staff)


def overdue(now: datetime, answer_within: timedelta) -> Select:
    """Unanswered comments that have waited longer than the answer-within time."""
    return unanswered().where(Comment.created_at < now - answer_within)


def approved_comments(post: Post) -> Select:
    """Every approved comment on a post, oldest first, ready to build a tree from."""
    return (
        select(Comment)
        .where(Comment.post_id == post.id, Comment.status == CommentStatus.APPROVED)
        .options(selectinload(Comment.staff))
        .order_by(Comment.created_at, Comment.id)
    )


def flagged_staff(post: Post) -> list[Staff]:
    """Who a reader comment on this post is flagged for: its authors with accounts, else admins."""
    authors = db.session.scalars(
        select(Staff).where(Staff.active, Staff.name.in_(post.author_names)).order_by(Staff.name)
    ).all()
    if authors:
        return list(authors)
    return list(
        db.session.scalars(
            select(Staff).where(Staff.active, Staff.role == Role.ADMIN).order_by(Staff.name)
        )
    )


def may_moderate(staff: Staff, post: Post) -> bool:
    """Whether this staff member looks after comments on this post."""
    return staff.is_admin or staff.name in post.author_names


def staff_by_name(name: str) -> Staff | None:
    return db.session.scalar(select(Staff).where(Staff.name == name))


def post_by_slug(slug: str) -> Post | None:
    return db.session.scalar(select(Post).where(Post.slug == slug))
