"""How fast are the Readers view and a reader's page at 10,000 and at 1,000,000 comments?

Uses the data-scale bench's databases (bench/data_scale.py, same PORCH_BENCH_DATABASE_URL):
generates both unless ``--reuse``, then times, through the app, for the admin and for an
author: the Readers view, a search, its page 2, and one reader's page (p50 of 10 after a
warm-up).

    PORCH_BENCH_DATABASE_URL=... .venv/bin/python bench/readers_pages.py [--reuse]
"""

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from data_scale import (  # noqa: E402
    LARGE,
    SMALL,
    bench_app,
    database_urls,
    generate,
    get_ok,
    migrate,
    percentile,
    recreate,
    sign_in,
    timed_calls,
)

REPEATS = 10
PEOPLE = (("admin", "root@bench.test"), ("author", "ana@bench.test"))
SEARCH = "reader12"


def measure(url: str) -> dict[str, float]:
    """p50 milliseconds of each page, for the admin and for the author."""
    app = bench_app(url)
    figures = {}
    for role, email in PEOPLE:
        client = app.test_client()
        sign_in(client, email)
        view = client.get("/moderation/readers").get_data(as_text=True)
        key = re.search(r'href="/moderation/readers/([^"?]+)"', view).group(1)
        for name, path in (
            ("Readers view", "/moderation/readers"),
            ("search", f"/moderation/readers?q={SEARCH}"),
            ("page 2", "/moderation/readers?page=2"),
            ("a reader's page", f"/moderation/readers/{key}"),
        ):
            call = get_ok(client, path)
            call()
            figures[f"{name}, {role}"] = percentile(timed_calls(call, REPEATS), 50)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="Keep both databases' rows.")
    args = parser.parse_args()
    large_url, small_url = database_urls()
    figures = {}
    for url, size in ((small_url, SMALL), (large_url, LARGE)):
        if args.reuse:
            migrate(url)
        else:
            recreate(url)
            generate(url, size)
        figures[size] = measure(url)
    for name in figures[LARGE]:
        small, large = figures[SMALL][name], figures[LARGE][name]
        print(f"{name} | {large:.1f} ms | {small:.1f} ms | {large / small:.2f}")


if __name__ == "__main__":
    main()
