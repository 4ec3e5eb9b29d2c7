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
    func,
    literal,
    literal_column,
    not_,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from comments_service.models import (
    BANDS_PER_GROUP,
    BLOG_SCOPE,
    EXACT_BANDS,
    PUBLISHED,
    AnswerBandDay,
    AnswerBandGroup,
    AnswerBandMonth,
    AnswerBandRevision,
    Comment,
    FigureDay,
    KeptPercentile,
    KindDay,
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
            Comment.status == PUBLISHED,
            Comment.created_at >= since,
            Comment.created_at < until,
        )
        .order_by(Comment.created_at, Comment.id)
    )


def week_counts(since: date, until: date) -> Select:
    """The kept counts (FigureDay) of the days [since, until), summed per scope and ISO
    week (its Monday): rows (scope, week, received, answered, answered_privately, waiting)."""
    week = WeekStart(FigureDay.day)
    sums = (
        func.sum(getattr(FigureDay, name)).label(name)
        for name in ("received", "answered", "answered_privately", "waiting")
    )
    return (
        select(FigureDay.scope, week.label("week"), *sums)
        .where(FigureDay.day >= since, FigureDay.day < until)
        .group_by(FigureDay.scope, week)
    )


def week_kinds(since: date, until: date) -> Select:
    """How many of the comments the figures count, received on the days [since, until),
    each ISO week (its Monday) has of each kind (None: no kind yet): rows (week, kind,
    received), none with 0. Read from the kept counts of the days (KindDay)."""
    week = WeekStart(KindDay.day)
    received = func.sum(KindDay.received)
    return (
        select(week.label("week"), func.nullif(KindDay.kind, "").label("kind"))
        .add_columns(received.label("received"))
        .where(KindDay.day >= since, KindDay.day < until)
        .group_by(week, KindDay.kind)
        .having(received > 0)
    )


def week_medians(since: datetime, until: datetime) -> Select:
    """The whole blog's nearest-rank median answer seconds each ISO week (its Monday) of
    the comments the figures count, received in [since, until) (whole UTC days), its days
    in the period only: rows (scope, week, percent, answer_seconds), scope BLOG_SCOPE.

    The weeks' answered comments per band are the kept counts of their days
    (AnswerBandDay); see ``_at_ranks`` for the rest."""
    week = WeekStart(AnswerBandDay.day)
    counted = (
        select(literal(BLOG_SCOPE, String).label("scope"), week.label("week"))
        .add_columns(AnswerBandDay.band, func.sum(AnswerBandDay.answered).label("answered"))
        .where(AnswerBandDay.day >= since.date(), AnswerBandDay.day < until.date())
        .group_by(week, AnswerBandDay.band)
        .subquery()
    )
    return _at_ranks(_ranks(counted, (50,)), since, until)


def period_percentiles(since: datetime, until: datetime, percents: tuple[int, ...]) -> Select:
    """The nearest-rank answer seconds of the comments the figures count, received in
    [since, until) (whole UTC days), at ``percents``: the whole blog's (its days' kept
    counts, AnswerBandDay) and each named author's (the period's answered comments, read
    from ix_comments_counted alone and counted per band through post_authors). Rows
    (scope, week, percent, answer_seconds), week NULL, scope BLOG_SCOPE or the author's
    name; a scope with no answered comment has none. See ``_at_ranks`` for the rest."""
    answered = (
        select(Comment.post_id, Comment.answer_band)
        .where(
            *_counted(),
            Comment.answer_band.is_not(None),  # answered: NULL until then
            Comment.created_at >= since,
            Comment.created_at < until,
        )
        .subquery()
    )
    no_week = cast(null(), Date).label("week")
    blog = (
        select(literal(BLOG_SCOPE, String).label("scope"), no_week, AnswerBandDay.band)
        .add_columns(func.sum(AnswerBandDay.answered).label("answered"))
        .where(AnswerBandDay.day >= since.date(), AnswerBandDay.day < until.date())
        .group_by(AnswerBandDay.band)
    )
    authors = (
        select(PostAuthor.name, no_week, answered.c.answer_band, func.count())
        .join_from(answered, PostAuthor, PostAuthor.post_id == answered.c.post_id)
        .group_by(PostAuthor.name, answered.c.answer_band)
    )
    return _at_ranks(_ranks(union_all(blog, authors).subquery(), percents), since, until)


