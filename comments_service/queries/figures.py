"""The rows the answer-time figures are computed from."""

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from comments_service.models import Comment, CommentStatus, PostAuthor, Staff


def figure_rows(since: datetime, until: datetime) -> Select:
    """The reader comments the answer-time figures count, received in [since, until).

    Published reader comments only: held, spam and deleted ones are left out. Each
    row says when it came in, when and by whom it was first answered (the stored
    answer of services.answers), and whether it still waits (``Comment.is_waiting``).
    """
    answerer = aliased(Staff)
    return (
        select(
            Comment.id,
            Comment.post_id,
            Comment.created_at,
            Comment.answered_at,
            answerer.name.label("answered_by"),
            Comment.answered_privately.label("answered_privately"),
            Comment.is_waiting.label("waiting"),
            Comment.kind,
        )
        .outerjoin(answerer, Comment.answered_by_id == answerer.id)
        .where(
            Comment.staff_id.is_(None),
            Comment.status == CommentStatus.APPROVED,
            Comment.created_at >= since,
            Comment.created_at < until,
        )
        .order_by(Comment.created_at, Comment.id)
    )


def post_author_rows() -> Select:
    """Every post's named authors, as (post_id, name): whom a comment's figures count for."""
    return select(PostAuthor.post_id, PostAuthor.name).order_by(
        PostAuthor.post_id, PostAuthor.position
    )
