"""Serving in production: liveness and readiness, gzip, and what caches may keep."""

import gzip
import json
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import event

from comments_service.extensions import db

from .browser_support import BIN, ROOT, clean_environment, free_port, stop_process
from .server_support import Gunicorn, request
from .test_feeds import fetch, new_feed_address

THREAD = "/api/posts/hello/comments"


def unreachable_database(database_url: str, tmp_path) -> str:
    """A database of the same kind that cannot be reached: a closed local port, a missing
    folder."""
    if database_url.startswith("postgresql"):
        return f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/porch"
    return f"sqlite:///{tmp_path}/not-mounted/porch.sqlite3"


# Liveness and readiness


def test_healthz_and_readyz_answer_ok_with_the_database_up(client):
    for address in ("/healthz", "/readyz"):
        answer = client.get(address)
        assert (answer.status_code, answer.get_json()) == (200, {"status": "ok"})
        assert answer.headers["Cache-Control"] == "private, no-store"


def test_readyz_is_503_with_retry_after_when_the_database_is_away(app_with, database_url, tmp_path):
    app = app_with(
        PORCH_DATABASE_URL=unreachable_database(database_url, tmp_path),
        PORCH_RETRY_AFTER_SECONDS=7,
    )
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "7"
    assert answer.get_json() == {"status": "unavailable", "database": "OperationalError"}


def test_healthz_stays_ok_when_the_database_is_away(app_with, database_url, tmp_path):
    """Liveness asks nothing of the database: an outage there restarts no worker."""
    app = app_with(PORCH_DATABASE_URL=unreachable_database(database_url, tmp_path))
    answer = app.test_client().get("/healthz")
    assert (answer.status_code, answer.get_json()) == (200, {"status": "ok"})


def test_readyz_asks_the_database_once(app):
    statements = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, *rest):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert app.test_client().get("/readyz").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    expected = ["SELECT 1"]
    if engine.dialect.name == "postgresql":
        expected.insert(0, "SET LOCAL statement_timeout = 2000")
    assert statements == expected


def test_invoke_serve_migrates_then_serves_with_the_repositorys_config(database_url, tmp_path):
    """What operators run: the database brought to the latest schema, then gunicorn
    with gunicorn.conf.py, each value from the environment."""
    if database_url.startswith("sqlite"):
        database_url = f"sqlite:///{tmp_path}/new.sqlite3"  # empty: the task migrates it
    port, access_log = free_port(), tmp_path / "access.log"
    env = clean_environment(DATABASE_URL=database_url, SECRET_KEY="serve-test")
    env.update(GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_ACCESSLOG=str(access_log))
    with open(tmp_path / "serve.log", "wb") as log:
        process = subprocess.Popen(
            [str(BIN / "invoke"), "serve"], cwd=ROOT, env=env, stdout=log, stderr=log
        )
    try:
        status = 0
        deadline = time.monotonic() + 30
        while status != 200 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
            status = request(f"http://127.0.0.1:{port}/readyz")[0]
        assert status == 200, (tmp_path / "serve.log").read_text()
        forwarded = urllib.request.Request(
            f"http://127.0.0.1:{port}/healthz", headers={"X-Forwarded-For": "203.0.113.7"}
        )
        with urllib.request.urlopen(forwarded, timeout=10) as answer:
            assert answer.status == 200
        thread = request(f"http://127.0.0.1:{port}/api/posts/hello/comments")
        assert (thread[0], thread[2]["error"]) == (404, "unknown_post")  # its tables exist
    finally:
        stop_process(process)
    healthz = [line for line in access_log.read_text().splitlines() if "/healthz" in line]
    assert len(healthz) == 1
    assert healthz[0].startswith('127.0.0.1 "203.0.113.7" [')
    assert '"GET /healthz HTTP/1.1" 200' in healthz[0]
    served = (tmp_path / "serve.log").read_text()
    assert "Using worker: gthread" in served


THREADS = 4


def test_a_worker_takes_its_threads_and_half_as_many_again_in_connections(database_url, tmp_path):
    """Not gunicorn's 1,000: past them a connection waits in the listen queue, for any
    worker with room, instead of inside a worker whose threads are all busy."""
    env = clean_environment(DATABASE_URL=database_url, SECRET_KEY="serve-test")
    env["GUNICORN_THREADS"] = str(THREADS)
    server = Gunicorn(env, tmp_path / "gunicorn.log").start()
    share = THREADS + THREADS // 2
    held = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(share + 2)]
    try:
        time.sleep(1)  # time to take every connection it would take
        assert listen_queue(server.port) == 2
        held.pop(0).close()
        deadline = time.monotonic() + 5
        while listen_queue(server.port) != 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert listen_queue(server.port) == 1, "a closed connection makes room for the next"
    finally:
        for connection in held:
            connection.close()
        server.stop()


