"""How fast the service reads a thread, against a floor measured in the same run.

Builds a throwaway SQLite database with one post holding a thread of N comments
(a quarter of them staff answers, nested up to four deep), then times
``GET /api/posts/<slug>/comments`` through the WSGI app, and ``GET /healthz`` (one
trivial query: the cost of Flask plus a database round trip) as the baseline.

    .venv/bin/python bench/thread_read.py [--comments 50 200 1000] [--seconds 2]
"""

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask_migrate import upgrade

from comments_service import create_app
from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus, Post, PostAuthor, Role, Staff


def seed(slug: str, size: int) -> None:
    name = f"Author of {slug}"
    staff = Staff(name=name, email=f"{slug}@bench.test", role=Role.AUTHOR, password_hash="x")
    post = Post(slug=slug, title=slug, path=f"/{slug}/", authors=[PostAuthor(name=name)])
    db.session.add_all([staff, post])
    start = datetime.now(UTC) - timedelta(days=1)
    recent: list[Comment] = []
    for i in range(size):
        parent = recent[-1] if recent and i % 4 else None
        is_staff = i % 4 == 3
        comment = Comment(
            post=post,
            parent=parent,
            staff=staff if is_staff else None,
            author_name=name if is_staff else f"Reader {i}",
            body_markdown="Some words.",
            body_html="<p>Some words, <em>rendered</em>.</p>",
            status=CommentStatus.APPROVED,
            created_at=start + timedelta(seconds=i),
        )
        db.session.add(comment)
        recent = [comment] if parent is None else recent + [comment]
    db.session.commit()


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, nargs="+", default=[50, 200, 1000])
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "PORCH_DATABASE_URL": f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
                "PORCH_SECRET_KEY": "bench",
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            upgrade()
            for size in args.comments:
                seed(f"thread-{size}", size)
            db.engine.dispose()
        client = app.test_client()
        baseline = report("GET /healthz", timed(client, "/healthz", args.seconds), None)
        for size in args.comments:
            path = f"/api/posts/thread-{size}/comments"
            report(f"GET thread of {size}", timed(client, path, args.seconds), baseline)


if __name__ == "__main__":
    main()
