"""The rows the answer-time figures are computed from."""

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Select,
    String,
    Subquery,
    and_,
    cast,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from comments_service.models import (
    BLOG_SCOPE,
    AnswerBandMonth,
    Comment,
    CommentStatus,
    FigureDay,
    PostAuthor,
    Staff,
)


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


def author_names(only: str | None = None) -> Select:
    """The named authors (all, or only ``only`` when a post names them), by name."""
    names = select(PostAuthor.name).distinct().order_by(PostAuthor.name)
    return names if only is None else names.where(PostAuthor.name == only)


def day_counts(since: date, until: date, scopes: list[str]) -> Select:
    """The kept counts (FigureDay) of the days [since, until), for these scopes."""
    return select(FigureDay).where(
        FigureDay.day >= since, FigureDay.day < until, FigureDay.scope.in_(scopes)
    )


def scoped_comments(since: datetime, until: datetime, scopes: list[str]) -> Subquery:
    """The comments the figures count, received in [since, until), once for the blog and
    once for each named author of their post, as the triggers count them."""
    columns = (
        Comment.created_at,
        Comment.answered_at,
        Comment.is_waiting.label("waiting"),
        Comment.answered_privately.label("answered_privately"),
        Comment.answer_band,
    )
    counted = (
        Comment.staff_id.is_(None),
        Comment.status == CommentStatus.APPROVED,
        Comment.created_at >= since,
        Comment.created_at < until,
    )
    blog = select(literal(BLOG_SCOPE, String).label("scope"), *columns).where(*counted)
    authors = (
        select(PostAuthor.name.label("scope"), *columns)
        .join(PostAuthor, PostAuthor.post_id == Comment.post_id)
        .where(*counted, PostAuthor.name.in_(scopes))
    )
    return union_all(blog, authors).subquery()


def band_ranks(
    months: tuple[str, str], late: Subquery, late_month: str, scopes: list[str], percents
) -> Select:
    """For each scope and month in [first, last] and each percent, the band its
    nearest-rank answer time lies in: rows (month, scope, band, answered, upto, total),
    ``upto`` counting the answered comments of this band and the bands below it.

    The kept band counts (AnswerBandMonth) less ``late``'s answered comments, which
    came in after the figures' end during ``late_month``.
    """
    kept = select(
        AnswerBandMonth.month, AnswerBandMonth.scope, AnswerBandMonth.band, AnswerBandMonth.answered
    ).where(
        AnswerBandMonth.month.between(*months),
        AnswerBandMonth.scope.in_(scopes),
        AnswerBandMonth.answered != 0,
    )
    less = (
        select(literal(late_month, String), late.c.scope, late.c.answer_band, -func.count())
        .where(late.c.answered_at.is_not(None))
        .group_by(late.c.scope, late.c.answer_band)
    )
    bands = union_all(kept, less).subquery()
    summed = (
        select(
            bands.c.month,
            bands.c.scope,
            bands.c.band,
            _whole(func.sum(bands.c.answered)).label("n"),
        )
        .group_by(bands.c.month, bands.c.scope, bands.c.band)
        .subquery()
    )
    scope_month = (summed.c.month, summed.c.scope)
    ranked = select(
        *scope_month,
        summed.c.band,
        summed.c.n.label("answered"),
        _whole(func.sum(summed.c.n).over(partition_by=scope_month, order_by=summed.c.band)).label(
            "upto"
        ),
        _whole(func.sum(summed.c.n).over(partition_by=scope_month)).label("total"),
    ).subquery()
    return select(ranked).where(
        or_(*(_holds_rank(ranked, percent) for percent in percents)), ranked.c.answered > 0
    )


def _whole(total):
    """A sum as a whole number (PostgreSQL sums big integers as numeric), so ranks divide
    as integers."""
    return cast(total, BigInteger)


def _holds_rank(ranked: Subquery, percent: int):
    """The band holds the nearest rank: ceil(percent * total / 100), in whole numbers."""
    rank = (percent * ranked.c.total + 99) // 100
    return and_(ranked.c.upto >= rank, ranked.c.upto - ranked.c.answered < rank)


def kth_answer_seconds(targets: list[tuple[str, datetime, datetime, int, int]]) -> Select:
    """Each target's answer time, in target order: (scope, since, until, band, offset) asks
    for the answer seconds at ``offset`` (from 0) among the band's answered comments
    received in [since, until), the whole blog's or the author's named by ``scope``.
    Each reads only that band of those days from ix_comments_answer_bands."""
    picks = []
    for number, (scope, since, until, band, offset) in enumerate(targets):
        query = select(Comment.answer_seconds).where(
            Comment.staff_id.is_(None),
            Comment.status == CommentStatus.APPROVED,
            Comment.answered_at.is_not(None),
            Comment.answer_band == band,
            Comment.created_at >= since,
            Comment.created_at < until,
        )
        if scope != BLOG_SCOPE:
            posts = select(PostAuthor.post_id).where(PostAuthor.name == scope)
            query = query.where(Comment.post_id.in_(posts))
        pick = query.order_by(Comment.answer_seconds).limit(1).offset(offset).subquery()
        picks.append(select(literal(number).label("target"), pick.c.answer_seconds))
    return union_all(*picks)


def waiting_rows(since: datetime, until: datetime) -> Select:
    """The comments that wait, received in [since, until), oldest first, once per named
    author of their post (``name`` None for a post that names nobody)."""
    return (
        select(Comment.id, Comment.created_at, PostAuthor.name)
        .outerjoin(PostAuthor, PostAuthor.post_id == Comment.post_id)
        .where(Comment.is_waiting, Comment.created_at >= since, Comment.created_at < until)
        .order_by(Comment.created_at, Comment.id)
    )