def _at_ranks(ranks: Select, since: datetime, until: datetime) -> Select:
    """The answer seconds at each rank (scope, week, percent, band, place; week NULL for
    the whole period) among the comments the figures count, received in [since, until):
    a band under ten minutes is its time; any other band's comments of the period (of the
    week, of the author) are read in answer-time order up to that place, from
    ix_comments_answer_bands (an author's: those on posts that name them)."""
    ranks = ranks.cte("ranks")
    exact = ranks.c.band.between(0, EXACT_BANDS - 1)  # the band is the time
    known = select(
        ranks.c.scope, ranks.c.week, ranks.c.percent, ranks.c.band.label("answer_seconds")
    )
    in_order = func.row_number().over(
        partition_by=(ranks.c.scope, ranks.c.week, ranks.c.percent),
        order_by=Comment.answer_seconds,
    )
    in_week = or_(ranks.c.week.is_(None), WeekStart(Comment.created_at) == ranks.c.week)
    picked = (
        select(ranks.c.scope, ranks.c.week, ranks.c.percent, ranks.c.place)
        .add_columns(Comment.answer_seconds, (in_order - 1).label("at"))
        .join_from(
            ranks,
            Comment,
            and_(
                Comment.answer_band == ranks.c.band,
                Comment.created_at >= since,
                Comment.created_at < until,
            ),
        )
        .where(
            not_(exact),
            *_counted(),
            Comment.answered_at.is_not(None),
            in_week,
            _of_scope(ranks.c.scope),
        )
        .subquery()
    )
    at_place = select(picked.c.scope, picked.c.week, picked.c.percent, picked.c.answer_seconds)
    return union_all(known.where(exact), at_place.where(picked.c.at == picked.c.place))


def _ranks(counted: Subquery, percents: tuple[int, ...]) -> Select:
    """Where the nearest-rank answer times lie, from answered comments counted per band:
    ``counted`` rows (scope, week, band, answered), each (scope, week) a set of comments.
    Rows (scope, week, percent, band, place): the band of answer times
    (``Comment.answer_band``) that holds the rank, and the rank's place in it (from 0).
    The running counts of these few rows give the bands, without ranking every comment."""
    group = (counted.c.scope, counted.c.week)
    upto = func.sum(counted.c.answered).over(partition_by=group, order_by=counted.c.band)
    total = func.sum(counted.c.answered).over(partition_by=group)
    running = select(counted, _whole(upto).label("upto"), _whole(total).label("total")).subquery()
    percent = union_all(*(select(literal_column(str(p)).label("percent")) for p in percents))
    percent = percent.subquery()
    rank = (percent.c.percent * running.c.total + 99) // 100  # ceil(percent * total / 100)
    below = running.c.upto - running.c.answered
    return (
        select(running.c.scope, running.c.week, percent.c.percent, running.c.band)
        .add_columns((rank - below - 1).label("place"))
        .join_from(running, percent, and_(below < rank, running.c.upto >= rank))
    )


def post_author_rows() -> Select:
    """Every post's named authors, as (post_id, name): whom a comment's figures count for."""
    return select(PostAuthor.post_id, PostAuthor.name).order_by(
        PostAuthor.post_id, PostAuthor.position
    )


def author_names(only: str | None = None) -> Select:
    """The named authors (all, or only ``only`` when a post names them), by name.

    Read a name at a time from ix_post_authors_name, each the least one after the name
    before: a blog's few authors are named by thousands of posts, all of which DISTINCT
    would read (1.6 ms at 10,000 posts, against 0.2)."""
    if only is not None:
        return select(PostAuthor.name).where(PostAuthor.name == only).limit(1)
    names = select(func.min(PostAuthor.name).label("name")).cte("author_names", recursive=True)
    previous = names.alias("previous")
    following = select(func.min(PostAuthor.name)).where(PostAuthor.name > previous.c.name)
    names = names.union_all(select(following.scalar_subquery()).where(previous.c.name.is_not(None)))
    return select(names.c.name).where(names.c.name.is_not(None)).order_by(names.c.name)


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
    moment = f"CAST({compiler.process(element.clauses, **kw)} AS TIMESTAMP)"  # never zoned
    return f"CAST(date_trunc('month', {moment}) AS DATE)"


@compiles(MonthStart, "sqlite")
def _month_start_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


class WeekStart(FunctionElement):
    """The Monday (the first day of its ISO week) of a day or a (naive UTC) time."""

    type = Date()
    inherit_cache = True


@compiles(WeekStart, "postgresql")
def _week_start_postgresql(element, compiler, **kw):
    moment = f"CAST({compiler.process(element.clauses, **kw)} AS TIMESTAMP)"  # never zoned
    return f"CAST(date_trunc('week', {moment}) AS DATE)"


