"""The counts the answer-time figures read (FigureDay, AnswerBandMonth) stay equal to a
recount from the comments after every kind of write, and so do the figures themselves,
the finished months' kept percentiles (KeptPercentile) included.

Random sequences of writes go through the real services: new comments and replies,
public answers, private answers, "no answer needed", approve, spam, delete, restore, not
spam (undo), a deleted answer, team edits, a post's authors changing, a reader's data
erased. After each sequence the kept rows are compared with a recount in Python, and
``figures.compute`` with the figures computed from the comments' rows.
"""

from collections import Counter, defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from comments_service.enums import CommentStatus, PrivateChannel, Role
from comments_service.extensions import db
from comments_service.models import (
    BLOG_SCOPE,
    AnswerBandMonth,
    Comment,
    FigureDay,
    ModerationAction,
    Post,
    PostAuthor,
    Staff,
)
from comments_service.queries.figures import figure_rows
from comments_service.services.comments.answers import record_answer
from comments_service.services.moderation import decisions
from comments_service.services.moderation.listening import answer_privately
from comments_service.services.moderation.rules import ModerationError
from comments_service.services.privacy.people import apply_erasure, plan_erasure
from comments_service.services.report import figures

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=45)  # the months of the writes are finished months then
AUTHORS = ("Ana Lima", "Ben Okafor", "Chloe Martin")
READERS = ("ada@example.org", "bo@example.org", "cy@example.org")
DECISIONS = {
    "approve": decisions.approve,
    "spam": decisions.mark_spam,
    "delete": decisions.delete,
    "restore": decisions.restore,
    "not_spam": decisions.mark_not_spam,
}
OPERATIONS = (
    "comment",
    "answer",
    "answer_privately",
    "dismiss",
    "edit",
    "authors",
    "erase",
    *DECISIONS,
)

# A write: its kind, which comment/post/reader it picks, an hour offset and a delay in
# seconds (answer times span seconds to weeks, across every band's width).
writes = st.lists(
    st.tuples(
        st.sampled_from(OPERATIONS),
        st.integers(0, 50),
        st.integers(-24 * 70, 24 * 2),
        st.one_of(st.integers(0, 700), st.integers(0, 90_000), st.integers(0, 3_000_000)),
    ),
    min_size=1,
    max_size=25,
)


@pytest.fixture
def blog(ctx):
    admin = Staff(name="Ana Lima", email="ana@porch.test", role=Role.ADMIN, password_hash="x")
    posts = [Post(slug=f"post-{n}", title=f"Post {n}", path=f"/post-{n}/") for n in range(3)]
    posts[0].authors = [PostAuthor(name="Ana Lima", position=0)]
    posts[1].authors = [PostAuthor(name=n, position=i) for i, n in enumerate(AUTHORS[:2])]
    db.session.add_all([admin, *posts])
    db.session.commit()
    return admin


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=writes)
def test_kept_counts_equal_a_recount_after_any_writes(blog, sequence):
    start_again()
    for write in sequence:
        apply(write, blog)
        db.session.commit()
        for now in (NOW, LATER):  # keeps the months' percentiles
            figures.compute(now, 5)
            db.session.commit()
    assert kept_days() == recounted_days()
    assert kept_bands() == recounted_bands()
    for now, months in ((NOW, 1), (NOW, 3), (LATER, 5)):
        assert figures.compute(now, months).as_dict() == from_rows(now, months)
    for since, until in PERIODS:
        assert period_figures(since, until) == period_from_rows(since, until)


def test_answer_seconds_are_whole_seconds_toward_zero(blog):
    post = db.session.scalars(select(Post)).first()
    created = datetime(2026, 11, 1, 10, 0, 0, 999_999, tzinfo=UTC)
    for after in (timedelta(microseconds=1), timedelta(seconds=59, microseconds=999_999)):
        reader = reader_comment(post, created)
        reader.answered_at = created + after
    db.session.commit()
    found = db.session.scalars(select(Comment.answer_seconds).order_by(Comment.id)).all()
    assert found == [0, 59]


# A report's periods: a calendar month, and days that cut weeks and months.
PERIODS = (
    (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)),
    (datetime(2026, 9, 17, tzinfo=UTC), datetime(2026, 11, 24, tzinfo=UTC)),
)


def period_figures(since: datetime, until: datetime) -> tuple:
    """A report's figures as the database counts them (services.report.figures)."""
    counted = figures.period_figures(since, until, "period", NOW)
    weeks = {key: (week.answered, week.median_seconds) for key, week in counted.weeks.items()}
    return counted.blog, counted.authors, weeks


def period_from_rows(since: datetime, until: datetime) -> tuple:
    """The same figures from the period's comments' rows, the definition they must keep
    (``month_figures``, less the oldest waiting comment the report does not show)."""
    rows = db.session.execute(figure_rows(since, until)).all()

    def of(theirs):
        return replace(figures.month_figures("period", theirs, NOW), oldest_waiting=None)

    by_week = defaultdict(list)
    for row in rows:
        created = row.created_at.astimezone(UTC).date()
        by_week[created - timedelta(days=created.weekday())].append(row)
    weeks = {}
    for monday, theirs in by_week.items():
        week = figures.month_figures(figures.week_key(monday), theirs, NOW)
        weeks[monday] = (week.answered, week.median_seconds)
    authors = {name: of(t) for name, t in figures.rows_by_author(rows).items() if t}
    return of(rows), authors, weeks


# The writes


