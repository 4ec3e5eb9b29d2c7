"""Answer-time figures: did readers get a human answer, and how fast, month by month.

Defined once here for the dashboard, ``flask stats``, the comments export and the
report "What readers told us" (services.report, over any period; see
docs/notifications.md, "Answer-time figures"). They count published reader
comments, with the first staff answer stored on each (services.answers) and the
waiting rule (``Comment.is_waiting``). Over the last months they are read from counts
the database keeps (``compute``, docs/indexes.md); over a report's period and weeks
they are counted by the database too (``period_figures``: the kept counts of its days,
and its answered comments counted per band of answer times); ``month_figures`` is the
same definition over the comments' rows, the one the tests compare them with.
Percentiles are the nearest rank everywhere, so SQLite and PostgreSQL agree.
"""

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from comments_service.extensions import db
from comments_service.models import BLOG_SCOPE
from comments_service.queries.figures import (
    answer_percentiles,
    author_names,
    band_revisions,
    comment_times,
    keep_percentiles,
    kept_percentiles,
    month_counts,
    oldest_waiting,
    period_percentiles,
    post_author_rows,
    scoped_comments,
    week_counts,
    week_medians,
)
from comments_service.words.answer_words import last_month_sentence
from comments_service.words.times import iso

DEFAULT_MONTHS = 12
PERCENTS = (50, 90)  # the median and the 90th percentile, by nearest rank
# Kept percentiles written per statement: five parameters each, well under the limits
# of SQLite (32,766) and PostgreSQL (65,535) however many months and authors.
KEPT_PER_STATEMENT = 1000
# Where the app keeps finished months' week medians ({month: (revision, medians)}), and
# for how many months at most.
WEEK_MEDIANS = "porch_week_medians"
WEEK_MEDIANS_KEPT = 24


@dataclass(frozen=True)
class OldestWaiting:
    id: int
    created_at: str
    waited_seconds: int


@dataclass(frozen=True)
class MonthFigures:
    """One calendar month (UTC) of reader comments, counted by when they came in."""

    month: str  # "2026-11"
    received: int
    answered: int  # publicly or privately
    answered_privately: int  # of those answered, the ones whose first answer was private
    no_answer_needed: int
    waiting: int
    share_answered: float | None  # answered / (received - no_answer_needed)
    median_seconds: int | None
    p90_seconds: int | None
    oldest_waiting: OldestWaiting | None

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def share_answered_publicly(self) -> float | None:
        """Of the comments that needed an answer, the share whose first answer was public."""
        return self._share(self.answered - self.answered_privately)

    @property
    def share_answered_privately(self) -> float | None:
        """Of the comments that needed an answer, the share whose first answer was private."""
        return self._share(self.answered_privately)

    def _share(self, count: int) -> float | None:
        settled = self.answered + self.waiting
        return count / settled if settled else None


@dataclass(frozen=True)
class Figures:
    """The blog's months, oldest first, and each named author's over the same months."""

    months: list[str]
    blog: list[MonthFigures]
    authors: dict[str, list[MonthFigures]]
    computed_at: str

    def as_dict(self) -> dict:
        return {
            "computed_at": self.computed_at,
            "months": self.months,
            "blog": [month.as_dict() for month in self.blog],
            "authors": {
                name: [month.as_dict() for month in months] for name, months in self.authors.items()
            },
        }


def nearest_rank(values: list[int], percent: int) -> int | None:
    """The nearest-rank percentile: the smallest value with at least ``percent``% at or below it.

    It is always one of the values (the 50th of four is the second, never a mean).
    """
    if not values:
        return None
    ordered = sorted(values)
    rank = -(-percent * len(ordered) // 100)  # ceil without floats
    return ordered[max(rank, 1) - 1]


def share_answered(answered: int, waiting: int) -> float | None:
    """The share of comments answered among those that needed an answer: the answered and
    the still waiting (those marked no answer needed are neither); None with none."""
    settled = answered + waiting
    return answered / settled if settled else None


def share_text(share: float | None) -> str:
    """A share answered as people read it, "92%"; "-" when nothing could be answered."""
    return "-" if share is None else f"{share:.0%}"


def month_key(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m")


def last_months(now: datetime, count: int) -> list[str]:
    """The ``count`` calendar months up to and including now's, oldest first."""
    index = now.year * 12 + now.month - 1 - (count - 1)
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index, index + count)]


def month_start(key: str) -> datetime:
    year, month = map(int, key.split("-"))
    return datetime(year, month, 1, tzinfo=UTC)


