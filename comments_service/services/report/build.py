"""The report "What readers told us": one period of reader comments, as plain data.

For a period [since, until), by default the last full calendar month (UTC): reader
comments by kind, the questions, ideas and problems still open (``queries.still_open``),
the follow-up steps taken, the answer figures of the blog and of each author (computed
by services.figures, their one definition), new and returning readers, and week by week
the median time to answer and the comments by kind. The moderation page, ``flask
report`` and the monthly mail all show this one object. Nothing here commits (the
percentiles of a finished month it computes are kept in the session: the page and the
command commit them) or touches Flask globals.
"""

import calendar
import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta

from flask_babel import format_decimal, gettext
from sqlalchemy import Select, func

from comments_service.config import UNTAGGED, OpenKinds
from comments_service.enums import Decision
from comments_service.extensions import db
from comments_service.models import Comment, ModerationAction, Staff
from comments_service.queries.care import for_staff
from comments_service.queries.figures import week_kinds
from comments_service.queries.listening import (
    follow_up_steps,
    open_items,
    quoted_items,
    readers_in,
)
from comments_service.service_urls import ServiceUrls
from comments_service.services.comments.threads import iso
from comments_service.services.report import figures
from comments_service.words.times import day_label, month_label

QUOTE_CHARS = 200
# The open items quoted, oldest first: a page and a mail stay readable in a busy month, and
# a report costs the same whatever the blog holds. The JSON lists them all.
OPEN_QUOTED = 50
LONGEST_PERIOD_DAYS = 366
STEP_NAMES = {
    Decision.PASS_ON: "passed_on",
    Decision.ACT_ON: "acted_on",
    Decision.DECLINE: "declined",
}


class PeriodError(ValueError):
    """A period that cannot be reported on; the message says what to change."""


