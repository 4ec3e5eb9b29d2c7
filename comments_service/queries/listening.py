"""What readers told us: comments still open, follow-up steps, and readers by identity."""

from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import selectinload

from comments_service.config import OpenKinds
from comments_service.enums import Decision, FollowUp
from comments_service.models import (
    Comment,
    CommentStatus,
    ModerationAction,
    ReaderSummary,
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
    """How many readers have a published comment in [since, until), and how many of them
    wrote their first published comment ever in it (new readers). Erased comments have
    no writer to count. Each reader's first comment is the one the Readers view's rows
    keep (``ReaderSummary.first_at``): grouping every comment ever by reader to find it
    read the whole table."""
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
    everyone = and_(
        ReaderSummary.reader == in_period.c.reader,
        ReaderSummary.scope_id == ReaderSummary.EVERYONE,
    )
    return select(
        func.count().label("readers"),
        func.coalesce(func.sum(case((ReaderSummary.first_at >= since, 1), else_=0)), 0).label(
            "new"
        ),
    ).join_from(in_period, ReaderSummary, everyone)
