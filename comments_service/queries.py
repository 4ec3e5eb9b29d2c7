"""The rules about which comments are waiting, and for whom, as select() builders.

Each builder returns a ``Select`` so views, the CLI and later reports share one
tested definition of "unanswered", "overdue" and "flagged". The two rules that
also apply to one loaded object, "overdue" (``Comment.is_overdue``) and "named
author" (``Post.names_author``), are hybrid methods: one expression for both.
"""

from datetime import datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from .extensions import db
from .models import Comment, CommentStatus, Post, Role, Staff


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
    return query.where(Comment.post.has(Post.names_author(staff.name)))


def looks_after(staff: Staff, post: Post) -> bool:
    """The rule of for_staff() for one post already loaded."""
    return staff.is_admin or post.names_author(staff.name)


def unanswered_for(staff: Staff) -> Select:
    return for_staff(unanswered(), staff)


def overdue(now: datetime, answer_within: timedelta) -> Select:
    """Unanswered comments that have waited longer than the answer-within time."""
    return unanswered().where(Comment.is_overdue(now, answer_within))


def public_comment_rows() -> Select:
    """The public columns of every approved comment, oldest first.

    Plain rows rather than ORM objects: reading a thread is the hot path.
    """
    return (
        select(
            Comment.post_id,
            Comment.id,
            Comment.parent_id,
            Comment.author_name,
            Comment.author_website,
            Comment.body_html,
            Comment.created_at,
            Staff.name.label("staff_name"),
            Staff.role.label("staff_role"),
        )
        .outerjoin(Staff, Comment.staff_id == Staff.id)
        .where(Comment.status == CommentStatus.APPROVED)
        .order_by(Comment.created_at, Comment.id)
    )


def removed_comment_rows() -> Select:
    """Where comments taken down (spam, deleted) sat in their threads; never their content."""
    return select(Comment.post_id, Comment.id, Comment.parent_id, Comment.created_at).where(
        Comment.status.in_([CommentStatus.SPAM, CommentStatus.DELETED])
    )


def flagged_staff(post: Post) -> list[Staff]:
    """Who a reader comment on this post is flagged for: its authors with accounts, else admins."""
    named = select(Post.id).where(Post.id == post.id, Post.names_author(Staff.name)).exists()
    authors = db.session.scalars(
        select(Staff).where(Staff.active, named).order_by(Staff.name)
    ).all()
    if authors:
        return list(authors)
    return list(
        db.session.scalars(
            select(Staff).where(Staff.active, Staff.role == Role.ADMIN).order_by(Staff.name)
        )
    )


def new_reader_comments(since: datetime, until: datetime) -> Select:
    """Reader comments posted in (since, until] that a person should see: published or held."""
    return (
        select(Comment)
        .where(
            Comment.staff_id.is_(None),
            Comment.status.in_([CommentStatus.APPROVED, CommentStatus.PENDING]),
            Comment.created_at > since,
            Comment.created_at <= until,
        )
        .options(selectinload(Comment.post).selectinload(Post.authors))
        .order_by(Comment.created_at, Comment.id)
    )


def staff_by_name(name: str) -> Staff | None:
    return db.session.scalar(select(Staff).where(Staff.name == name))


def post_by_slug(slug: str) -> Post | None:
    return db.session.scalar(select(Post).where(Post.slug == slug))
