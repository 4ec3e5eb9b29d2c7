"""Thread listing: one thread of 50 comments (40 top-level, 10 replies) read over HTTP.

Porch (its cached read path; SQLite, or BENCH_DATABASE_URL), Isso 0.14.0 (from PyPI,
its own SQLite) and a hello-world Flask app (the ceiling), each under the same
gunicorn config, loaded by wrk with 16 connections for a fixed time.
"""

import json
import os
import urllib.request
from datetime import UTC, datetime, timedelta

import psycopg
from flask_migrate import upgrade
from sqlalchemy import create_engine
from sqlalchemy import text as sql
from sqlalchemy.engine import make_url

from comments_service import create_app
from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus, Post, PostAuthor, Role, Staff

from . import servers
from .servers import BLOG, WORK, Gunicorn, ratio, row, wrk

SECTION = "Thread listing"
TOP_LEVEL, REPLIES = 40, 10
CONNECTIONS = 16
THREAD = "/api/posts/bench/comments"


def run() -> list[dict]:
    porch, isso, hello = porch_listing(), isso_listing(), hello_listing()
    rows = [
        row(SECTION, f"requests/s, {CONNECTIONS} connections", f"{porch.rate:.0f}",
            "Isso 0.14.0", f"{isso.rate:.0f}", ratio(porch.rate, isso.rate)),
        row(SECTION, f"requests/s, {CONNECTIONS} connections", f"{porch.rate:.0f}",
            "hello-world Flask", f"{hello.rate:.0f}", ratio(porch.rate, hello.rate)),
    ]  # fmt: skip
    for name, load in (("Isso 0.14.0", isso), ("hello-world Flask", hello)):
        for label, ours, theirs in (
            ("p50", porch.p50_ms, load.p50_ms),
            ("p99", porch.p99_ms, load.p99_ms),
        ):
            rows.append(
                row(SECTION, f"{label} latency (ms)", f"{ours:.2f}", name, f"{theirs:.2f}",
                    ratio(ours, theirs))
            )  # fmt: skip
    return rows


def porch_listing() -> servers.Load:
    url = porch_database("listing")
    with porch_database_open(url):
        seed_porch()
    with Gunicorn(
        "porch-listing", servers.ROOT / ".venv" / "bin", "bench.porch_wsgi:app", porch_env(url)
    ) as server:
        server.wait_for(THREAD)
        return wrk(server.url + THREAD, CONNECTIONS)


def isso_listing() -> servers.Load:
    bin_dir = servers.isso_venv()
    with isso_server(bin_dir, "isso-listing") as server:
        seed_isso(server.url)
        return wrk(f"{server.url}/?uri=%2Fbench%2F", CONNECTIONS)


def hello_listing() -> servers.Load:
    with Gunicorn("hello", servers.ROOT / ".venv" / "bin", "bench.hello_wsgi:app", {}) as server:
        server.wait_for("/")
        return wrk(server.url + "/", CONNECTIONS)


# Where the sections that compare both databases run Porch on PostgreSQL.
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/porch_bench_posting"


def porch_database(name: str, kind: str | None = None) -> str:
    """An empty database for one run: BENCH_DATABASE_URL (PostgreSQL, its public schema
    dropped), else a new SQLite file in var/bench. ``kind`` ("sqlite" or "postgresql")
    chooses instead: PostgreSQL at BENCH_DATABASE_URL, else at POSTGRES_URL."""
    url = os.environ.get("BENCH_DATABASE_URL") if kind != "sqlite" else None
    if kind == "postgresql":
        url = url or POSTGRES_URL
    if url:
        return emptied_postgres(url)
    path = WORK / f"porch-{name}.sqlite3"
    path.unlink(missing_ok=True)
    return f"sqlite:///{path}"


def emptied_postgres(url: str) -> str:
    """This PostgreSQL database, made if missing, with its public schema dropped."""
    parsed = make_url(url)
    server = parsed.set(drivername="postgresql", database="postgres").render_as_string(False)
    with psycopg.connect(server, autocommit=True) as connection:
        if not connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)
        ).fetchone():
            connection.execute(f'CREATE DATABASE "{parsed.database}"')
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url


def porch_env(url: str, **settings: str) -> dict:
    base = {
        "DATABASE_URL": url,
        "SECRET_KEY": "bench",
        "BLOG_URL": BLOG,
        "MIN_FILL_SECONDS": "0",
        "INSTANCE_PATH": str(WORK / "instance"),
    }
    return {f"PORCH_{key}": value for key, value in {**base, **settings}.items()}


class porch_database_open:
    """A migrated Porch database, open for seeding in this process."""

    def __init__(self, url: str):
        self.app = create_app({"PORCH_DATABASE_URL": url, "PORCH_SECRET_KEY": "bench"})

    def __enter__(self):
        self.context = self.app.app_context()
        self.context.push()
        upgrade()

    def __exit__(self, *exc):
        db.session.remove()
        db.engine.dispose()
        self.context.pop()


def seed_porch() -> None:
    """The post, its author's account, and the thread, as readers would have left it."""
    author = Staff(name="Ana Lima", email="ana@bench.test", role=Role.AUTHOR, password_hash="x")
    post = Post(slug="bench", title="Bench", path="/bench/", authors=[PostAuthor(name="Ana Lima")])
    db.session.add_all([author, post])
    start = datetime.now(UTC) - timedelta(days=1)
    tops = []
    for n in range(TOP_LEVEL + REPLIES):
        parent = tops[n - TOP_LEVEL] if n >= TOP_LEVEL else None
        comment = Comment(
            post=post, parent=parent, author_name=f"Reader {n}", body_markdown=text(n),
            body_html=f"<p>{text(n)}</p>", status=CommentStatus.APPROVED,
            created_at=start + timedelta(minutes=n), published_at=start + timedelta(minutes=n),
        )  # fmt: skip
        db.session.add(comment)
        tops.append(comment)
    db.session.commit()


def text(n: int) -> str:
    return f"Comment {n}: a question of a sentence or two, about the post and how it works."


class isso_server(Gunicorn):
    """Isso under the same gunicorn config, on its own database in var/bench."""

    def __init__(self, bin_dir, name: str):
        database, config = WORK / f"{name}.db", WORK / f"{name}.cfg"
        database.unlink(missing_ok=True)
        config.write_text(
            f"[general]\ndbpath = {database}\nhost = {BLOG}/\n"
            "[moderation]\nenabled = false\n[guard]\nenabled = false\n"
        )
        super().__init__(name, bin_dir, "isso.run:application", {"ISSO_SETTINGS": str(config)})

    def __enter__(self):
        super().__enter__()
        self.wait_for("/info")
        return self


def seed_isso(base: str) -> None:
    """The same thread through Isso's own API (it keeps replies one level deep, as here)."""
    ids = []
    for n in range(TOP_LEVEL + REPLIES):
        body = {"author": f"Reader {n}", "text": text(n), "title": "Bench"}
        if n >= TOP_LEVEL:
            body["parent"] = ids[n - TOP_LEVEL]
        answer = post_json(f"{base}/new?uri=%2Fbench%2F", body)
        ids.append(json.loads(answer)["id"])


def post_json(url: str, body: dict) -> bytes:
    headers = {"Content-Type": "application/json", "Origin": BLOG, "Referer": f"{BLOG}/bench/"}
    call = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers)
    with urllib.request.urlopen(call, timeout=10) as response:
        return response.read()
