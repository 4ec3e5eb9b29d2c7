"""Porch's benchmark: one Markdown table, every figure and ratio measured in this run.

    make bench                # installs wrk if missing, then runs this
    .venv/bin/python bench/run.py [--only "Thread listing"]

Each section is a module with ``run() -> list[dict]`` (keys: section, measure, porch,
against, baseline, ratio). Servers bind 127.0.0.1 (BENCH_FIRST_PORT=N: ports from N
up, else ports the OS picks); what they write goes to var/bench/. Porch runs on SQLite,
or on the PostgreSQL database BENCH_DATABASE_URL names (its public schema is dropped
first). See bench/README.md.
"""

import argparse
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import build_time, data_scale, posting, servers, thread_listing  # noqa: E402

COLUMNS = ("section", "measure", "porch", "against", "baseline", "ratio")
SECTIONS = {
    "Thread listing": thread_listing.run,
    "Posting": posting.run,
    "Data scale": data_scale.run,
    "Build": build_time.run,
}


def table(rows: list[dict]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(row[column] for column in COLUMNS) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> str:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), platform.processor(),
    )  # fmt: skip
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {memory_kb / 1024 / 1024:.1f} GiB RAM, "
        f"load average before the run {load}, Python {platform.python_version()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", help="run only this section (repeatable)")
    options = parser.parse_args()
    servers.WORK.mkdir(parents=True, exist_ok=True)
    only = options.only or list(SECTIONS)
    chosen = {name: run for name, run in SECTIONS.items() if name in only}
    print(f"Machine: {machine()}", flush=True)
    rows = []
    for name, run in chosen.items():
        print(f"Running {name}...", file=sys.stderr, flush=True)
        rows += run()
    print()
    print(table(rows))
    print()
    print(f"Sections run: {', '.join(chosen)}.")
    database = (
        "PostgreSQL (BENCH_DATABASE_URL)" if os.environ.get("BENCH_DATABASE_URL") else "SQLite"
    )
    print(f"Porch's database: {database}; Isso's: SQLite.")


if __name__ == "__main__":
    main()
