"""The rows the answer-time figures are computed from."""

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    Select,
    String,
    Subquery,
    and_,
    cast,
    exists,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from comments_service.models import (
    BLOG_SCOPE,
    EXACT_BANDS,
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


class MonthStart(FunctionElement):
    """The first day of the month of a day or a (naive UTC) time."""

    type = Date()
    inherit_cache = True


class NextMonth(FunctionElement):
    """The first day of the month after a month's first day."""

    type = Date()
    inherit_cache = True


@compiles(MonthStart, "postgresql")
def _month_start_postgresql(element, compiler, **kw):
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(MonthStart, "sqlite")
def _month_start_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


@compiles(NextMonth, "postgresql")
def _next_month_postgresql(element, compiler, **kw):
    return f"CAST({compiler.process(element.clauses, **kw)} + INTERVAL '1 month' AS DATE)"


@compiles(NextMonth, "sqlite")
def _next_month_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, '+1 month')"


def month_counts(since: date, until: date, scopes: list[str]) -> Select:
    """The kept counts (FigureDay) of the days [since, until), summed per scope and month."""
    month = MonthStart(FigureDay.day)
    sums = (
        func.sum(getattr(FigureDay, name)).label(name)
        for name in ("received", "answered", "answered_privately", "waiting")
    )
    return (
        select(FigureDay.scope, month.label("month"), *sums)
        .where(FigureDay.day >= since, FigureDay.day < until, FigureDay.scope.in_(scopes))
        .group_by(FigureDay.scope, month)
    )


def scoped_comments(since: datetime, until: datetime, scopes: list[str]) -> Subquery:
    """The comments the figures count, received in [since, until), once for the blog and
    once for each named author of their post (in ``scopes``), as the triggers count them."""
    columns = (
        Comment.created_at,
        Comment.answered_at,
        Comment.is_waiting.label("waiting"),
        Comment.answered_privately.label("answered_privately"),
        Comment.answer_band,
    )
    counted = (*_counted(), Comment.created_at >= since, Comment.created_at < until)
    blog = select(literal(BLOG_SCOPE, String).label("scope"), *columns).where(*counted)
    authors = (
        select(PostAuthor.name.label("scope"), *columns)
        .join(PostAuthor, PostAuthor.post_id == Comment.post_id)
        .where(*counted, PostAuthor.name.in_(scopes))
    )
    return union_all(blog, authors).subquery()


def _counted() -> tuple:
    return Comment.staff_id.is_(None), Comment.status == CommentStatus.APPROVED


def answer_percentiles(
    months: tuple[date, date],
    until: datetime,
    scopes: list[str],
    percents: tuple[int, ...],
    late: Subquery | None = None,
) -> Select:
    """The nearest-rank answer seconds of each scope, month (its first day, in [first,
    last]) and percent, counting comments received before ``until``: rows (scope, month,
    percent, answer_seconds).

    The kept band counts say which band holds each rank and at which place in it; only
    that band's comments of that month are then read, in order, from
    ix_comments_answer_bands. ``late``: counted comments of the last month received at
    or after ``until`` (queries.scoped_comments), which the kept counts hold too.
    """
    ranked = _ranked_bands(months, scopes, late)
    percent = union_all(*(select(literal_column(str(p)).label("percent")) for p in percents))
    percent = percent.subquery()
    rank = (percent.c.percent * ranked.c.total + 99) // 100  # ceil(percent * total / 100)
    below = ranked.c.upto - ranked.c.answered
    targets = (
        select(ranked.c.scope, ranked.c.month, ranked.c.band, percent.c.percent)
        .add_columns((rank - below - 1).label("place"))
        .join_from(ranked, percent, and_(below < rank, ranked.c.upto >= rank))
        .subquery()
    )
    exact = targets.c.band.between(0, EXACT_BANDS - 1)  # the band is the time
    known = select(targets.c.scope, targets.c.month, targets.c.percent)
    known = known.add_columns(targets.c.band.label("answer_seconds"))
    return union_all(known.where(exact), _pick_places(targets, until, not_(exact)))


