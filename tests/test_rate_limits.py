"""Rate limits hold however gunicorn runs the service: real gunicorn on 127.0.0.1.

memory:// counters live in one process, so gunicorn.conf.py runs one worker with
threads and refuses several workers; redis:// counters are shared by any number.
"""

import http.client
import json
import re
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
import redis

from .browser_support import clean_environment
from .conftest import BLOG_URL
from .server_support import Gunicorn, request

REDIS_URL = "redis://127.0.0.1:6379/13"
POSTS = 20
WORKERS = 4
# The post's own counters (a limit per post, whoever writes) stay in Redis for a minute:
# a post of this run's own, so a run just before cannot count against this one.
SLUG = f"hello-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def service_env(database_url, make_post, tmp_path):
    """The environment of a gunicorn-served service on this test's migrated database."""
    make_post(SLUG)
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


def statuses_of_posts(url: str, address: str, posts: int = POSTS) -> list[int]:
    """Comments from one reader, several at a time so they reach several workers."""

    def post(number: int) -> int:
        body = {"author_name": "Robin", "body": f"Question {number}"}
        headers = {"Origin": BLOG_URL, "X-Forwarded-For": address}
        return request(f"{url}/api/posts/{SLUG}/comments", body, headers)[0]

    with ThreadPoolExecutor(max_workers=8) as pool:
        return sorted(pool.map(post, range(posts)))


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
    # One thread and one connection a worker: the first posts, held open before their
    # bodies, keep the worker that took one busy, so the next goes to another worker,
    # however slowly a loaded machine starts them (a post waits for one ready).
    options = (
        "--workers", "4", "--threads", "1", "--worker-connections", "1", "--keep-alive", "0",
        "--access-logformat", "served-by %(p)s",
    )  # fmt: skip
    server = Gunicorn(env, tmp_path / "gunicorn.log", *options).start()
    try:
        statuses = posts_held_open(server.url, reader_address, WORKERS)
        statuses += statuses_of_posts(server.url, reader_address, POSTS - WORKERS)
    finally:
        server.stop()
    assert sorted(statuses) == [201] * 5 + [429] * (POSTS - 5)
    assert len(set(re.findall(r"served-by <(\d+)>", server.log()))) > 1, "one worker did all"


def posts_held_open(url: str, address: str, count: int) -> list[int]:
    """``count`` posts sent as far as their headers, all of them, and only then finished."""
    held = []
    for number in range(count):
        body = json.dumps({"author_name": "Robin", "body": f"Held question {number}"}).encode()
        connection = http.client.HTTPConnection(urlsplit(url).netloc, timeout=60)
        connection.putrequest("POST", f"/api/posts/{SLUG}/comments")
        headers = {
            "Content-Type": "application/json",
            "Content-Length": str(len(body)),
            "Origin": BLOG_URL,
            "X-Forwarded-For": address,
        }
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        held.append((connection, body))
    statuses = []
    for connection, body in held:
        connection.send(body)
        statuses.append(connection.getresponse().status)
        connection.close()
    return statuses


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
