"""Do the answer-time figures stay as fast with 1,000,000 comments as with 10,000?

Uses data_scale's two databases (generated the same way, see bench/data_scale.py) and
times, through the app: the dashboard ``GET /moderation/figures``, the report page
``GET /moderation/report`` (the last full month), and the commands ``flask stats`` and
``flask report`` (through Flask's CLI runner, in process).

    PORCH_BENCH_DATABASE_URL=... .venv/bin/python bench/figures_scale.py
    PORCH_BENCH_DATABASE_URL=... .venv/bin/python bench/figures_scale.py --reuse

``--reuse`` keeps both databases' rows and only migrates them.
"""

import argparse
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

from comments_service.extensions import db  # noqa: E402

REPEATS = 10


def measure(url: str) -> dict[str, float]:
    """Median milliseconds of each figures call on this database."""
    app = bench_app(url)
    admin = app.test_client()
    sign_in(admin, "root@bench.test")
    runner = app.test_cli_runner()
    calls = {
        "dashboard figures": get_ok(admin, "/moderation/figures"),
        "report page": get_ok(admin, "/moderation/report"),
        "flask stats": _command(runner, ["stats"]),
        "flask report": _command(runner, ["report", "--format", "json"]),
    }
    timings = {}
    for name, call in calls.items():
        call()  # warm the pool and the caches
        timings[f"{name} p50"] = percentile(timed_calls(call, REPEATS), 50)
    with app.app_context():
        db.engine.dispose()
    return timings


def _command(runner, args: list[str]):
    def call():
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output

    return call


def run(reuse: bool) -> None:
    large_url, small_url = database_urls()
    figures = {}
    for url, size in ((small_url, SMALL), (large_url, LARGE)):
        if reuse:
            migrate(url)
        else:
            recreate(url)
            generate(url, size)
        figures[size] = measure(url)
    for name, large in figures[LARGE].items():
        small = figures[SMALL][name]
        print(f"{name} | {large:.1f} ms | {small:.1f} ms | {large / small:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="Keep the rows; migrate only.")
    run(parser.parse_args().reuse)


if __name__ == "__main__":
    main()