def compute(now: datetime, months: int = DEFAULT_MONTHS, author: str | None = None) -> Figures:
    """The figures of the last ``months`` months (now's included), for the blog and per author.

    ``author`` narrows the authors to that one name; the blog's figures stay whole. Read
    from the counts the database keeps (models.FigureDay, AnswerBandMonth, AnswerBandGroup)
    and indexes, never from every comment: see docs/indexes.md, "Answer-time figures".
    The percentiles it computes are kept in the session (KeptPercentile):
    commit to keep them.
    """
    keys = last_months(now, months)
    names = list(db.session.scalars(author_names(author)))
    scopes = [BLOG_SCOPE, *names]
    first = month_start(keys[0]).date()
    late = db.session.execute(select(_late(now, scopes))).all()
    counts = month_counts_of(first, now, scopes, late)
    seconds = percentiles_of((first, month_start(keys[-1]).date()), now, scopes)
    oldest = oldest_of(first, now, scopes)
    per_scope = {
        scope: [
            _figures(
                key,
                counts[scope, key],
                (seconds.get((scope, key, 50)), seconds.get((scope, key, 90))),
                oldest.get((scope, key)),
                now,
            )
            for key in keys
        ]
        for scope in scopes
    }
    return Figures(
        months=keys,
        blog=per_scope[BLOG_SCOPE],
        authors={name: per_scope[name] for name in names},
        computed_at=iso(now),
    )


@dataclass
class Counts:
    """What a month counts of its comments, for one scope."""

    received: int = 0
    answered: int = 0
    answered_privately: int = 0
    waiting: int = 0

    def add(self, row, sign: int = 1) -> None:
        self.received += sign * row.received
        self.answered += sign * row.answered
        self.answered_privately += sign * row.answered_privately
        self.waiting += sign * row.waiting


def _late(now: datetime, scopes: list[str]):
    """The counted comments of now's month that came in after now (a clock ahead, an
    import): the kept counts hold them, the figures up to now do not."""
    return scoped_comments(now, month_start(_month_after(month_key(now))), scopes)


def month_counts_of(first: date, now: datetime, scopes: list[str], late: list) -> dict:
    """Each (scope, month)'s Counts: the kept days from ``first`` to now's, less the
    ``late`` comments of now's day."""
    counts = defaultdict(Counts)
    today = now.astimezone(UTC).date()
    for row in db.session.execute(month_counts(first, today + timedelta(days=1), scopes)):
        counts[row.scope, f"{row.month:%Y-%m}"].add(row)
    for row in late:
        if row.created_at.astimezone(UTC).date() == today:
            counts[row.scope, month_key(now)].add(_as_counts(row), -1)
    return counts


def _as_counts(row) -> Counts:
    """One comment's row of queries.scoped_comments, as what it adds to its month."""
    answered = row.answered_at is not None
    privately = answered and bool(row.answered_privately)
    return Counts(1, int(answered), int(privately), int(row.waiting))


def percentiles_of(months: tuple[date, date], now: datetime, scopes: list[str]) -> dict:
    """The median and 90th percentile of each (scope, month)'s answer seconds, by
    nearest rank, as {(scope, "2026-11", percent): seconds}.

    Kept (models.KeptPercentile, in the session's transaction: the caller commits them)
    and read back while the month's band counts' revision is the one read before
    computing them. Now's month too, unless comments came in after now: its figures
    count up to now, the band counts all of them, so it is computed every time then.
    """
    first, this_month = months
    revisions = {
        (row.scope, row.month): row.revision
        for row in db.session.execute(band_revisions(months, scopes))
    }
    # Asked after the revisions: a comment received after now written since bumps them.
    if db.session.execute(select(_late(now, scopes)).limit(1)).first() is None:
        return _kept_or_computed(_months_from(first, this_month), now, scopes, revisions)
    finished = _kept_or_computed(_months_from(first, this_month)[:-1], now, scopes, revisions)
    query = answer_percentiles((this_month, this_month), now, scopes, PERCENTS, _late(now, scopes))
    return finished | _by_key(db.session.execute(query))


def _kept_or_computed(
    months: list[date], now: datetime, scopes: list[str], revisions: dict
) -> dict:
    """The percentiles of these months (all received before now): the kept ones still
    right, the others computed and kept with the ``revisions`` read before them (so a
    change made meanwhile leaves them stale, never right by mistake)."""
    if not months:
        return {}
    seconds = {
        (row.scope, row.month, row.percent): row.answer_seconds
        for row in db.session.execute(kept_percentiles((months[0], months[-1]), scopes))
        if row.revision == revisions.get((row.scope, row.month), 0)
    }
    stale = [
        (scope, month)
        for scope in scopes
        for month in months
        if any((scope, month, percent) not in seconds for percent in PERCENTS)
    ]
    if stale:
        seconds |= _keep(stale, _computed(stale, now), revisions)
    return {
        (scope, f"{month:%Y-%m}", percent): value
        for (scope, month, percent), value in seconds.items()
    }


