"""Rate limits hold however gunicorn runs the service: real gunicorn on 127.0.0.1.

memory:// counters live in one process, so gunicorn.conf.py runs one worker with
threads and refuses several workers; redis:// counters are shared by any number.
"""

import re
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from .browser_support import clean_environment
from .conftest import BLOG_URL
from .server_support import Gunicorn, request

REDIS_URL = "redis://127.0.0.1:6379/13"
POSTS = 20


@pytest.fixture
def service_env(database_url, make_post, tmp_path):
    """The environment of a gunicorn-served service on this test's migrated database."""
    make_post("hello")
    return clean_environment(
        DATABASE_URL=database_url,
        SECRET_KEY="rate-limit-secret",
        BLOG_URL=BLOG_URL,
        INSTANCE_PATH=str(tmp_path / "instance"),
        COMMENT_RATE_LIMIT="5 per minute",
        # Each test posts as its own reader address, so counters left in Redis by
        # another run cannot count against this one.
        TRUSTED_PROXIES="1",
    )


@pytest.fixture
def reader_address():
    """A documentation-range IPv6 address of this test's own."""
    return f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"


@pytest.fixture
def redis_counters(reader_address):
    """The local Redis (it must be running); this reader's counters are removed after."""
    store = redis.Redis.from_url(REDIS_URL)
    store.ping()
    yield REDIS_URL
    for key in store.scan_iter(f"*{reader_address}*"):
        store.delete(key)
    store.close()


def statuses_of_posts(url: str, address: str) -> list[int]:
    """POSTS comments from one reader, several at a time so they reach several workers."""

    def post(number: int) -> int:
        body = {"author_name": "Robin", "body": f"Question {number}"}
        headers = {"Origin": BLOG_URL, "X-Forwarded-For": address}
        return request(f"{url}/api/posts/hello/comments", body, headers)[0]

    with ThreadPoolExecutor(max_workers=8) as pool:
        return sorted(pool.map(post, range(POSTS)))


def every_worker_booted(server: Gunicorn, workers: int, within: float = 30) -> None:
    deadline = time.monotonic() + within
    while server.log().count("Booting worker") < workers:
        assert time.monotonic() < deadline, f"not every worker started:\n{server.log()}"
        time.sleep(0.1)


def test_several_workers_with_memory_counters_refuse_to_start(service_env, tmp_path):
    server = Gunicorn(service_env, tmp_path / "gunicorn.log", "--workers", "4")
    result = subprocess.run(server.command, env=service_env, capture_output=True, timeout=30)
    assert result.returncode != 0
    message = result.stderr.decode()
    assert "4 workers with PORCH_RATELIMIT_STORAGE_URI=memory://" in message
    assert "redis://" in message
    assert request(f"{server.url}/healthz")[0] == 0  # nothing is serving


def test_one_worker_with_threads_holds_a_memory_limit(service_env, reader_address, tmp_path):
    server = Gunicorn(service_env, tmp_path / "gunicorn.log").start()
    try:
        statuses = statuses_of_posts(server.url, reader_address)
    finally:
        server.stop()
    assert statuses == [201] * 5 + [429] * (POSTS - 5)


def test_four_workers_sharing_redis_counters_hold_the_limit(
    service_env, reader_address, redis_counters, tmp_path
):
    env = {**service_env, "PORCH_RATELIMIT_STORAGE_URI": redis_counters}
    # One thread each, and every worker up before the first post: the posts in flight at
    # once cannot all go to one worker, however slowly a loaded machine starts the others.
    options = ("--workers", "4", "--threads", "1", "--access-logformat", "served-by %(p)s")
    server = Gunicorn(env, tmp_path / "gunicorn.log", *options).start()
    try:
        every_worker_booted(server, 4)
        statuses = statuses_of_posts(server.url, reader_address)
    finally:
        server.stop()
    assert statuses == [201] * 5 + [429] * (POSTS - 5)
    assert len(set(re.findall(r"served-by <(\d+)>", server.log()))) > 1, "one worker did all"


def test_comments_are_still_taken_while_the_rate_limit_store_is_away(app_with, make_post):
    """Nothing listens on port 9 of the loopback: counting falls back to this process."""
    app = app_with(
        RATELIMIT_ENABLED=True,
        PORCH_RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0",
        PORCH_COMMENT_RATE_LIMIT="2 per minute",
    )
    make_post("hello")
    client = app.test_client()
    answers = [
        client.post("/api/posts/hello/comments", json={"author_name": "Jo", "body": f"Hi {n}"})
        for n in range(3)
    ]
    assert [answer.status_code for answer in answers] == [201, 201, 429]
