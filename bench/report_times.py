"""The report "What readers told us" alone, on databases data_scale.py generated: the
page as an author and as an admin, ``flask report`` and ``flask report --format json``
(the last full month), p50 of wall and CPU time after two warm-ups; ``--profile NAME``
then profiles three more calls of that one.

    .venv/bin/python bench/report_times.py postgresql+psycopg://postgres@127.0.0.1/porch_bench
    .venv/bin/python bench/report_times.py URL --profile "page (admin)"

CPU time is this process's (the app's Python); the rest of the wall time is mostly the
database's. Run it alternately on the databases compared: the machine may be shared.
"""

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from data_scale import SIGNED_IN, _cli, bench_app, get_ok, percentile, sign_in  # noqa: E402

from comments_service.extensions import db  # noqa: E402


def report_calls(app) -> dict:
    """Each way to the report, as a call that checks it succeeded."""
    calls = {}
    for who, email in SIGNED_IN.items():
        client = app.test_client()
        sign_in(client, email)
        calls[f"page ({who})"] = get_ok(client, "/moderation/report")
    calls["flask report"] = _cli(app, ["report"])
    calls["flask report json"] = _cli(app, ["report", "--format", "json"])
    return calls


def p50s(call, repeats: int) -> tuple[float, float]:
    """The median wall and CPU milliseconds of ``repeats`` calls."""
    wall, cpu = [], []
    for _ in range(repeats):
        began, began_cpu = time.perf_counter(), time.process_time()
        call()
        wall.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    return percentile(wall, 50), percentile(cpu, 50)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--profile", metavar="NAME")
    args = parser.parse_args()
    app = bench_app(args.url)
    calls = report_calls(app)
    for name, call in calls.items():
        call(), call()
        wall, cpu = p50s(call, args.repeats)
        print(f"{name:20} p50 wall {wall:7.1f} ms  cpu {cpu:7.1f} ms", flush=True)
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(lambda: [calls[args.profile]() for _ in range(3)])
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
