"""The database going away: 503 with Retry-After, nothing half-stored, retries stored once.

On PostgreSQL the database really goes away, on SQLite another program holds the file's
lock (outage_support.py).
"""

import sqlite3
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from comments_service.extensions import db
from comments_service.models import Comment, ModerationAction

from .browser_support import clean_environment
from .conftest import BACKENDS, BLOG_URL, PASSWORD, csrf_token
from .outage_support import SqliteLock, breakable
from .server_support import Gunicorn, TcpForwarder, request

RETRY_AFTER = 7
QUESTION = {"author_name": "Robin", "body": "Can crews see each other's routes?"}
LINKS = " ".join(f"<https://example.com/{n}>" for n in range(5))  # held: too many links


@dataclass
class Shaky:
    """The service on a database the test can take away and give back."""

    app: Flask
    database: SqliteLock | TcpForwarder
    url: str

    @contextmanager
    def away(self):
        self.database.cut()
        try:
            yield
        finally:
            self.database.restore()

    @contextmanager
    def lost_before(self, statement: str):
        """The database goes away just as the service sends a statement that does this
        (it starts so, or does it in a WITH: PostgreSQL's comment and event)."""

        def cut_if_it_does(connection, cursor, sql, *args):
            if sql.lstrip().startswith(statement) or f" AS \n({statement}" in sql:
                self.database.cut()

        with self.app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", cut_if_it_does)
        try:
            yield
        finally:
            event.remove(engine, "before_cursor_execute", cut_if_it_does)
            self.database.restore()

    @contextmanager
    def lost_after_commit(self):
        """The database goes away right after a commit: stored, but the answer is not sent."""

        def cut(session):
            self.database.cut()

        event.listen(db.session, "after_commit", cut)
        try:
            yield
        finally:
            event.remove(db.session, "after_commit", cut)
            self.database.restore()


@pytest.fixture
def shaky(database_url, app_with):
    database, url = breakable(database_url)
    app = app_with(
        PORCH_DATABASE_URL=url,
        PORCH_DATABASE_TIMEOUT_SECONDS=1,
        PORCH_RETRY_AFTER_SECONDS=RETRY_AFTER,
    )
    yield Shaky(app, database, url)
    database.close()


def send(client, key: str, form: bool = False, **fields):
    """Post a comment as the blog's script does: JSON, from the blog, with a key."""
    body = {**QUESTION, **fields}
    headers = {"Origin": BLOG_URL, "Idempotency-Key": key}
    if form:
        return client.post("/api/posts/hello/comments", data=body, headers=headers)
    return client.post("/api/posts/hello/comments", json=body, headers=headers)


def counts(app) -> tuple[int, int]:
    """(comments, moderation actions) stored, read on the direct database."""
    with app.app_context():
        comments = db.session.scalar(select(func.count()).select_from(Comment))
        actions = db.session.scalar(select(func.count()).select_from(ModerationAction))
        return comments, actions


def new_key() -> str:
    return str(uuid.uuid4())


def test_database_away_answers_503_with_retry_after_and_a_message(shaky, app, make_post):
    make_post("hello")
    client = shaky.app.test_client()
    key = new_key()
    with shaky.away():
        started = time.monotonic()
        posted = send(client, key)
        waited = time.monotonic() - started
        listed = client.get("/api/posts/hello/comments")
    assert waited < 4, "PORCH_DATABASE_TIMEOUT_SECONDS=1 bounds the wait"
    if shaky.url.startswith("sqlite"):  # WAL: a writer holding the file stops no reader
        assert listed.status_code == 200
    for answer in (posted,) if shaky.url.startswith("sqlite") else (posted, listed):
        assert answer.status_code == 503
        assert answer.headers["Retry-After"] == str(RETRY_AFTER)
        assert "Origin" in answer.vary
        assert answer.get_json()["error"] == "service_unavailable"
        assert "try again" in answer.get_json()["message"]
    assert counts(app) == (0, 0)
    assert send(client, key).status_code == 201
    assert counts(app) == (1, 0)


def test_database_lost_mid_post_stores_nothing_and_the_retry_stores_it_once(shaky, app, make_post):
    make_post("hello")
    client = shaky.app.test_client()
    key = new_key()
    with shaky.lost_before("INSERT INTO comments"):
        assert send(client, key).status_code == 503
    assert counts(app) == (0, 0)
    assert send(client, key).status_code == 201
    assert send(client, key).status_code == 201
    assert counts(app) == (1, 0)


