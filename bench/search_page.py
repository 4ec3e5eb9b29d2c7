"""The moderation page's search alone, on databases data_scale.py generated (already there).

Times ``STAFF_PAGES["search"]`` (or another search, ``--words``) through the app as the
author and as the admin of ``SIGNED_IN``, p50 of 20 after one call to warm up: wall,
and this process's CPU. With several URLs, each round measures every database in turn,
so a machine whose load changes meanwhile weighs on each of them alike.

    .venv/bin/python bench/search_page.py URL [URL...]
    .venv/bin/python bench/search_page.py --rounds 3 URL_BIG URL_SMALL
    .venv/bin/python bench/search_page.py --words "Reader 424" URL_BIG
    .venv/bin/python bench/search_page.py --profile URL     # cProfile of the author's page
"""

import argparse
import cProfile
import pstats
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from data_scale import SIGNED_IN, STAFF_PAGES, bench_app, get_ok, percentile, sign_in  # noqa: E402

from comments_service.extensions import db  # noqa: E402

REPEATS = 20


def signed_in_calls(app, path: str) -> dict:
    """The search page's call for each person signed in, by who they are."""
    named = {}
    for who, email in SIGNED_IN.items():
        client = app.test_client()
        sign_in(client, email)
        named[who] = get_ok(client, path)
    return named


def search_path(words: str | None) -> str:
    if words is None:
        return STAFF_PAGES["search"]
    return "/moderation/?" + urllib.parse.urlencode({"view": "all", "q": words})


def timed(call, repeats: int) -> tuple[float, float]:
    """p50 milliseconds of ``repeats`` calls: wall, and this process's CPU."""
    wall, cpu = [], []
    for _ in range(repeats):
        began, began_cpu = time.perf_counter(), time.process_time()
        call()
        wall.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    return percentile(wall, 50), percentile(cpu, 50)


def measure(urls: list[str], rounds: int, path: str, repeats: int) -> None:
    apps = {url: bench_app(url) for url in urls}
    calls = {url: signed_in_calls(app, path) for url, app in apps.items()}
    for _ in range(rounds):
        for url, named in calls.items():
            for who, call in named.items():
                call()  # warm the pool and the caches
                wall, cpu = timed(call, repeats)
                database = url.rsplit("/", 1)[-1]
                print(f"{database}\tsearch ({who})\t{wall:.1f} ms\tCPU {cpu:.1f} ms", flush=True)
    for app in apps.values():
        with app.app_context():
            db.engine.dispose()


def profile(url: str, path: str) -> None:
    call = signed_in_calls(bench_app(url), path)["author"]
    call()
    profiler = cProfile.Profile()
    profiler.runcall(lambda: [call() for _ in range(REPEATS)])
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(50)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="+", help="SQLAlchemy URLs of generated databases")
    parser.add_argument("--rounds", type=int, default=1, help="measure every database again")
    parser.add_argument("--words", help="search for these instead of STAFF_PAGES' words")
    parser.add_argument("--repeats", type=int, default=REPEATS, help="calls timed per p50")
    parser.add_argument("--profile", action="store_true", help="cProfile the author's page")
    arguments = parser.parse_args()
    path = search_path(arguments.words)
    if arguments.profile:
        for url in arguments.urls:
            profile(url, path)
    else:
        measure(arguments.urls, arguments.rounds, path, arguments.repeats)


if __name__ == "__main__":
    main()