@compiles(WeekStart, "sqlite")
def _week_start_sqlite(element, compiler, **kw):
    # Six days back, then forward to the first Monday: the day itself when it is one.
    return f"date({compiler.process(element.clauses, **kw)}, '-6 days', 'weekday 1')"


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
    return Comment.staff_id.is_(None), Comment.status == PUBLISHED


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

    The kept counts say which group of bands holds each rank (a month's groups), then
    which band of the group (that group's bands) and at which place in it; only that
    band's comments of that month are then read, in order, from ix_comments_answer_bands.
    ``late``: counted comments of the last month received at or after ``until``
    (queries.scoped_comments), which the kept counts hold too.
    """
    percent = union_all(*(select(literal_column(str(p)).label("percent")) for p in percents))
    percent = percent.subquery()
    kept = select(
        AnswerBandGroup.month, AnswerBandGroup.scope, AnswerBandGroup.band_group
    ).add_columns(AnswerBandGroup.answered)
    kept = kept.where(
        AnswerBandGroup.month.between(*months),
        AnswerBandGroup.scope.in_(scopes),
        AnswerBandGroup.answered != 0,
    )
    late_group = None if late is None else _group_of(late.c.answer_band)
    groups = _running(_less_late(kept, late, late_group, months[1]), "band_group")
    rank = (percent.c.percent * groups.c.total + 99) // 100  # ceil(percent * total / 100)
    below = groups.c.upto - groups.c.answered
    in_group = (
        select(groups.c.month, groups.c.scope, groups.c.band_group, percent.c.percent)
        .add_columns((rank - below).label("rank"))
        .join_from(groups, percent, and_(below < rank, groups.c.upto >= rank))
        # One group per scope, month and percent holds its rank: saying so lets
        # PostgreSQL look up those few groups' bands by key, not merge all of them.
        .limit(len(scopes) * _months_in(months) * len(percents))
        .cte("in_group")
        .prefix_with("MATERIALIZED")  # the few ranks first, then their groups' bands
    )
    targets = _band_of(in_group, _bands(months, scopes, late)).cte("targets")
    exact = targets.c.band.between(0, EXACT_BANDS - 1)  # the band is the time
    known = select(targets.c.scope, targets.c.month, targets.c.percent)
    known = known.add_columns(targets.c.band.label("answer_seconds"))
    return union_all(known.where(exact), _pick_places(targets, until, not_(exact)))


def band_revisions(months: tuple[date, date], scopes: list[str]) -> Select:
    """The revision of each (scope, month) in [first, last] whose band counts ever changed:
    rows (scope, month, revision); any other's is 0."""
    revision = AnswerBandRevision
    return select(revision.scope, revision.month, revision.revision).where(
        revision.month.between(*months), revision.scope.in_(scopes)
    )


def kept_percentiles(months: tuple[date, date], scopes: list[str]) -> Select:
    """The kept percentiles of the months in [first, last]: rows (scope, month, percent,
    answer_seconds, revision), each right while its month's revision is the same."""
    kept = KeptPercentile
    return select(kept.scope, kept.month, kept.percent, kept.answer_seconds, kept.revision).where(
        kept.month.between(*months), kept.scope.in_(scopes)
    )


def keep_percentiles(dialect: str, rows: list[dict]):
    """Keep (or replace) these rows (month, scope, percent, answer_seconds, revision)."""
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    statement = insert(KeptPercentile).values(rows)
    return statement.on_conflict_do_update(
        index_elements=[KeptPercentile.month, KeptPercentile.scope, KeptPercentile.percent],
        set_={
            "answer_seconds": statement.excluded.answer_seconds,
            "revision": statement.excluded.revision,
        },
    )


def _months_in(months: tuple[date, date]) -> int:
    first, last = months
    return (last.year - first.year) * 12 + last.month - first.month + 1


def _less_late(kept: Select, late: Subquery | None, late_key, late_month: date) -> Subquery:
    """Kept rows (month, scope, key, answered), less ``late``'s answered comments (of
    ``late_month``) counted by ``late_key``."""
    if late is None:
        return kept.subquery()
    less = select(literal(late_month), late.c.scope, late_key, -func.count())
    less = less.where(late.c.answered_at.is_not(None)).group_by(late.c.scope, late_key)
    month, scope, key, answered = union_all(kept, less).subquery().c
    return (
        select(month, scope, key, _whole(func.sum(answered)).label("answered"))
        .group_by(month, scope, key)
        .subquery()
    )


def _running(rows: Subquery, key: str) -> Subquery:
    """Rows (month, scope, key, answered) with the answered comments of their key and
    the keys below it (``upto``) and of their month (``total``)."""
    month_scope = (rows.c.month, rows.c.scope)  # the order of the kept rows' key
    upto = func.sum(rows.c.answered).over(partition_by=month_scope, order_by=rows.c[key])
    total = func.sum(rows.c.answered).over(partition_by=month_scope)
    return select(rows, _whole(upto).label("upto"), _whole(total).label("total")).subquery()


def _bands(months: tuple[date, date], scopes: list[str], late: Subquery | None):
    """The kept band counts (month, scope, band, answered), less the late comments."""
    kept = select(
        AnswerBandMonth.month, AnswerBandMonth.scope, AnswerBandMonth.band, AnswerBandMonth.answered
    ).where(AnswerBandMonth.month.between(*months), AnswerBandMonth.scope.in_(scopes))
    return _less_late(kept, late, None if late is None else late.c.answer_band, months[1])


def _band_of(in_group, bands) -> Select:
    """For each rank in a group (month, scope, band_group, percent, rank), its band and
    its place in the band (from 0): read from the group's bands alone."""
    group_of = in_group.c.band_group * BANDS_PER_GROUP
    joined = (
        select(in_group, bands.c.band, bands.c.answered)
        .join_from(
            in_group,
            bands,
            and_(
                bands.c.month == in_group.c.month,
                bands.c.scope == in_group.c.scope,
                bands.c.band.between(
                    group_of - BANDS_PER_GROUP + 1, group_of + BANDS_PER_GROUP - 1
                ),
            ),
        )
        .where(_group_of(bands.c.band) == in_group.c.band_group)
        .subquery()
    )
    order = (joined.c.month, joined.c.scope, joined.c.percent)
    upto = _whole(func.sum(joined.c.answered).over(partition_by=order, order_by=joined.c.band))
    running = select(joined, upto.label("upto")).subquery()
    below = running.c.upto - running.c.answered
    return select(
        running.c.scope,
        running.c.month,
        running.c.band,
        running.c.percent,
        (running.c.rank - below - 1).label("place"),
    ).where(below < running.c.rank, running.c.upto >= running.c.rank)


def _group_of(band):
    """A band's group, as the triggers count it (whole-number division, toward zero)."""
    return band // BANDS_PER_GROUP


def _whole(total):
    """A sum as a whole number (PostgreSQL sums big integers as numeric), so ranks divide
    as integers."""
    return cast(total, BigInteger)


def _pick_places(targets, until: datetime, which) -> Select:
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
    names that author.

    Asked of each comment by its post and the name (pk_post_authors), as a scalar
    subquery: PostgreSQL would turn EXISTS into a hash of all the author's posts, built
    again for every month it looks in.
    """
    named = (
        select(PostAuthor.position)
        .where(PostAuthor.post_id == comment.post_id, PostAuthor.name == scope)
        .correlate_except(PostAuthor)
        .scalar_subquery()
    )
    return or_(scope == BLOG_SCOPE, named.is_not(None))


def oldest_waiting(since: date, until: datetime, scopes: list[str]) -> Select:
    """Each scope's oldest waiting comment of each month from ``since`` on, received before
    ``until``: rows (scope, month, id), id None when none came in before ``until``. The
    months with comments waiting come from the kept counts, with the first day on which
    one came in; each one's first is read from ix_comments_waiting from that day on (from
    the month's start, a busy author's month read a few thousand entries of others' posts).

    Only the id: joined to comments here, PostgreSQL hashed all of them (a million rows,
    400 ms) once the kept counts' estimate of waiting months grew, as it does with more
    months, authors or dead rows. ``comment_times`` reads their times by key.
    """
    month = MonthStart(FigureDay.day)
    waiting = (
        select(FigureDay.scope, month.label("month"), func.min(FigureDay.day).label("first_day"))
        .where(FigureDay.day >= since, FigureDay.scope.in_(scopes), FigureDay.waiting > 0)
        .group_by(FigureDay.scope, month)
        .subquery()
    )
    first = (
        select(Comment.id)
        .where(
            Comment.is_waiting,
            *_in_month(waiting.c.month, until),
            Comment.created_at >= waiting.c.first_day,
            _of_scope(waiting.c.scope),
        )
        .order_by(Comment.created_at, Comment.id)
        .limit(1)
        .correlate(waiting)
        .scalar_subquery()
    )
    return select(waiting.c.scope, waiting.c.month, first.label("id"))


def comment_times(ids: set[int]) -> Select:
    """These comments' ids and times received."""
    return select(Comment.id, Comment.created_at).where(Comment.id.in_(ids))