# A SQLite lock cannot land inside another connection's transaction: PostgreSQL only.
@pytest.mark.parametrize("database_url", [b for b in BACKENDS if b != "sqlite"], indirect=True)
def test_connection_lost_between_a_comment_and_its_hold_keeps_neither(shaky, app, make_post):
    make_post("hello")
    client = shaky.app.test_client()
    key = new_key()
    with shaky.lost_before("INSERT INTO moderation_actions"):
        assert send(client, key, body=LINKS).status_code == 503
    assert counts(app) == (0, 0)
    retried = send(client, key, body=LINKS)
    assert (retried.status_code, retried.get_json()["status"]) == (201, "pending")
    assert counts(app) == (1, 1)


# A SQLite lock stops no reader (WAL), so it cannot lose an answer: PostgreSQL only.
@pytest.mark.parametrize("database_url", [b for b in BACKENDS if b != "sqlite"], indirect=True)
def test_database_lost_after_commit_still_answers_and_a_retry_with_the_key_returns_it(
    shaky, app, make_post
):
    """The answer is made before the commit: nothing is read after it, so a database
    gone just then loses no answer. A reader whose answer was lost on the way retries
    with the key and gets the same comment."""
    make_post("hello")
    client = shaky.app.test_client()
    key = new_key()
    with shaky.lost_after_commit():
        posted = send(client, key)
    assert posted.status_code == 201
    assert counts(app) == (1, 0)
    with app.app_context():
        stored_id = db.session.scalar(select(Comment.id))
    assert posted.get_json()["id"] == stored_id
    retried = send(client, key)
    assert (retried.status_code, retried.get_json()["id"]) == (201, stored_id)
    assert counts(app) == (1, 0)


def test_database_lost_once_the_answer_is_made_still_delivers_the_answer(shaky, app, make_post):
    """The connection dies between the answer and the end of the request, when closing
    the session rolls back: the reader still gets the 201 of the stored comment."""
    make_post("hello")

    @shaky.app.after_request
    def database_goes_away(response):
        shaky.database.cut()
        return response

    client = shaky.app.test_client()
    try:
        answer = send(client, new_key())
    finally:
        shaky.database.restore()
    assert answer.status_code == 201
    assert counts(app) == (1, 0)


def test_repeated_key_returns_the_first_comment_and_stores_no_second(client, app, make_post):
    make_post("hello")
    key = new_key()
    first, again = send(client, key), send(client, key)
    assert (first.status_code, again.status_code) == (201, 201)
    # The same comment; its own token is signed anew, with the second it was asked in.
    assert {**again.get_json(), "own_token": ""} == {**first.get_json(), "own_token": ""}
    assert counts(app) == (1, 0)
    assert send(client, new_key()).status_code == 201  # a new key is a new comment
    assert counts(app) == (2, 0)


def test_simultaneous_retries_with_one_key_store_one_comment(app_with, app, make_post):
    """All of them look for the key before any stores it; the losers of the race get the
    winner's comment instead of a unique-constraint error."""
    make_post("hello")
    service = app_with(PORCH_DATABASE_TIMEOUT_SECONDS=5)
    racers = 3
    all_looked = threading.Barrier(racers, timeout=5)
    racer = threading.local()

    def wait_for_the_others(connection, cursor, sql, *args):
        """After a racer's first look for the key (the losers look again later)."""
        looks_for_key = sql.lstrip().startswith("SELECT") and "idempotency_key =" in sql
        if looks_for_key and not getattr(racer, "looked", False):
            racer.looked = True
            all_looked.wait()

    with service.app_context():
        engine = db.engine
    event.listen(engine, "after_cursor_execute", wait_for_the_others)
    key = new_key()
    try:
        with ThreadPoolExecutor(racers) as pool:
            answers = list(pool.map(lambda _: send(service.test_client(), key), range(racers)))
    finally:
        event.remove(engine, "after_cursor_execute", wait_for_the_others)
    assert [answer.status_code for answer in answers] == [201] * racers
    assert len({answer.get_json()["id"] for answer in answers}) == 1
    assert counts(app) == (1, 0)


def test_key_sent_again_with_another_text_is_refused(client, app, make_post):
    make_post("hello")
    key = new_key()
    assert send(client, key).status_code == 201
    reused = send(client, key, body="A different question")
    assert reused.status_code == 422
    assert reused.get_json()["error"] == "idempotency_key_reused"
    assert counts(app) == (1, 0)


