"""Where one comment post spends its CPU: cProfile of N posts through the WSGI app.

    .venv/bin/python bench/profile_posting.py [N]        # SQLite in var/bench
    BENCH_DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/profile_posting.py

The database is the Posting section's (the bench post, its author's account, the
thread); no spam check, publish policy. Prints CPU ms per post with and without the
profiler, what the outbox's sender then spends per comment event (the staff mails it
writes out of the request), and the profile by cumulative and by own time.
"""

import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.servers import WORK  # noqa: E402
from bench.thread_listing import BLOG, porch_database, porch_database_open, seed_porch  # noqa: E402
from comments_service import create_app  # noqa: E402
from comments_service.services.mail.events import Notices, expand_pending  # noqa: E402


def main(posts: int) -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    url = porch_database("profile")
    with porch_database_open(url):
        seed_porch()
    app = create_app(
        {
            "PORCH_DATABASE_URL": url,
            "PORCH_SECRET_KEY": "bench",
            "PORCH_BLOG_URL": BLOG,
            "PORCH_MIN_FILL_SECONDS": 0,
            "RATELIMIT_ENABLED": False,
        }
    )
    client = app.test_client()

    def post(n: int) -> None:
        body = {"author_name": f"Reader {n}", "body": f"Comment {n}, with *some* text."}
        answer = client.post("/api/posts/bench/comments", json=body, headers={"Origin": BLOG})
        assert answer.status_code == 201, answer.get_data(as_text=True)

    for n in range(20):  # warm the caches and the pool
        post(n)
    profile = cProfile.Profile(time.process_time)
    started = time.process_time()
    profile.enable()
    for n in range(posts):
        post(1_000 + n)
    profile.disable()
    profiled = (time.process_time() - started) / posts * 1000
    started = time.process_time()
    for n in range(posts):
        post(100_000 + n)
    plain = (time.process_time() - started) / posts * 1000
    print(f"CPU per post: {plain:.1f} ms ({profiled:.1f} ms under cProfile)")
    with app.app_context():
        started = time.process_time()
        expanded = expand_pending(Notices.for_app(app), app.config["PORCH_MAIL_BATCH_SIZE"])
        spent = (time.process_time() - started) / expanded * 1000
    print(f"CPU per comment event the sender expands afterwards: {spent:.1f} ms ({expanded})")
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats(60)
    stats.sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
