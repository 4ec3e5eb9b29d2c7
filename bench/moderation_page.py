"""How fast the moderation page renders a big queue, against a floor measured in the same run.

Builds a throwaway database with N reader comments spread over 20 posts (most
waiting for an answer, some held, in spam, deleted or answered), signs an admin
in, then times each tab of ``/moderation/`` (first and a deep page, a search)
through the WSGI app, with ``GET /healthz`` as the baseline.

    .venv/bin/python bench/moderation_page.py [--comments 10000] [--seconds 2]
    .venv/bin/python bench/moderation_page.py --database-url postgresql+psycopg://.../db

A PostgreSQL database given with --database-url has its public schema dropped first.
"""

import argparse
import re
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import insert, text

from comments_service import create_app
from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus, Post, PostAuthor, Role, Staff
from comments_service.services.accounts.passwords import hash_password

PASSWORD = "bench password"
POSTS = 20
# One in ten comments is held, one in ten spam, one in twenty deleted, one in five answered.
MIX = [CommentStatus.PENDING, CommentStatus.SPAM] + [CommentStatus.APPROVED] * 7


def timed(client, path: str, seconds: float, max_requests: int = 20_000) -> list[float]:
    """Per-request seconds, for at most ``seconds`` of wall time and max_requests calls."""
    samples = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline and len(samples) < max_requests:
        began = time.perf_counter()
        response = client.get(path)
        samples.append(time.perf_counter() - began)
        assert response.status_code == 200, response.status_code
    return samples


def report(label: str, samples: list[float], baseline: float | None) -> float:
    median = statistics.median(samples)
    p95 = statistics.quantiles(samples, n=20)[-1]
    ratio = f"{median / baseline:6.1f}x baseline" if baseline else "  (baseline)"
    print(
        f"{label:<28} median {median * 1000:7.2f} ms   p95 {p95 * 1000:7.2f} ms   "
        f"{1 / median:8.0f} req/s   {ratio}   n={len(samples)}"
    )
    return median


def seed(size: int) -> None:
    admin = Staff(name="Root", email="root@bench.test", role=Role.ADMIN)
    admin.password_hash = hash_password(PASSWORD)
    posts = [
        Post(
            slug=f"post-{i}",
            title=f"Post {i}",
            path=f"/post-{i}/",
            authors=[PostAuthor(name="Ana")],
        )
        for i in range(POSTS)
    ]
    db.session.add_all([admin, *posts])
    db.session.flush()
    start = datetime.now(UTC) - timedelta(days=30)
    rows = [_row(i, posts[i % POSTS].id, start + timedelta(minutes=i)) for i in range(size)]
    db.session.execute(insert(Comment), rows)
    db.session.commit()


def _row(i: int, post_id: int, created: datetime) -> dict:
    status = CommentStatus.DELETED if i % 20 == 19 else MIX[i % len(MIX)]
    answered = created + timedelta(hours=1) if i % 5 == 4 else None
    return dict(
        post_id=post_id,
        author_name=f"Reader {i}",
        author_email=f"reader{i}@example.org",
        body_markdown=f"Question number {i}: how does the offline mode work?",
        body_html=f"<p>Question number {i}: how does the offline mode work?</p>",
        status=status,
        created_at=created,
        published_at=created if status == CommentStatus.APPROVED else None,
        answered_at=answered if status == CommentStatus.APPROVED else None,
        remote_addr=f"203.0.113.{i % 250}",
    )


def sign_in(client) -> None:
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {"email": "root@bench.test", "password": PASSWORD, "csrf_token": token}
    assert client.post("/auth/login", data=data).status_code == 303


def fresh_app(database_url: str | None, folder: str):
    url = database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
    app = create_app(
        {"PORCH_DATABASE_URL": url, "PORCH_SECRET_KEY": "bench", "RATELIMIT_ENABLED": False}
    )
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
    return app


PAGES = [
    ("Waiting, first page", "/moderation/"),
    ("Waiting, page 50", "/moderation/?page=50"),
    ("Held", "/moderation/?view=held"),
    ("Spam", "/moderation/?view=spam"),
    ("All, page 100", "/moderation/?view=all&page=100"),
    ("Search by email", "/moderation/?view=all&q=reader77%40example"),
    ("One post", "/moderation/?view=all&post=post-7"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = fresh_app(args.database_url, folder)
        with app.app_context():
            seed(args.comments)
        client = app.test_client()
        sign_in(client)
        backend = app.config["PORCH_DATABASE_URL"].split(":")[0]
        print(f"{args.comments} comments on {POSTS} posts, {backend}")
        baseline = report("GET /healthz", timed(client, "/healthz", args.seconds), None)
        for label, path in PAGES:
            report(label, timed(client, path, args.seconds), baseline)
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