def _ranked_bands(months: tuple[date, date], scopes: list[str], late: Subquery | None):
    """Each scope's months' bands, with the answered comments of the band (``answered``),
    of it and the bands below it (``upto``) and of the month (``total``)."""
    bands = select(
        AnswerBandMonth.month, AnswerBandMonth.scope, AnswerBandMonth.band, AnswerBandMonth.answered
    ).where(
        AnswerBandMonth.month.between(*months),
        AnswerBandMonth.scope.in_(scopes),
        AnswerBandMonth.answered != 0,
    )
    if late is not None:
        less = (
            select(literal(months[1]), late.c.scope, late.c.answer_band, -func.count())
            .where(late.c.answered_at.is_not(None))
            .group_by(late.c.scope, late.c.answer_band)
        )
        both = union_all(bands, less).subquery()
        bands = select(
            both.c.month,
            both.c.scope,
            both.c.band,
            _whole(func.sum(both.c.answered)).label("answered"),
        ).group_by(both.c.scope, both.c.month, both.c.band)
    bands = bands.subquery()
    month_scope = (bands.c.month, bands.c.scope)  # the order of the kept rows' key
    return (
        select(*month_scope, bands.c.band, bands.c.answered)
        .add_columns(
            _whole(
                func.sum(bands.c.answered).over(partition_by=month_scope, order_by=bands.c.band)
            ).label("upto"),
            _whole(func.sum(bands.c.answered).over(partition_by=month_scope)).label("total"),
        )
        .subquery()
    )


def _whole(total):
    """A sum as a whole number (PostgreSQL sums big integers as numeric), so ranks divide
    as integers."""
    return cast(total, BigInteger)


def _pick_places(targets: Subquery, until: datetime, which) -> Select:
    """For each target (scope, month, band, percent, place) ``which`` picks, the answer
    seconds at that place (from 0) among the band's answered comments of the month
    received before ``until``, the whole blog's or the author's named by ``scope``."""
    in_order = func.row_number().over(
        partition_by=(targets.c.scope, targets.c.month, targets.c.percent),
        order_by=Comment.answer_seconds,
    )
    picked = (
        select(targets.c.scope, targets.c.month, targets.c.percent, targets.c.place)
        .add_columns(Comment.answer_seconds, (in_order - 1).label("at"))
        .join_from(
            targets,
            Comment,
            and_(
                Comment.answer_band == targets.c.band,
                *_in_month(targets.c.month, until),
            ),
        )
        .where(which, *_counted(), Comment.answered_at.is_not(None), _of_scope(targets.c.scope))
        .subquery()
    )
    return select(picked.c.scope, picked.c.month, picked.c.percent, picked.c.answer_seconds).where(
        picked.c.at == picked.c.place
    )


def _in_month(month, until: datetime, comment=Comment) -> tuple:
    """A comment received in the month starting on ``month``, before ``until``."""
    return (
        comment.created_at >= month,
        comment.created_at < NextMonth(month),
        comment.created_at < until,
    )


def _of_scope(scope, comment=Comment):
    """A comment the figures of ``scope`` count: any for the blog, else on a post that
    names that author."""
    named = (
        exists()
        .where(PostAuthor.post_id == comment.post_id, PostAuthor.name == scope)
        .correlate_except(PostAuthor)
    )
    return or_(scope == BLOG_SCOPE, named)


def oldest_waiting(since: date, until: datetime, scopes: list[str]) -> Select:
    """Each scope's oldest waiting comment of each month from ``since`` on, received before
    ``until``: rows (scope, month, id, created_at). The months with comments waiting come
    from the kept counts; each one's first is read from ix_comments_waiting."""
    month = MonthStart(FigureDay.day)
    waiting = (
        select(FigureDay.scope, month.label("month"))
        .where(FigureDay.day >= since, FigureDay.scope.in_(scopes), FigureDay.waiting > 0)
        .group_by(FigureDay.scope, month)
        .subquery()
    )
    candidate = aliased(Comment)  # not the outer query's comment
    first = (
        select(candidate.id)
        .where(
            candidate.is_waiting,
            *_in_month(waiting.c.month, until, candidate),
            _of_scope(waiting.c.scope, candidate),
        )
        .order_by(candidate.created_at, candidate.id)
        .limit(1)
        .correlate(waiting)
        .scalar_subquery()
    )
    return select(waiting.c.scope, waiting.c.month, Comment.id, Comment.created_at).join_from(
        waiting, Comment, Comment.id == first
    )