@pytest.mark.parametrize("key", ["short", "has spaces in it", "x" * 101])
def test_malformed_key_is_refused(client, app, make_post, key):
    make_post("hello")
    assert send(client, key).status_code == 400
    assert counts(app) == (0, 0)


def test_readers_without_javascript_get_a_page_while_the_database_is_away(shaky, make_post):
    make_post("hello")
    with shaky.away():
        answer = send(shaky.app.test_client(), new_key(), form=True)
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == str(RETRY_AFTER)
    page = answer.get_data(as_text=True)
    assert "Back in a moment" in page and "try again" in page
    assert f'href="{BLOG_URL}"' in page


# On SQLite the pages are read while another program writes: see the test below.
@pytest.mark.parametrize("database_url", [b for b in BACKENDS if b != "sqlite"], indirect=True)
def test_staff_pages_answer_503_while_the_database_is_away(shaky, make_staff):
    ana = make_staff("Ana Lima")
    client = shaky.app.test_client()
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    client.post("/auth/login", data={"email": ana.email, "password": PASSWORD, "csrf_token": token})
    with shaky.away():
        answer = client.get("/moderation/")
    assert (answer.status_code, answer.headers["Retry-After"]) == (503, str(RETRY_AFTER))
    assert "Reload this page" in answer.get_data(as_text=True)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sqlite_pages_are_read_while_another_program_holds_the_write_lock(
    shaky, make_staff, make_post
):
    make_post("hello")
    ana = make_staff("Ana Lima")
    client = shaky.app.test_client()
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    client.post("/auth/login", data={"email": ana.email, "password": PASSWORD, "csrf_token": token})
    with shaky.away():
        pages = [client.get("/moderation/"), client.get("/api/posts/hello/comments")]
        posted = send(client, new_key())
    assert [page.status_code for page in pages] == [200, 200]
    assert posted.status_code == 503


def test_database_file_out_of_reach_answers_503_and_readyz_says_when_to_retry(app_with, tmp_path):
    """A volume that is not mounted: SQLite cannot open the file."""
    missing = tmp_path / "not-mounted" / "porch.sqlite3"
    app = app_with(PORCH_DATABASE_URL=f"sqlite:///{missing}", PORCH_RETRY_AFTER_SECONDS=9)
    client = app.test_client()
    for answer in (client.get("/readyz"), client.get("/api/posts/hello/comments")):
        assert (answer.status_code, answer.headers["Retry-After"]) == (503, "9")


# Dropping a table would break the shared PostgreSQL schema: SQLite only.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_query_mistake_is_still_an_error_not_an_outage(app, make_post, database_url):
    make_post("hello")
    with sqlite3.connect(make_url(database_url).database) as other:
        other.execute("DROP TABLE moderation_actions")
    with pytest.raises(DBAPIError, match="no such table"):
        send(app.test_client(), new_key(), body=LINKS)


LOAD_POSTS = 200
CLIENT_THREADS = 4


def test_gunicorn_through_database_outages_answers_201_or_503_and_stores_each_key_once(
    shaky, app, make_post, tmp_path
):
    """A bounded load of keyed posts while the database is cut three times; then every
    post that did not get a 201 is retried with its key, as the blog's script does."""
    make_post("hello")
    sqlite = shaky.url.startswith("sqlite")
    env = clean_environment(
        DATABASE_URL=shaky.url,
        SECRET_KEY="outage-secret",
        BLOG_URL=BLOG_URL,
        INSTANCE_PATH=str(tmp_path / "instance"),
        COMMENT_RATE_LIMIT="1000 per minute",
        POST_RATE_LIMIT="1000 per minute",
        DATABASE_TIMEOUT_SECONDS="1",
        RETRY_AFTER_SECONDS=str(RETRY_AFTER),
    )
    service = Gunicorn(env, tmp_path / "gunicorn.log").start()
    keys = [new_key() for _ in range(LOAD_POSTS)]
    answers: dict[str, list[tuple[int, int | None]]] = {key: [] for key in keys}
    try:
        load = _Load(service.url, keys, answers)
        load.start()
        for progress in (30, 90, 150):
            load.wait_for(progress)
            with shaky.away():
                time.sleep(1.2 if sqlite else 0.3)  # SQLite gives up after 1 s
        load.join()
        for key in keys:
            _retry_until_created(service.url, key, answers[key])
    finally:
        service.stop()
    statuses = [status for tries in answers.values() for status, _ in tries]
    assert set(statuses) <= {201, 503}, (_tally(statuses), service.log()[-3000:])
    assert 503 in statuses, "the outages never reached a request"
    ids = {key: tries[-1][1] for key, tries in answers.items()}
    assert all(tries[-1][0] == 201 for tries in answers.values())
    assert len(set(ids.values())) == LOAD_POSTS
    assert counts(app)[0] == LOAD_POSTS


