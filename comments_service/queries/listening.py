"""What readers told us: comments still open, follow-up steps, and readers by identity."""

from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, func, literal, or_, select, union
from sqlalchemy.orm import selectinload

from comments_service.config import OpenKinds
from comments_service.enums import Decision, FollowUp
from comments_service.models import (
    Comment,
    CommentStatus,
    ModerationAction,
    ReaderMonth,
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


def quoted_items(ids: list[int]) -> Select:
    """These comments with their posts, oldest first: the open items a report quotes."""
    return (
        select(Comment)
        .where(Comment.id.in_(ids))
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
    """How many readers have a public comment in [since, until) (whole UTC days), and how
    many of them wrote their first one ever in it (new readers). Erased comments have no
    writer to count.

    The readers of the whole calendar months in the period are their kept rows
    (ReaderMonth); those of the days before and after them (all of a shorter period) are
    read from ix_comments_counted. A reader's first comment is the one the Readers view's
    rows keep (``ReaderSummary.first_at``): a new reader's came in in the period, and so
    is counted from ix_reader_summaries_first."""
    whole = _whole_months(since, until)
    edges = [(since, until)] if whole is None else [(since, whole[0]), (whole[1], until)]
    edges = [(start, end) for start, end in edges if start < end]
    sources = []
    if whole is not None:
        sources.append(
            select(ReaderMonth.reader).where(
                ReaderMonth.month >= whole[0].date(), ReaderMonth.month < whole[1].date()
            )
        )
    if edges:
        in_edges = or_(*(and_(Comment.created_at >= a, Comment.created_at < b) for a, b in edges))
        sources.append(
            select(reader_identity()).where(Comment.staff_id.is_(None), Comment.is_public, in_edges)
        )
    one_month = not edges and _month_after(whole[0]) == whole[1]
    if one_month:  # its kept rows are one per reader already
        readers = sources[0]
    else:
        readers = union(*sources) if len(sources) > 1 else sources[0].distinct()
    first = ReaderSummary.first_at
    new = select(func.count()).where(
        ReaderSummary.scope_id == ReaderSummary.EVERYONE, first >= since, first < until
    )
    return select(
        select(func.count()).select_from(readers.subquery()).scalar_subquery().label("readers"),
        new.scalar_subquery().label("new"),
    )


def _whole_months(since: datetime, until: datetime) -> tuple[datetime, datetime] | None:
    """The first day of the first calendar month wholly in [since, until), and of the
    month after the last one; None when no month is."""
    first = since if since.day == 1 else _month_after(since)
    last = until.replace(day=1)
    return (first, last) if first < last else None


def _month_after(moment: datetime) -> datetime:
    index = moment.year * 12 + moment.month
    return moment.replace(year=index // 12, month=index % 12 + 1, day=1)
