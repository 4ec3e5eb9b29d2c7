"""Whether a slow Akismet serialises the service: gunicorn (gthread) against a slow local Akismet.

Starts the local Akismet of the tests (tests/akismet_server.py) answering comment-check
after DELAY seconds, and the service under gunicorn with the repository's
gunicorn.conf.py (one worker, --threads T) on a throwaway SQLite database. Then posts
N comments at once, and reads the thread while they wait, and prints the wall time
against what one-at-a-time would take (N x DELAY).

    .venv/bin/python bench/slow_akismet.py [--comments 8] [--delay 1.0] [--threads 4 8]

Everything listens on 127.0.0.1 only.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from comments_service import create_app  # noqa: E402
from comments_service.extensions import db  # noqa: E402
from comments_service.models import Post, PostAuthor  # noqa: E402
from tests.akismet_server import Answer, FakeAkismet  # noqa: E402
from tests.browser_support import clean_environment, free_port  # noqa: E402
from tests.server_support import request  # noqa: E402

BLOG = "http://blog.bench"


def migrated_database(folder: Path) -> str:
    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    app = create_app({"PORCH_DATABASE_URL": url, "PORCH_SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        db.session.add(
            Post(slug="hello", title="Hello", path="/hello/", authors=[PostAuthor(name="A")])
        )
        db.session.commit()
        db.engine.dispose()
    return url


def serve(url: str, akismet_port: int, threads: int, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = clean_environment(
        DATABASE_URL=url,
        SECRET_KEY="bench",
        BLOG_URL=BLOG,
        AKISMET_API_KEY="bench-key",
        COMMENT_RATE_LIMIT="1000 per minute",
        POST_RATE_LIMIT="1000 per minute",
    )
    env["BENCH_AKISMET_PORT"] = str(akismet_port)
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--config", str(ROOT / "gunicorn.conf.py"),
        "--bind", f"127.0.0.1:{port}",
        "--threads", str(threads),
        "--access-logfile", "/dev/null",
        "bench.slow_akismet_wsgi:app",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        if request(f"{base}/healthz")[0] == 200:
            return process, base
        time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"gunicorn did not start:\n{log.read_text()}")


def burst(base: str, comments: int) -> tuple[float, float, list[int]]:
    """Post `comments` at once; read the thread once they are in flight. (wall, read, statuses)"""

    def post(n: int) -> int:
        body = {"author_name": "Bench", "body": f"Question {n}"}
        return request(f"{base}/api/posts/hello/comments", body, {"Origin": BLOG})[0]

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=comments) as pool:
        posts = [pool.submit(post, n) for n in range(comments)]
        time.sleep(0.2)
        read_started = time.monotonic()
        request(f"{base}/api/posts/hello/comments")
        read = time.monotonic() - read_started
        statuses = sorted(future.result() for future in posts)
    return time.monotonic() - started, read, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=8)
    parser.add_argument("--delay", type=float, default=1.0)
    parser.add_argument("--threads", type=int, nargs="+", default=[4, 8])
    options = parser.parse_args()
    akismet = FakeAkismet()
    akismet.answer("comment-check", Answer("false", delay=options.delay))
    try:
        for threads in options.threads:
            with tempfile.TemporaryDirectory() as folder:
                url = migrated_database(Path(folder))
                process, base = serve(url, akismet.port, threads, Path(folder) / "gunicorn.log")
                try:
                    wall, read, statuses = burst(base, options.comments)
                finally:
                    process.terminate()
                    process.wait(timeout=10)
            serial = options.comments * options.delay
            print(
                f"threads={threads} comments={options.comments} akismet_delay={options.delay}s: "
                f"wall {wall:.2f}s (one at a time: {serial:.1f}s), "
                f"thread read during the burst {read:.2f}s, statuses {set(statuses)}"
            )
    finally:
        akismet.stop()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONPATH", str(ROOT))
    main()