def listen_queue(port: int) -> int:
    """Connections waiting to be accepted on 127.0.0.1:port (Linux's /proc/net/tcp)."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == f"0100007F:{port:04X}" and fields[3] == "0A":  # 0A: listening
            return int(fields[4].split(":")[1], 16)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port}")


# Compression


def test_large_json_is_gzipped_for_clients_that_take_it(client):
    plain = client.get("/api/openapi.json")
    zipped = client.get("/api/openapi.json", headers={"Accept-Encoding": "gzip, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(zipped.get_data())) == plain.get_json()
    assert int(zipped.headers["Content-Length"]) == len(zipped.get_data())
    assert len(zipped.get_data()) < len(plain.get_data()) / 3
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert "Accept-Encoding" in plain.headers["Vary"]


def test_html_pages_are_gzipped_too(client):
    zipped = client.get("/auth/login", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert b"<form" in gzip.decompress(zipped.get_data())


def test_small_answers_and_refused_encodings_stay_plain(client):
    small = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in small.headers
    refused = client.get("/api/openapi.json", headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers


def test_compression_can_be_left_to_the_proxy(app_with, make_post):
    app = app_with(PORCH_COMPRESS=False)
    make_post("hello")
    client = app.test_client()
    for address in ("/api/openapi.json", THREAD):
        answer = client.get(address, headers={"Accept-Encoding": "gzip"})
        assert "Content-Encoding" not in answer.headers
        assert "Accept-Encoding" not in answer.headers.get("Vary", "")


def test_a_gzipped_answer_carries_its_own_etag_that_still_revalidates(
    client, make_post, make_comment
):
    for n in range(20):
        make_comment(make_post(f"post-number-{n}"))
    plain = client.get("/api/changes")
    zipped = client.get("/api/changes", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert zipped.headers["ETag"] == plain.headers["ETag"][:-1] + ':gzip"'
    for etag, encoding in ((zipped.headers["ETag"], "gzip"), (plain.headers["ETag"], "identity")):
        again = client.get(
            "/api/changes", headers={"Accept-Encoding": encoding, "If-None-Match": etag}
        )
        assert (again.status_code, again.headers["ETag"]) == (304, etag)


# What caches may keep


def test_threads_may_be_kept_by_a_cdn_for_the_set_seconds(client, make_post):
    make_post("hello")
    answer = client.get(THREAD)
    assert answer.headers["Cache-Control"] == "public, max-age=0, s-maxage=10"
    assert answer.headers["CDN-Cache-Control"] == "max-age=10, stale-while-revalidate=30"
    assert answer.headers["Vary"] == "Accept-Encoding, Origin"


def test_browsers_are_never_told_to_serve_a_stale_thread(app_with, make_post):
    """A reader back from posting without JavaScript must get the thread with their comment."""
    app = app_with(PORCH_THREAD_CDN_SECONDS=5, PORCH_THREAD_CDN_STALE_SECONDS=60)
    make_post("hello")
    answer = app.test_client().get(THREAD)
    assert "stale" not in answer.headers["Cache-Control"]
    assert answer.headers["CDN-Cache-Control"] == "max-age=5, stale-while-revalidate=60"


def test_without_stale_seconds_cdns_read_cache_control_alone(app_with, make_post):
    app = app_with(PORCH_THREAD_CDN_STALE_SECONDS=0)
    make_post("hello")
    answer = app.test_client().get(THREAD)
    assert answer.headers["Cache-Control"] == "public, max-age=0, s-maxage=10"
    assert "CDN-Cache-Control" not in answer.headers


def test_with_no_cdn_seconds_every_thread_read_is_revalidated(app_with, make_post):
    app = app_with(PORCH_THREAD_CDN_SECONDS=0)
    make_post("hello")
    answer = app.test_client().get(THREAD)
    assert answer.headers["Cache-Control"] == "public, no-cache"


def test_a_304_carries_the_same_cache_headers(client, make_post):
    make_post("hello")
    etag = client.get(THREAD).headers["ETag"]
    again = client.get(THREAD, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["Cache-Control"] == "public, max-age=0, s-maxage=10"
    assert again.headers["CDN-Cache-Control"] == "max-age=10, stale-while-revalidate=30"


def test_a_signed_in_staff_members_thread_read_is_the_public_one(
    client, make_post, make_staff, login
):
    """The session cookie changes nothing in a thread, so caches need not vary by it."""
    make_post("hello")
    login(make_staff("Ana Lima"))
    answer = client.get(THREAD)
    assert "Cookie" not in answer.headers["Vary"]
    assert "Set-Cookie" not in answer.headers


def test_staff_pages_and_feeds_are_never_kept(client, make_staff, login):
    login(make_staff("Ana Lima"))
    queue = client.get("/moderation/")
    assert queue.status_code == 200
    assert queue.headers["Cache-Control"] == "private, no-store"
    assert "Cookie" in queue.headers["Vary"]
    feed = fetch(client, new_feed_address(client))
    assert feed.headers["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("address", ["/api/posts/nowhere/comments", "/auth/login"])
def test_other_answers_are_private(client, address):
    assert client.get(address).headers["Cache-Control"] == "private, no-store"
