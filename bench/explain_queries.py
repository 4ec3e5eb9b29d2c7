"""The plans PostgreSQL picks for the service's busiest queries (docs/indexes.md).

Each query is built by the service's own code and run under
``EXPLAIN (ANALYZE, BUFFERS)`` on a database ``bench/data_scale.py`` generated:

    .venv/bin/python bench/data_scale.py --explain [--reuse]
"""

from flask import current_app
from sqlalchemy import func, select, text
from sqlalchemy.dialects import postgresql

from comments_service.config import open_kinds
from comments_service.enums import View
from comments_service.extensions import db
from comments_service.models import BLOG_SCOPE, Comment, OutboxMessage, Post, Staff, utcnow
from comments_service.moderation.routes import COUNTED_UP_TO, FOUND_BY_ID
from comments_service.queries.care import for_staff, unanswered_for
from comments_service.queries.figures import (
    band_revisions,
    kept_percentiles,
    period_percentiles,
    week_counts,
    week_kinds,
    week_medians,
)
from comments_service.queries.listening import open_items, readers_in
from comments_service.queries.listings import among, count_of, count_up_to, search_lookup
from comments_service.queries.public import public_comment_rows, removed_comment_rows
from comments_service.queries.states import VIEWS
from comments_service.services.mail.outbox import _claimable
from comments_service.services.report.build import last_full_month
from comments_service.services.report.figures import PERCENTS


def _ana() -> Staff:
    return db.session.scalar(select(Staff).where(Staff.name == "Ana Lima"))


def queries(now) -> dict:
    """The query of each hot path, as the service builds it."""
    ana = _ana()
    post_id = db.session.scalar(select(func.max(Post.id))) // 2  # a post in the middle
    slug = db.session.get(Post, post_id).slug
    waiting = unanswered_for(ana, now)
    return {
        "thread listing (public rows of one post)": public_comment_rows().where(
            Comment.post_id == post_id
        ),
        "thread listing (removed places of one post)": removed_comment_rows().where(
            Comment.post_id == post_id
        ),
        "post by slug": select(Post).where(Post.slug == slug),
        "post version": select(Post.comments_version).where(Post.id == post_id),
        "author's waiting queue, count": count_of(waiting),
        "author's waiting queue, first page": waiting.limit(50),
        "tab held (author), count": count_of(for_staff(VIEWS[View.HELD](), ana)),
        "tab spam (admin), first page": VIEWS[View.SPAM]().limit(50),
        "tab all (author), count": count_of(for_staff(VIEWS[View.ALL](), ana)),
        **_search(ana, SEARCHED),
        **_report(last_full_month(now)),
        "outbox claim": _outbox_pick(now),
        "export (every public row)": public_comment_rows(),
    }


# What data_scale.STAFF_PAGES searches for: one comment's own words.
SEARCHED = "Comment 4242:"


def _search(staff: Staff, words: str) -> dict:
    """The moderation page's search: its one lookup of the words, then a count of a tab
    narrowed to the ids it found (``listings.found_by``)."""
    found = db.session.scalars(search_lookup(words, FOUND_BY_ID)).all()
    held = among(for_staff(VIEWS[View.HELD](), staff), found)
    return {
        f"search {words!r}, the lookup": search_lookup(words, FOUND_BY_ID),
        f"search {words!r}, tab held (author), count": count_up_to(held, COUNTED_UP_TO),
    }


def _report(period) -> dict:
    """The statements of the report "What readers told us" over the last full month."""
    since, until = period.start, period.end
    kinds = open_kinds(current_app.config)
    month = (period.since, period.since)
    return {
        "report: counts per scope and week": week_counts(period.since, period.until),
        "report: kinds per week": week_kinds(period.since, period.until),
        "report: weeks' medians": week_medians(since, until),
        "report: the month's kept percentiles, revisions": band_revisions(month, [BLOG_SCOPE]),
        "report: the month's kept percentiles": kept_percentiles(month, [BLOG_SCOPE]),
        "report: percentiles of any other period": period_percentiles(since, until, PERCENTS),
        "report: readers": readers_in(since, until),
        "report: open items, count": count_of(open_items(since, until, kinds)),
        "report: open items, count (author)": count_of(
            for_staff(open_items(since, until, kinds), _ana())
        ),
    }


def _outbox_pick(now):
    return (
        select(OutboxMessage.id)
        .where(*_claimable(now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )


def print_plans(app) -> None:
    with app.app_context():
        for name, query in queries(utcnow()).items():
            compiled = query.compile(
                dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
            )
            plan = db.session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}")).scalars()
            print(f"\n## {name}\n")
            print("\n".join(plan))
            db.session.rollback()
        db.engine.dispose()