def _keep(stale: list[tuple[str, date]], computed: dict, revisions: dict) -> dict:
    """Keep the computed percentiles of the ``stale`` (scope, month) pairs (None: nothing
    answered) at the revisions read before: {(scope, month, percent): seconds}."""
    rows = [
        {
            "month": month,
            "scope": scope,
            "percent": percent,
            "answer_seconds": computed.get((scope, month, percent)),
            "revision": revisions.get((scope, month), 0),
        }
        for scope, month in stale
        for percent in PERCENTS
    ]
    dialect = db.session.get_bind().dialect.name
    for start in range(0, len(rows), KEPT_PER_STATEMENT):
        db.session.execute(keep_percentiles(dialect, rows[start : start + KEPT_PER_STATEMENT]))
    return {(row["scope"], row["month"], row["percent"]): row["answer_seconds"] for row in rows}


def _computed(pairs: list[tuple[str, date]], now: datetime) -> dict:
    """The percentiles of these (scope, month) pairs (and of the others in their span):
    {(scope, month, percent): seconds}."""
    months = (min(month for _, month in pairs), max(month for _, month in pairs))
    scopes = sorted({scope for scope, _ in pairs})
    query = answer_percentiles(months, now, scopes, PERCENTS)
    return {
        (row.scope, row.month, row.percent): row.answer_seconds for row in db.session.execute(query)
    }


def _by_key(rows) -> dict:
    return {(row.scope, f"{row.month:%Y-%m}", row.percent): row.answer_seconds for row in rows}


def _months_from(first: date, last: date) -> list[date]:
    """The first days of the months from ``first`` to ``last`` (first days too)."""
    months = [first]
    while months[-1] < last:
        months.append(month_start(_month_after(f"{months[-1]:%Y-%m}")).date())
    return months


def oldest_of(first: date, now: datetime, scopes: list[str]) -> dict:
    """Each (scope, "2026-11")'s oldest waiting comment (a row with id and created_at)."""
    firsts = [row for row in db.session.execute(oldest_waiting(first, now, scopes)) if row.id]
    times = {row.id: row for row in db.session.execute(comment_times({row.id for row in firsts}))}
    return {(row.scope, f"{row.month:%Y-%m}"): times[row.id] for row in firsts}


def _month_after(key: str) -> str:
    return last_months(month_start(key) + timedelta(days=32), 1)[0]


@dataclass(frozen=True)
class PeriodFigures:
    """A report's days, counted by the database: the whole blog's figures, each named
    author's with comments in them (by name), and each ISO week's (by its Monday, its
    days in the period only). No oldest waiting comment: the report shows none."""

    blog: MonthFigures
    authors: dict[str, MonthFigures]
    weeks: dict[date, MonthFigures]


def period_figures(since: datetime, until: datetime, label: str, now: datetime) -> PeriodFigures:
    """The figures of the comments received in [since, until) (whole UTC days), as
    ``month_figures`` computes them from the rows, without reading the rows into Python:
    the counts are the kept days' (FigureDay) summed per scope and week, the percentiles
    those of ``period_seconds``. Percentiles it computes for a finished month are kept in
    the session (KeptPercentile): commit to keep them."""
    counts = defaultdict(Counts)  # (scope, a week's Monday or None for the whole period)
    for row in db.session.execute(week_counts(since.date(), until.date())):
        counts[row.scope, row.week].add(row)
        counts[row.scope, None].add(row)
    kept = [key for key in counts if counts[key].received]
    names = sorted(scope for scope, week in kept if scope != BLOG_SCOPE and week is None)
    seconds = period_seconds(since, until, now, [BLOG_SCOPE, *names])

    def figures_of(scope: str, week: date | None, key: str) -> MonthFigures:
        ranks = tuple(seconds.get((scope, week, percent)) for percent in PERCENTS)
        return _figures(key, counts[scope, week], ranks, None, now)

    return PeriodFigures(
        blog=figures_of(BLOG_SCOPE, None, label),
        authors={name: figures_of(name, None, label) for name in names},
        weeks={
            week: figures_of(BLOG_SCOPE, week, week_key(week))
            for scope, week in kept
            if scope == BLOG_SCOPE and week is not None
        },
    )


def period_seconds(since: datetime, until: datetime, now: datetime, scopes: list[str]) -> dict:
    """The nearest-rank answer seconds of [since, until), as {(scope, week, percent):
    seconds}: those of ``scopes`` (the whole blog, BLOG_SCOPE, and authors' names) over
    the period (week None) at PERCENTS, the blog's median each ISO week (its Monday).

    The weeks' are computed from the kept counts of their days (queries.week_medians).
    A finished calendar month's are its months' percentiles, kept while their revision
    holds (``_kept_or_computed``, as the dashboard's); any other period's are computed
    (queries.period_percentiles)."""
    month = _finished_month(since, until, now)
    if month is None:
        rows = [*db.session.execute(week_medians(since, until))]
        rows += db.session.execute(period_percentiles(since, until, PERCENTS))
        return {(row.scope, row.week, row.percent): row.answer_seconds for row in rows}
    revisions = {
        (row.scope, row.month): row.revision
        for row in db.session.execute(band_revisions((month, month), scopes))
    }
    months = _kept_or_computed([month], now, scopes, revisions)
    seconds = {(scope, None, percent): value for (scope, _, percent), value in months.items()}
    return seconds | _kept_week_medians(month, revisions.get((BLOG_SCOPE, month), 0))


