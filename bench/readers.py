"""How long the Readers view and the queue's first-comment mark take on a big blog.

Builds a throwaway database with N published reader comments from N/5 readers (four in
five give an email, typed in varied letter case; the rest only a name) on 50 posts, then
times, as the pages run them: the first page of readers, a search, one reader's
comments, and a page of the waiting queue with each comment's first-comment mark.
On PostgreSQL it also prints the plan of the queue page.

    .venv/bin/python bench/readers.py [--comments 100000]
    .venv/bin/python bench/readers.py --database-url postgresql+psycopg://.../db

A PostgreSQL database given with --database-url has its public schema dropped first.
"""

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import insert, text
from sqlalchemy.orm import with_expression

from comments_service import create_app
from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus, Post, PostAuthor, ReaderSummary
from comments_service.queries.states import unanswered
from comments_service.services.moderation.reader_summaries import rebuild_all
from comments_service.services.moderation.readers import (
    comments_of,
    is_first_comment,
    published_comments,
    summaries,
)

POSTS = 50
KINDS = ("question", "idea", "problem", "praise")
PAGE = 50
RUNS = 5


def seed(size: int) -> None:
    posts = [
        Post(
            slug=f"post-{i}",
            title=f"Post {i}",
            path=f"/post-{i}/",
            authors=[PostAuthor(name="Ana")],
        )
        for i in range(POSTS)
    ]
    db.session.add_all(posts)
    db.session.flush()
    start = datetime.now(UTC) - timedelta(days=365)
    rows = [
        _row(i, posts[i % POSTS].id, start + timedelta(minutes=i), size // 5) for i in range(size)
    ]
    for chunk in range(0, size, 10_000):
        db.session.execute(insert(Comment), rows[chunk : chunk + 10_000])
    rebuild_all(db.session.connection())  # bulk inserts pass the flush hook by
    db.session.commit()


def _row(i: int, post_id: int, created: datetime, readers_count: int) -> dict:
    reader = (i * 7919) % readers_count
    email = f"Reader{reader}@Example.com" if i % 2 else f"reader{reader}@example.com"
    return {
        "post_id": post_id,
        "author_name": f"Reader {reader}",
        "author_email": email if reader % 5 else None,
        "body_markdown": "text",
        "body_html": "<p>text</p>",
        "status": CommentStatus.APPROVED,
        "created_at": created,
        "published_at": created,
        "kind": KINDS[i % 4] if i % 3 else None,
        "answered_at": created + timedelta(hours=1) if i % 4 else None,
    }


def timed(label: str, run) -> None:
    seconds = []
    for _ in range(RUNS):
        began = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - began)
    print(f"{label:<44} median {statistics.median(seconds) * 1000:8.1f} ms")


def measure() -> None:
    listing = summaries(ReaderSummary.EVERYONE)
    one = db.session.scalar(published_comments().where(Comment.author_email.is_not(None)).limit(1))
    queue = unanswered().options(with_expression(Comment.is_first_comment, is_first_comment()))
    page = queue.limit(PAGE)
    timed("readers, first page", lambda: db.session.scalars(listing.limit(PAGE)).all())
    timed(
        "readers, search 'reader12'",
        lambda: db.session.scalars(summaries(ReaderSummary.EVERYONE, "reader12").limit(PAGE)).all(),
    )
    timed(
        "one reader's comments",
        lambda: db.session.scalars(comments_of(published_comments(), one).limit(PAGE)).all(),
    )
    timed("waiting queue page with first-comment mark", lambda: db.session.scalars(page).all())
    first = sum(bool(c.is_first_comment) for c in db.session.scalars(page))
    print(f"first comments on the queue's first page: {first} of {PAGE}")
    if db.engine.dialect.name == "postgresql":
        plan = db.session.execute(
            text(
                "EXPLAIN ANALYZE "
                + str(page.compile(db.engine, compile_kwargs={"literal_binds": True}))
            )
        )
        print("\n".join(row[0] for row in plan))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        app = create_app({"PORCH_DATABASE_URL": url, "PORCH_SECRET_KEY": "bench"})
        with app.app_context():
            if url.startswith("postgresql"):
                with db.engine.begin() as connection:
                    connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            upgrade()
            seed(args.comments)
            if url.startswith("postgresql"):
                with db.engine.begin() as connection:
                    connection.execute(text("ANALYZE"))
            print(
                f"{args.comments} comments, {args.comments // 5} readers, {db.engine.dialect.name}"
            )
            measure()
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