class _Load:
    """Keyed posts from a few client threads; bounded in count and in time."""

    def __init__(self, url: str, keys: list[str], answers: dict, within: float = 20):
        self._url = f"{url}/api/posts/hello/comments"
        self._keys = iter(keys)
        self._answers = answers
        self._done = 0
        self._lock = threading.Lock()
        self._deadline = time.monotonic() + within
        self._threads = [threading.Thread(target=self._run) for _ in range(CLIENT_THREADS)]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def _run(self) -> None:
        while time.monotonic() < self._deadline:
            with self._lock:
                key = next(self._keys, None)
            if key is None:
                return
            self._answers[key].append(_post(self._url, key))
            with self._lock:
                self._done += 1

    def wait_for(self, progress: int) -> None:
        while self._done < progress and time.monotonic() < self._deadline:
            time.sleep(0.01)

    def join(self) -> None:
        for thread in self._threads:
            thread.join(timeout=max(0.1, self._deadline - time.monotonic()))


def _post(url: str, key: str) -> tuple[int, int | None]:
    body = {**QUESTION, "body": f"{QUESTION['body']} ({key})"}
    status, _, data = request(url, body, {"Origin": BLOG_URL, "Idempotency-Key": key})
    return status, (data or {}).get("id")


def _retry_until_created(url: str, key: str, tries: list, attempts: int = 10) -> None:
    while (not tries or tries[-1][0] != 201) and attempts:
        attempts -= 1
        tries.append(_post(f"{url}/api/posts/hello/comments", key))


def _tally(statuses: list[int]) -> dict[int, int]:
    return {status: statuses.count(status) for status in set(statuses)}


def test_api_description_tells_clients_to_send_keys_and_when_to_retry(client):
    document = client.get("/api/openapi.json").get_json()
    post = document["paths"]["/api/posts/{slug}/comments"]["post"]
    assert "Idempotency-Key" in [parameter["name"] for parameter in post["parameters"]]
    unavailable = post["responses"]["503"]["$ref"].rsplit("/", 1)[-1]
    assert "Retry-After" in document["components"]["responses"][unavailable]["headers"]


def test_every_pooled_connection_in_use_answers_503_after_the_database_timeout(app_with, make_post):
    make_post("hello")
    app = app_with(
        PORCH_DATABASE_POOL_SIZE=1,
        PORCH_DATABASE_TIMEOUT_SECONDS=1,
        PORCH_RETRY_AFTER_SECONDS=RETRY_AFTER,
    )
    with app.app_context(), db.engine.connect():  # the pool's one connection, kept
        started = time.monotonic()
        answer = app.test_client().get("/api/posts/hello/comments")
        waited = time.monotonic() - started
    assert (answer.status_code, answer.headers["Retry-After"]) == (503, str(RETRY_AFTER))
    assert 1 <= waited < 4
    assert app.test_client().get("/api/posts/hello/comments").status_code == 200


@pytest.mark.parametrize("database_url", [b for b in BACKENDS if b != "sqlite"], indirect=True)
def test_after_a_database_restart_the_first_read_of_each_request_reconnects(
    shaky, app, make_post, database_url
):
    """No connection is tested before use: a dropped one fails its first statement,
    the pool is renewed, and that first read is made again (a GET's whole view). A
    SQLite file has no connection to drop."""
    make_post("hello")
    client = shaky.app.test_client()
    reads = (
        lambda: client.get("/api/posts/hello/comments"),  # the replay's lookup
        lambda: client.get("/api/changes"),  # a view through Flask
        lambda: send(client, new_key()),  # a post's first read
    )
    for read in reads:
        assert read().status_code in (200, 201)
        shaky.database.cut()  # a restart: every pooled connection is gone
        shaky.database.restore()
        answer = read()
        assert answer.status_code in (200, 201), answer.get_data(as_text=True)
    assert counts(app) == (2, 0)
