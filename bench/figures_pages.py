"""The answer-time figures alone, on databases data_scale.py generated (already there).

Times, through the app, p50 of 10 after one call to warm up, wall and CPU (this
process's): the dashboard ``GET /moderation/figures`` as an author and as an admin,
``flask stats`` and ``flask stats --json`` (Flask's CLI runner, in process), and
``figures.compute`` at data_scale.NOW, when now's month is full (the generated
comments end on that day, so the real clock's month may hold none).

    .venv/bin/python bench/figures_pages.py URL [URL...]
    .venv/bin/python bench/figures_pages.py --profile URL   # cProfile of the admin's page
"""

import argparse
import cProfile
import pstats
import sys
import time
from datetime import UTC
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from data_scale import NOW, SIGNED_IN, _cli, bench_app, get_ok, percentile, sign_in  # noqa: E402

from comments_service.extensions import db  # noqa: E402
from comments_service.services.report import figures  # noqa: E402

REPEATS = 10


def calls(app) -> dict:
    """Each measure's call, by name."""
    named = {}
    for who, email in SIGNED_IN.items():
        client = app.test_client()
        sign_in(client, email)
        named[f"figures ({who})"] = get_ok(client, "/moderation/figures")
    named["flask stats"] = _cli(app, ["stats"])
    named["flask stats --json"] = _cli(app, ["stats", "--json"])
    named["compute at data_scale.NOW"] = _compute_at(app)
    return named


def _compute_at(app):
    def call():
        with app.app_context():
            figures.compute(NOW.replace(tzinfo=UTC))
            db.session.commit()

    return call


def timed(call) -> tuple[float, float]:
    """p50 milliseconds of REPEATS calls: wall, and this process's CPU."""
    wall, cpu = [], []
    for _ in range(REPEATS):
        began, began_cpu = time.perf_counter(), time.process_time()
        call()
        wall.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    return percentile(wall, 50), percentile(cpu, 50)


def measure(url: str) -> None:
    app = bench_app(url)
    for name, call in calls(app).items():
        call()  # warm the pool, the caches and the kept percentiles
        wall, cpu = timed(call)
        print(f"{url.rsplit('/', 1)[-1]}\t{name}\t{wall:.1f} ms\tCPU {cpu:.1f} ms", flush=True)
    with app.app_context():
        db.engine.dispose()


def profile(url: str) -> None:
    call = calls(bench_app(url))["figures (admin)"]
    call()
    profiler = cProfile.Profile()
    profiler.runcall(lambda: [call() for _ in range(5)])
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="+", help="SQLAlchemy URLs of generated databases")
    parser.add_argument("--profile", action="store_true", help="cProfile the admin's page")
    arguments = parser.parse_args()
    for url in arguments.urls:
        if arguments.profile:
            profile(url)
        else:
            measure(url)


if __name__ == "__main__":
    main()