def start_again() -> None:
    """No comments, and the posts' first authors: each example starts from the same blog.
    Deleting the comments is a write the kept counts follow too."""
    db.session.execute(delete(ModerationAction))
    db.session.execute(delete(Comment))
    posts = db.session.scalars(select(Post).order_by(Post.id)).all()
    posts[0].authors = [PostAuthor(name="Ana Lima", position=0)]
    posts[1].authors = [PostAuthor(name=n, position=i) for i, n in enumerate(AUTHORS[:2])]
    posts[2].authors = []
    db.session.commit()


def apply(write, staff: Staff) -> None:
    kind, pick, hours, seconds = write
    comments = db.session.scalars(select(Comment).order_by(Comment.id)).all()
    readers = [c for c in comments if c.is_reader]
    chosen = readers[pick % len(readers)] if readers else None
    try:
        if kind == "comment":
            posts = db.session.scalars(select(Post).order_by(Post.id)).all()
            parent = chosen if chosen and pick % 3 == 0 else None
            post = parent.post if parent else posts[pick % len(posts)]
            made = reader_comment(post, NOW + timedelta(hours=hours), parent, pick)
            made.status = CommentStatus.APPROVED if pick % 4 else CommentStatus.PENDING
        elif kind == "authors":
            post = db.session.scalars(select(Post).order_by(Post.id)).all()[pick % 3]
            names = [n for i, n in enumerate(AUTHORS) if (pick + hours) >> i & 1]
            post.authors = [PostAuthor(name=n, position=i) for i, n in enumerate(names)]
        elif chosen is None:
            return
        elif kind == "answer":
            answer(chosen, staff, timedelta(seconds=seconds))
        elif kind == "answer_privately":
            at = min(chosen.created_at + timedelta(seconds=seconds), NOW)
            answer_privately(chosen, staff, PrivateChannel.PHONE, "Called", at, NOW)
        elif kind == "dismiss":
            decisions.dismiss(chosen, staff, "Thanks only")
        elif kind == "edit":
            decisions.edit_comment(chosen, staff, "Edited words", "A typo")
        elif kind == "erase":
            apply_erasure(plan_erasure(READERS[pick % len(READERS)]), NOW)
        else:
            target = comments[pick % len(comments)]  # staff answers too: deleting one
            DECISIONS[kind](target, staff)  # makes its comment wait again
    except ModerationError:
        db.session.rollback()  # the state did not fit that decision: nothing changed


def reader_comment(post: Post, created: datetime, parent=None, pick: int = 0) -> Comment:
    comment = Comment(
        post=post,
        parent=parent,
        author_name="Reader",
        author_email=READERS[pick % len(READERS)],
        body_markdown="A question",
        body_html="<p>A question</p>",
        status=CommentStatus.APPROVED,
        created_at=created,
        published_at=created,
    )
    db.session.add(comment)
    return comment


def answer(parent: Comment, staff: Staff, after: timedelta) -> None:
    made = Comment(
        post_id=parent.post_id,
        parent=parent,
        staff=staff,
        author_name=staff.name,
        body_markdown="An answer",
        body_html="<p>An answer</p>",
        status=CommentStatus.APPROVED,
        created_at=parent.created_at + after,
        published_at=parent.created_at + after,
    )
    db.session.add(made)
    record_answer(made)


# The recount


def counted_comments():
    """Each published reader comment, with every scope it counts for."""
    names = defaultdict(list)
    for post_id, name in db.session.execute(select(PostAuthor.post_id, PostAuthor.name)):
        names[post_id].append(name)
    query = select(Comment).where(
        Comment.staff_id.is_(None), Comment.status == CommentStatus.APPROVED
    )
    for comment in db.session.scalars(query):
        assert comment.answer_seconds == (
            None
            if comment.answered_at is None
            else int((comment.answered_at - comment.created_at).total_seconds())
        )
        for scope in (BLOG_SCOPE, *names[comment.post_id]):
            yield scope, comment


def recounted_days() -> dict:
    days = Counter()
    for scope, c in counted_comments():
        day = c.created_at.date()
        days[day, scope, "received"] += 1
        days[day, scope, "answered"] += c.answered_at is not None
        days[day, scope, "answered_privately"] += bool(c.answered_privately)
        days[day, scope, "waiting"] += bool(c.is_waiting)
        days[day, scope, "no_answer_needed"] += c.answered_at is None and not c.is_waiting
    return +days


def kept_days() -> dict:
    days = Counter()
    for row in db.session.scalars(select(FigureDay)):
        for name in ("received", "answered", "answered_privately", "waiting"):
            days[row.day, row.scope, name] += getattr(row, name)
        days[row.day, row.scope, "no_answer_needed"] += row.no_answer_needed
    return +days


def recounted_bands() -> dict:
    bands = Counter(
        (c.created_at.date().replace(day=1), scope, c.answer_band)
        for scope, c in counted_comments()
        if c.answered_at is not None
    )
    return +bands


def kept_bands() -> dict:
    rows = db.session.scalars(select(AnswerBandMonth))
    return +Counter({(row.month, row.scope, row.band): row.answered for row in rows})


def from_rows(now: datetime, months: int) -> dict:
    """The figures as computed from every comment's row, the definition they must keep."""
    keys = figures.last_months(now, months)
    rows = db.session.execute(figure_rows(figures.month_start(keys[0]), now)).all()

    def per_month(theirs) -> list:
        grouped = defaultdict(list)
        for row in theirs:
            grouped[figures.month_key(row.created_at)].append(row)
        return [figures.month_figures(key, grouped[key], now) for key in keys]

    return figures.Figures(
        months=keys,
        blog=per_month(rows),
        authors={name: per_month(t) for name, t in figures.rows_by_author(rows).items()},
        computed_at=figures.iso(now),
    ).as_dict()