@dataclass(frozen=True)
class Period:
    """The days [since, until) in UTC: ``until`` is the first day not included."""

    since: date
    until: date

    @property
    def start(self) -> datetime:
        return datetime(self.since.year, self.since.month, self.since.day, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return datetime(self.until.year, self.until.month, self.until.day, tzinfo=UTC)

    @property
    def label(self) -> str:
        """ "November 2026" for a calendar month, else "3 November 2026 to 16 November 2026"."""
        if self.since.day == 1 and self.until == _next_month(self.since):
            return month_label(self.since)
        last = self.until - timedelta(days=1)
        return gettext("%(since)s to %(until)s", since=day_label(self.since), until=day_label(last))


def last_full_month(now: datetime) -> Period:
    """The calendar month (UTC) before now's."""
    first = now.astimezone(UTC).date().replace(day=1)
    return Period(_next_month(first, back=True), first)


def period_of(since: date | None, until: date | None, now: datetime) -> Period:
    """The period asked for: both days, or one of them and a month from or to it, or
    neither and the last full month."""
    if since is None and until is None:
        return last_full_month(now)
    since = since or _next_month(until, back=True)
    until = until or _next_month(since)
    if until <= since:
        raise PeriodError(
            gettext("The period must end after it starts: pick an “until” after “since”.")
        )
    if (until - since).days > LONGEST_PERIOD_DAYS:
        raise PeriodError(
            gettext(
                "A report covers at most %(days)s days.", days=format_decimal(LONGEST_PERIOD_DAYS)
            )
        )
    return Period(since, until)


def day_from(text: str, name: str) -> date | None:
    """A day written YYYY-MM-DD, or None for an empty field; ``name`` names the field."""
    if not text:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise PeriodError(
        gettext(
            "%(field)s: “%(text)s” is not a day; write it as YYYY-MM-DD, e.g. 2026-11-01.",
            field=name,
            text=text,
        )
    )


def _next_month(day: date, back: bool = False) -> date:
    """The same day a month later (or earlier); the month's last day if it is shorter."""
    index = day.year * 12 + day.month - 1 + (-1 if back else 1)
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Quoted:
    """A reader comment as the report cites it: who, where, its opening words, two links."""

    id: int
    kind: str | None
    author_name: str
    post_title: str
    created_at: str
    quote: str
    link: str  # on the blog (the service's permalink)
    thread: str  # on the moderation page
    follow_up: str | None
    team: str | None


@dataclass(frozen=True)
class Step:
    """One follow-up step taken in the period, with its note (a team's name when passed on)."""

    step: str
    at: str
    by: str | None
    team: str | None
    note: str
    comment: Quoted


@dataclass(frozen=True)
class Week:
    """An ISO week (its days inside the period only): median time to answer and kinds."""

    week: str  # "2026-W45"
    starts: str  # its Monday, "2026-11-02"
    answered: int
    median_seconds: int | None
    kinds: dict[str, int]


@dataclass(frozen=True)
class Report:
    period: Period
    generated_at: str
    kinds: dict[str, int]  # the configured kinds in order, others seen, then "untagged"
    blog: figures.MonthFigures
    authors: dict[str, figures.MonthFigures]  # authors with reader comments in the period
    open_items: list[Quoted]  # the oldest OPEN_QUOTED, or every one when asked
    open_count: int
    steps: list[Step]
    new_readers: int
    returning_readers: int
    weeks: list[Week]

    def steps_of(self, name: str) -> list[Step]:
        return [step for step in self.steps if step.step == name]

    def as_dict(self) -> dict:
        blog = self.blog
        return {
            "since": self.period.since.isoformat(),
            "until": self.period.until.isoformat(),
            "label": self.period.label,
            "generated_at": self.generated_at,
            "kinds": self.kinds,
            "reader_comments": blog.received,
            "answered": blog.answered,
            "answered_privately": blog.answered_privately,
            **{name: len(self.steps_of(name)) for name in STEP_NAMES.values()},
            "figures": _figures_dict(blog),
            "authors": {name: _figures_dict(theirs) for name, theirs in self.authors.items()},
            "open": [asdict(item) for item in self.open_items],
            "follow_ups": [asdict(step) for step in self.steps],
            "new_readers": self.new_readers,
            "returning_readers": self.returning_readers,
            "weeks": [asdict(week) for week in self.weeks],
        }


def _figures_dict(month: figures.MonthFigures) -> dict:
    return {
        "received": month.received,
        "answered": month.answered,
        "answered_privately": month.answered_privately,
        "no_answer_needed": month.no_answer_needed,
        "waiting": month.waiting,
        "share_answered": month.share_answered,
        "share_answered_publicly": month.share_answered_publicly,
        "share_answered_privately": month.share_answered_privately,
        "median_seconds": month.median_seconds,
        "p90_seconds": month.p90_seconds,
    }


def build(
    period: Period,
    now: datetime,
    kinds: tuple[str, ...],
    urls: ServiceUrls,
    viewer: Staff | None = None,
    *,
    open_kinds: OpenKinds,
    every_open_item: bool = False,
) -> Report:
    """The report of ``period``, as the comments and their answers stand at ``now``.

    ``kinds`` orders the counts; ``open_kinds`` says which kinds stay open until settled.
    For a ``viewer`` (the moderation page) it quotes only the comments they may open
    (``queries.for_staff``, the rule of each comment's thread page); the figures are the
    whole blog's for everyone, as on the About page. Without one (the command, the
    monthly mail to ``PORCH_REPORT_TO``) it quotes every comment. It quotes the
    OPEN_QUOTED oldest open items and counts the others, or quotes them all
    (``every_open_item``, for JSON).
    """
    counted = figures.period_figures(period.start, period.end, period.label, now)
    kind_rows = db.session.execute(week_kinds(period.since, period.until)).all()
    order = _kind_order(kinds, kind_rows)
    links = _Links(urls)
    readers = db.session.execute(readers_in(period.start, period.end)).one()
    still_open = _narrowed(open_items(*_span(period), open_kinds), viewer)
    if every_open_item:
        open_quoted = [links.quoted(c) for c in db.session.scalars(still_open)]
        open_count = len(open_quoted)
    else:
        open_count, oldest = _oldest_open(still_open)
        open_quoted = [links.quoted(c) for c in db.session.scalars(quoted_items(oldest))]
    return Report(
        period=period,
        generated_at=iso(now),
        kinds=_count_kinds(kind_rows, order),
        blog=counted.blog,
        authors=counted.authors,
        open_items=open_quoted,
        open_count=open_count,
        steps=[
            _step(a, links)
            for a in db.session.scalars(_narrowed(follow_up_steps(*_span(period)), viewer))
        ],
        new_readers=readers.new,
        returning_readers=readers.readers - readers.new,
        weeks=_weeks(period, counted.weeks, kind_rows, order),
    )


def _oldest_open(still_open: Select) -> tuple[int, list[int]]:
    """How many open items there are, and the ids of the OPEN_QUOTED oldest: one statement
    that reads the period's rows of ix_comments_counted alone (it holds the ids)."""
    rows = db.session.execute(
        still_open.with_only_columns(Comment.id, func.count().over()).limit(OPEN_QUOTED)
    ).all()
    return (rows[0][1] if rows else 0), [row[0] for row in rows]


def _narrowed(query: Select, viewer: Staff | None) -> Select:
    """A query about comments, narrowed to what the viewer may open."""
    return query if viewer is None else for_staff(query, viewer)


def _span(period: Period) -> tuple[datetime, datetime]:
    return period.start, period.end


def _kind_order(kinds: tuple[str, ...], kind_rows) -> list[str]:
    """The kinds of the setting, then kinds no longer in it that comments still have."""
    others = sorted({row.kind for row in kind_rows if row.kind and row.kind not in kinds})
    return [*kinds, *others, UNTAGGED]


def _count_kinds(kind_rows, order: list[str]) -> dict[str, int]:
    """The comments of each kind in ``order``, from rows (kind, received) of
    queries.week_kinds."""
    counts = Counter()
    for row in kind_rows:
        counts[row.kind or UNTAGGED] += row.received
    return {kind: counts[kind] for kind in order}


def _weeks(
    period: Period, counted: dict[date, figures.MonthFigures], kind_rows, order: list[str]
) -> list[Week]:
    """Every ISO week the period touches, each with the period's comments of its days."""
    monday = period.since - timedelta(days=period.since.weekday())
    kinds_of = defaultdict(list)
    for row in kind_rows:
        kinds_of[row.week].append(row)
    weeks = []
    while monday < period.until:
        key = figures.week_key(monday)
        week = counted.get(monday)  # none: no comment came in that week
        answered, median = (week.answered, week.median_seconds) if week else (0, None)
        kinds = _count_kinds(kinds_of[monday], order)
        weeks.append(Week(key, monday.isoformat(), answered, median, kinds))
        monday += timedelta(days=7)
    return weeks


class _Links:
    """Where a cited comment is read: on the blog, and in its moderation thread."""

    def __init__(self, urls: ServiceUrls):
        self.urls = urls

    def quoted(self, comment: Comment) -> Quoted:
        return Quoted(
            id=comment.id,
            kind=comment.kind,
            author_name=comment.author_name,
            post_title=comment.post.title,
            created_at=iso(comment.created_at),
            quote=quote(comment.body_markdown),
            link=self.urls("links.permalink", comment_id=comment.id),
            thread=self.urls("moderation.thread", f"comment-{comment.id}", comment_id=comment.id),
            follow_up=comment.follow_up and comment.follow_up.value,
            team=comment.follow_up_team,
        )


def _step(action: ModerationAction, links: _Links) -> Step:
    """A follow-up step from the audit trail; a pass-on's reason reads "to TEAM: note"."""
    team, note = None, action.reason or ""
    if action.action == Decision.PASS_ON:
        team, _, note = note.removeprefix("to ").partition(": ")
    return Step(
        step=STEP_NAMES[action.action],
        at=iso(action.created_at),
        by=action.staff and action.staff.name,
        team=team,
        note=note,
        comment=links.quoted(action.comment),
    )


def quote(text: str) -> str:
    """The opening of a comment as plain words: whitespace folded, at most QUOTE_CHARS
    characters, cut at a word with "…" when it is longer."""
    words = re.sub(r"\s+", " ", text).strip()
    if len(words) <= QUOTE_CHARS:
        return words
    cut = words[: QUOTE_CHARS - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(",;:.") + "…"