def _kept_week_medians(month: date, revision: int) -> dict:
    """The blog's week medians of a finished month ({(scope, week, percent): seconds}),
    kept in the app while the month's band counts' revision is the ``revision`` read
    before computing them, as its kept percentiles are (``_kept_or_computed``): computed
    from the same counts and comments, they change when those do. Each view of a month's
    report would compute them again, its largest statement at a million comments."""
    kept = current_app.extensions.setdefault(WEEK_MEDIANS, {})
    if month in kept and kept[month][0] == revision:
        return kept[month][1]
    since = month_start(f"{month:%Y-%m}")
    until = month_start(_month_after(f"{month:%Y-%m}"))
    medians = {
        (row.scope, row.week, row.percent): row.answer_seconds
        for row in db.session.execute(week_medians(since, until))
    }
    if len(kept) >= WEEK_MEDIANS_KEPT:
        del kept[min(kept)]  # the oldest month: reports are mostly of the last ones
    kept[month] = (revision, medians)
    return medians


def _finished_month(since: datetime, until: datetime, now: datetime) -> date | None:
    """The first day of the calendar month [since, until) is, when it is one and it ended
    by ``now`` (every comment of it came in before now, as a kept month's)."""
    first = since.date()
    whole = first.day == 1 and until == month_start(_month_after(f"{first:%Y-%m}"))
    return first if whole and until <= now else None


def week_key(day: date) -> str:
    """The ISO week of a day, "2026-W45"."""
    year, number, _ = day.isocalendar()
    return f"{year}-W{number:02d}"


def rows_by_author(rows, author: str | None = None) -> dict[str, list]:
    """Each named author's rows, by name in order, every author of a post included
    (``author`` narrows them to that one name). A comment on a post with several
    authors counts for each of them."""
    authors_of = defaultdict(list)
    for post_id, name in db.session.execute(post_author_rows()):
        if author is None or name == author:
            authors_of[post_id].append(name)
    by_author = {name: [] for name in sorted(set().union(*authors_of.values()))}
    for row in rows:
        for name in authors_of[row.post_id]:
            by_author[name].append(row)
    return by_author


def month_figures(key: str, rows, now: datetime) -> MonthFigures:
    """One month's figures from its comments' rows (see queries.figure_rows)."""
    answered = [row for row in rows if row.answered_at is not None]
    waiting = [row for row in rows if row.waiting]
    seconds = [int((row.answered_at - row.created_at).total_seconds()) for row in answered]
    privately = sum(bool(row.answered_privately) for row in answered)
    return _figures(
        key,
        Counts(len(rows), len(answered), privately, len(waiting)),
        (nearest_rank(seconds, 50), nearest_rank(seconds, 90)),
        min(waiting, key=lambda row: (row.created_at, row.id), default=None),
        now,
    )


def _figures(key: str, counts: Counts, seconds: tuple, oldest, now: datetime) -> MonthFigures:
    """A month's figures from its counts, its (median, p90) answer seconds and its oldest
    waiting comment (a row with its id and created_at, or None)."""
    return MonthFigures(
        month=key,
        received=counts.received,
        answered=counts.answered,
        answered_privately=counts.answered_privately,
        no_answer_needed=counts.received - counts.answered - counts.waiting,
        waiting=counts.waiting,
        share_answered=share_answered(counts.answered, counts.waiting),
        median_seconds=seconds[0],
        p90_seconds=seconds[1],
        oldest_waiting=oldest
        and OldestWaiting(
            id=oldest.id,
            created_at=iso(oldest.created_at),
            waited_seconds=int((now - oldest.created_at).total_seconds()),
        ),
    )


def for_export(now: datetime) -> dict:
    """The blog's figures for the comments export: its months, the last full month apart and
    the About page's sentence on it (None when there is nothing true to say).

    Author names and comment ids are public already; nothing else leaves the service.
    """
    blog = [month.as_dict() for month in compute(now).blog]
    # The last entry is now's month, still running; the one before it is the last full month.
    last_month = blog[-2]
    return {
        "computed_at": iso(now),
        "last_month": last_month,
        "last_month_sentence": last_month_sentence(last_month),
        "blog": blog,
    }
