"""Posting: comments sent as fast as wrk can, each with a body of its own.

With no spam check, Porch against Isso 0.14.0 (guard off, no moderation), both under
the benchmark's gunicorn config, at 16 and 64 connections, Porch on SQLite and on
PostgreSQL (BENCH_DATABASE_URL, else thread_listing.POSTGRES_URL) against one Isso run.
Then Porch with Akismet asked on every comment, the local stand-in
(tests/akismet_server.py) answering after 200 ms over kept-alive connections, under the
repository's gunicorn.conf.py as a two-worker host runs it. Rate limits are off and the
minimum fill time is 0.

BENCH_POSTING=akismet runs the Akismet rows only.
"""

import os

from tests.akismet_server import Answer, FakeAkismet

from . import servers
from .servers import Gunicorn, RepositoryGunicorn, ratio, row, wrk
from .thread_listing import (
    THREAD,
    isso_server,
    porch_database,
    porch_database_open,
    porch_env,
    seed_porch,
)

SECTION = "Posting"
AKISMET_DELAY = 0.2
# What a two-worker host sets, and nothing else: gunicorn.conf.py refuses several workers
# counting rate limits in memory, so the counters are in Redis (the limits stay off).
TWO_WORKER_HOST = {
    "WEB_CONCURRENCY": "2",
    "PORCH_RATELIMIT_STORAGE_URI": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5"),
}


DATABASES = {"SQLite": "sqlite", "PostgreSQL": "postgresql"}


def run() -> list[dict]:
    rows = []
    for connections in (16, 64) if os.environ.get("BENCH_POSTING") != "akismet" else ():
        isso = isso_posting(connections)
        for database, kind in DATABASES.items():
            porch = porch_posting(connections, kind)
            on = f"{database}, no spam check, {connections} connections"
            rows += [
                row(SECTION, f"accepted comments/s, {on}", f"{porch.accepted_rate:.0f}",
                    "Isso 0.14.0", f"{isso.accepted_rate:.0f}",
                    ratio(porch.accepted_rate, isso.accepted_rate)),
                row(SECTION, f"p50 / p99 (ms), {on}", f"{porch.p50_ms:.1f} / {porch.p99_ms:.1f}",
                    "Isso 0.14.0", f"{isso.p50_ms:.1f} / {isso.p99_ms:.1f}",
                    ratio(porch.p99_ms, isso.p99_ms)),
                row(SECTION, f"errors (non-2xx), {on}", str(porch.errors), "Isso 0.14.0",
                    str(isso.errors), "n/a"),
            ]  # fmt: skip
    for connections in (16, 64):
        load = porch_posting_with_akismet(connections)
        rows += [
            row(SECTION, f"accepted comments/s, Akismet after 200 ms, {connections} connections",
                f"{load.accepted_rate:.0f}", "target", "150", ratio(load.accepted_rate, 150)),
            row(SECTION, f"p50 / p99 (ms), Akismet after 200 ms, {connections} connections",
                f"{load.p50_ms:.1f} / {load.p99_ms:.1f}", "Akismet's own delay", "200", "n/a"),
            row(SECTION, f"errors (non-2xx), Akismet after 200 ms, {connections} connections",
                str(load.errors), "", "", "n/a"),
        ]  # fmt: skip
    return rows


def porch_posting(connections: int, kind: str) -> servers.Load:
    url = porch_database(f"posting-{connections}", kind)
    with porch_database_open(url):
        seed_porch()
    bin_dir = servers.ROOT / ".venv" / "bin"
    env = porch_env(url, DATABASE_POOL_SIZE=str(servers.THREADS))
    with Gunicorn(
        f"porch-posting-{kind}-{connections}", bin_dir, "bench.porch_wsgi:app", env
    ) as server:
        server.wait_for(THREAD)
        return wrk(server.url + THREAD, connections, "post_comment.lua", "porch")


def isso_posting(connections: int) -> servers.Load:
    with isso_server(servers.isso_venv(), f"isso-posting-{connections}") as server:
        return wrk(f"{server.url}/new?uri=%2Fbench%2F", connections, "post_comment.lua", "isso")


def porch_posting_with_akismet(connections: int) -> servers.Load:
    akismet = FakeAkismet(keep_alive=True)
    akismet.answer("comment-check", Answer("false", delay=AKISMET_DELAY))
    url = porch_database(f"akismet-{connections}")
    with porch_database_open(url):
        seed_porch()
    env = {
        **porch_env(url, AKISMET_API_KEY="bench-key"),
        **TWO_WORKER_HOST,
        "BENCH_AKISMET_PORT": str(akismet.port),
    }
    try:
        with RepositoryGunicorn(
            f"porch-akismet-{connections}", servers.ROOT / ".venv" / "bin", "bench.porch_wsgi:app",
            env,
        ) as server:  # fmt: skip
            server.wait_for(THREAD)
            return wrk(server.url + THREAD, connections, "post_comment.lua", "porch")
    finally:
        akismet.stop()
