"""Where one cached thread read spends its time: cProfile over N reads in process.

    .venv/bin/python bench/profile_read.py [N] [--flask]   # BENCH_DATABASE_URL: PostgreSQL

``--flask`` turns the replay in front of Flask off (PORCH_REPLAY_THREADS=false).

The reads go through the whole WSGI app (as gunicorn calls it) with Werkzeug's test
client, on the bench thread (bench/thread_listing.py), after one read warms the cache.
Prints the microseconds per read and the functions that take the most of it.
"""

import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from werkzeug.test import Client  # noqa: E402

from bench.servers import BLOG  # noqa: E402
from bench.thread_listing import THREAD, porch_database, porch_database_open, seed_porch  # noqa: E402
from comments_service import create_app  # noqa: E402


def main(reads: int, replay: bool) -> None:
    url = porch_database("profile")
    with porch_database_open(url):
        seed_porch()
    app = create_app(
        {"PORCH_DATABASE_URL": url, "PORCH_SECRET_KEY": "bench", "PORCH_BLOG_URL": BLOG,
         "RATELIMIT_ENABLED": False, "PORCH_REPLAY_THREADS": replay}
    )  # fmt: skip
    client = Client(app)
    assert client.get(THREAD).status_code == 200
    started = time.perf_counter()
    for _ in range(reads):
        client.get(THREAD)
    plain = (time.perf_counter() - started) / reads
    profile = cProfile.Profile()
    profile.runcall(lambda: [client.get(THREAD) for _ in range(reads)])
    print(f"{plain * 1e6:.0f} µs per read unprofiled ({url.split(':')[0]}, {reads} reads)")
    pstats.Stats(profile).sort_stats("cumulative").print_stats(45)


if __name__ == "__main__":
    numbers = [arg for arg in sys.argv[1:] if arg.isdigit()]
    main(int(numbers[0]) if numbers else 1000, "--flask" not in sys.argv)
