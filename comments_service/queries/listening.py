"""What readers told us: comments still open, follow-up steps, and readers by identity."""

from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, func, literal, or_, select
from sqlalchemy.orm import aliased, selectinload

from comments_service.config import OpenKinds
from comments_service.enums import Decision, FollowUp
from comments_service.models import (
    Comment,
    CommentStatus,
    ModerationAction,
)


def _published_reader(comment=Comment) -> ColumnElement:
    return and_(comment.staff_id.is_(None), comment.status == CommentStatus.APPROVED)


def still_open(kinds: OpenKinds) -> ColumnElement:
    """A published reader comment the team still owes something (config.open_kinds): a
    question that waits (``Comment.is_waiting``: not answered, not marked no answer
    needed), or an idea or a problem whose follow-up is not acted on or declined (none
    yet, or passed on)."""
    unsettled = or_(Comment.follow_up.is_(None), Comment.follow_up == FollowUp.PASSED_ON)
    return or_(
        and_(Comment.kind.in_(kinds.questions), Comment.is_waiting),
        and_(Comment.kind.in_(kinds.follow_ups), _published_reader(), unsettled),
    )


def open_items(since: datetime, until: datetime, kinds: OpenKinds) -> Select:
    """The reader comments received in [since, until) that are still open, oldest first."""
    return (
        select(Comment)
        .where(still_open(kinds), Comment.created_at >= since, Comment.created_at < until)
        .options(selectinload(Comment.post))
        .order_by(Comment.created_at, Comment.id)
    )


def follow_up_steps(since: datetime, until: datetime) -> Select:
    """Every follow-up step (passed on, acted on, declined) taken in [since, until), in order.

    Joined to its comment, so ``for_staff`` can narrow it to the comments a person may open.
    """
    steps = (Decision.PASS_ON, Decision.ACT_ON, Decision.DECLINE)
    return (
        select(ModerationAction)
        .join(ModerationAction.comment)
        .where(
            ModerationAction.action.in_(steps),
            ModerationAction.comment_id.is_not(None),
            ModerationAction.created_at >= since,
            ModerationAction.created_at < until,
        )
        .options(
            selectinload(ModerationAction.comment).selectinload(Comment.post),
            selectinload(ModerationAction.staff),
        )
        .order_by(ModerationAction.created_at, ModerationAction.id)
    )


def reader_identity(comment=Comment) -> ColumnElement:
    """Who wrote a reader comment: their address in lower case, else the name they gave."""
    email = func.lower(func.nullif(comment.author_email, ""))
    return func.coalesce(
        literal("email:").concat(email), literal("name:").concat(comment.author_name)
    )


def readers_in(since: datetime, until: datetime) -> Select:
    """Each reader with a published comment in [since, until), and when their first
    published comment ever came in. Erased comments have no writer to count."""
    earlier = aliased(Comment)
    every = (
        select(reader_identity(earlier).label("reader"), earlier.created_at)
        .where(earlier.staff_id.is_(None), earlier.is_public)
        .subquery()
    )
    first = (
        select(every.c.reader, func.min(every.c.created_at).label("at"))
        .group_by(every.c.reader)
        .subquery()
    )
    in_period = (
        select(reader_identity().label("reader"))
        .where(
            Comment.staff_id.is_(None),
            Comment.is_public,
            Comment.created_at >= since,
            Comment.created_at < until,
        )
        .distinct()
        .subquery()
    )
    return select(in_period.c.reader, first.c.at.label("first_at")).join(
        first, first.c.reader == in_period.c.reader
    )
