"""Thread reads: one indexed lookup, then a kept body or a 304, on SQLite and PostgreSQL.

SQL statements are counted with an event listener on the service's own engine:
observing what the database is asked, not replacing anything.
"""

import gzip
import json
import sys
import threading
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from comments_service.api.reading import thread_cache
from comments_service.extensions import db
from comments_service.models import Comment, Post
from comments_service.services.comments.thread_cache import CachedThread, ThreadCache, ThreadKey
from comments_service.services.comments.threads import published_thread, thread_page
from comments_service.services.moderation import decisions as moderation

from .conftest import BLOG_URL

THREAD = "/api/posts/hello/comments"


@contextmanager
def counted_statements(app):
    """Every SQL statement the app sends while the block runs."""
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def post_comment(client, body="How do I export my schedule?", **fields):
    answer = client.post(
        THREAD,
        json={"author_name": "Jo Reader", "body": body, **fields},
        headers={"Origin": BLOG_URL},
    )
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["id"]


def bodies(answer) -> list[str]:
    return [node["html"] for node in answer.get_json()["comments"]]


def reads_comments(statements) -> bool:
    return any("FROM comments" in statement for statement in statements)


def decide(app, action, comment_id, staff, *args):
    """A staff decision as a view takes it: one commit at the end."""
    with app.app_context():
        action(db.session.get(Comment, comment_id), db.session.merge(staff), *args)
        db.session.commit()


def test_a_second_read_is_one_lookup_and_no_thread_query(app, client, make_post):
    make_post("hello")
    post_comment(client)
    with counted_statements(app) as statements:
        first = client.get(THREAD)
    assert first.status_code == 200
    assert reads_comments(statements)
    with counted_statements(app) as statements:
        second = client.get(THREAD)
    assert len(statements) == 1
    assert "FROM posts" in statements[0] and "WHERE posts.slug" in statements[0]
    assert second.get_data() == first.get_data()
    assert second.headers["ETag"] == first.headers["ETag"]


def test_a_304_costs_one_query(app, client, make_post):
    make_post("hello")
    post_comment(client)
    etag = client.get(THREAD).headers["ETag"]
    with counted_statements(app) as statements:
        answer = client.get(THREAD, headers={"If-None-Match": etag})
    assert answer.status_code == 304
    assert answer.get_data() == b""
    assert answer.headers["ETag"] == etag
    assert len(statements) == 1
    assert not reads_comments(statements)


def test_a_304_is_answered_before_any_body_is_made(app_with, make_post):
    """Another host, whose cache never held the thread, answers the ETag from the first."""
    first, other = app_with(), app_with()
    make_post("hello")
    etag = first.test_client().get(THREAD).headers["ETag"]
    with counted_statements(other) as statements:
        answer = other.test_client().get(THREAD, headers={"If-None-Match": etag})
    assert (answer.status_code, len(statements)) == (304, 1)
    assert len(thread_cache(other)) == 0


def test_a_write_changes_the_body_and_the_etag(app, client, make_post):
    make_post("hello")
    post_comment(client, body="First question")
    before = client.get(THREAD)
    post_comment(client, body="Second question")
    after = client.get(THREAD, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert bodies(after) == ["<p>First question</p>", "<p>Second question</p>"]
    assert after.get_json()["version"] == before.get_json()["version"] + 1
    assert after.get_json()["count"] == 2


def test_the_cached_body_is_the_thread_as_built(app, client, make_post, make_comment):
    post = make_post("hello")
    top = make_comment(post, name="Ana")
    make_comment(post, parent=top, name="Bo")
    cached = client.get(THREAD).get_json()
    with app.app_context():
        built = published_thread(db.session.get(Post, post.id))
    assert cached == {"post": {"slug": "hello", "title": "Hello"}, **built}


def test_pages_are_kept_apart_and_each_is_right(app_with, make_post, make_comment):
    app = app_with(PORCH_COMMENTS_PER_PAGE=2)
    client = app.test_client()
    post = make_post("hello")
    tops = [make_comment(post, name=f"Reader {n}", minutes_ago=10 - n) for n in range(5)]
    make_comment(post, parent=tops[2], name="Replier", minutes_ago=1)
    pages = {n: client.get(f"{THREAD}?page={n}") for n in (1, 2, 3)}
    names = {n: [c["author_name"] for c in pages[n].get_json()["comments"]] for n in pages}
    assert names == {
        1: ["Reader 0", "Reader 1"],
        2: ["Reader 2", "Replier", "Reader 3"],
        3: ["Reader 4"],
    }
    assert [pages[n].get_json()["page"] for n in pages] == [1, 2, 3]
    assert {pages[n].get_json()["pages"] for n in pages} == {3}
    assert {pages[n].get_json()["count"] for n in pages} == {6}
    assert len({pages[n].headers["ETag"] for n in pages}) == 3
    with app.app_context():
        whole = published_thread(db.session.get(Post, post.id))
    expected = {**thread_page(whole, 2, 2), "per_page": 2}
    assert pages[2].get_json() == {"post": {"slug": "hello", "title": "Hello"}, **expected}
    with counted_statements(app) as statements:
        again = client.get(f"{THREAD}?page=2")
    assert (len(statements), again.get_data()) == (1, pages[2].get_data())


def test_a_page_the_thread_does_not_have_is_404_every_time(app_with, make_post, make_comment):
    app = app_with(PORCH_COMMENTS_PER_PAGE=2)
    client = app.test_client()
    make_comment(make_post("hello"))
    for _ in range(2):
        answer = client.get(f"{THREAD}?page=2")
        assert answer.status_code == 404
        assert answer.get_json() == {
            "error": "unknown_page",
            "message": "Pages of this thread are numbered 1 to 1, not '2'.",
        }
    assert client.get(f"{THREAD}?page=x").status_code == 404


def test_a_removed_comment_becomes_a_placeholder_above_its_reply(
    app, client, make_post, make_staff, make_comment
):
    post, ana = make_post("hello"), make_staff("Ana Lima")
    rude = make_comment(post, name="Rude", minutes_ago=5)
    make_comment(post, parent=rude, name="Fair", minutes_ago=1)
    assert [c["author_name"] for c in client.get(THREAD).get_json()["comments"]] == [
        "Rude",
        "Fair",
    ]
    decide(app, moderation.delete, rude.id, ana)
    thread = client.get(THREAD).get_json()
    assert [(c["id"], c["author_name"], c.get("removed")) for c in thread["comments"]] == [
        (rude.id, None, True),
        (rude.id + 1, "Fair", None),
    ]
    assert thread["count"] == 1


def test_a_dismissal_shows_at_once(app, client, make_post, make_staff, make_comment):
    """Whether a comment waits is part of the body, so it moves the version too."""
    post, ana = make_post("hello"), make_staff("Ana Lima")
    question = make_comment(post)
    assert client.get(THREAD).get_json()["comments"][0]["waiting"] is True
    decide(app, moderation.dismiss, question.id, ana, "Thanks only.")
    assert client.get(THREAD).get_json()["comments"][0]["waiting"] is False


def test_a_new_title_is_a_new_body_though_the_version_stays(app, client, make_post):
    post = make_post("hello")
    before = client.get(THREAD)
    with app.app_context():
        db.session.get(Post, post.id).title = "Hello again"
        db.session.commit()
    after = client.get(THREAD, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.get_json()["post"] == {"slug": "hello", "title": "Hello again"}
    assert after.get_json()["version"] == before.get_json()["version"]


def test_each_host_keeps_its_own_cache_and_still_reads_the_latest(app_with, make_post):
    """Two service hosts on one database: a comment posted on one is read on the other."""
    host_a, host_b = app_with(), app_with()
    make_post("hello")
    a, b = host_a.test_client(), host_b.test_client()
    post_comment(a, body="On host A")
    assert bodies(b.get(THREAD)) == ["<p>On host A</p>"]
    post_comment(a, body="Again on host A")
    assert bodies(b.get(THREAD)) == ["<p>On host A</p>", "<p>Again on host A</p>"]
    assert thread_cache(host_a) is not thread_cache(host_b)


def test_the_gzipped_body_is_the_same_json(client, make_post, make_comment):
    make_comment(make_post("hello"), name="Zoë Ünal")
    plain = client.get(THREAD)
    zipped = client.get(THREAD, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain.headers
    assert json.loads(gzip.decompress(zipped.get_data())) == plain.get_json()
    assert zipped.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'
    assert zipped.headers["Vary"] == plain.headers["Vary"] == "Accept-Encoding, Origin"
    again = client.get(
        THREAD, headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]}
    )
    assert (again.status_code, again.headers["ETag"]) == (304, zipped.headers["ETag"])


def test_an_unknown_post_is_404(client):
    answer = client.get("/api/posts/nowhere/comments")
    assert answer.status_code == 404
    assert answer.get_json()["error"] == "unknown_post"


# The cache itself


def key(n: int, version: int = 1) -> ThreadKey:
    return ThreadKey(post_id=n, version=version, page=1, per_page=50, title="T")


def entry(size: int) -> CachedThread:
    return CachedThread(body=b"x" * size, gzipped=b"")


def test_the_cache_forgets_the_least_recently_used_first():
    cache = ThreadCache(max_bytes=300)
    for n in (1, 2, 3):
        cache.put(key(n), entry(100))
    assert cache.get(key(1)) is not None  # 1 is now the most recent
    cache.put(key(4), entry(100))
    assert [cache.get(key(n)) is not None for n in (1, 2, 3, 4)] == [True, False, True, True]
    assert cache.held_bytes == 300


def test_the_cache_never_holds_more_than_its_bytes():
    cache = ThreadCache(max_bytes=250)
    cache.put(key(1), entry(100))
    cache.put(key(2), entry(200))
    assert (len(cache), cache.held_bytes, cache.get(key(1))) == (1, 200, None)
    cache.put(key(3), entry(251))
    assert (len(cache), cache.get(key(3))) == (1, None)


def test_a_key_put_again_is_counted_once():
    cache = ThreadCache(max_bytes=1000)
    cache.put(key(1), entry(100))
    cache.put(key(1), entry(150))
    assert (len(cache), cache.held_bytes) == (1, 150)


def test_the_cache_stays_whole_when_many_threads_use_it_at_once():
    """A gthread worker's threads share one cache: its count must never drift or break."""
    cache, size, workers = ThreadCache(max_bytes=100 * 10), 10, 8
    errors = []

    def churn(offset: int) -> None:
        try:
            for n in range(3000):
                cache.put(key((n * 7 + offset) % 150), entry(size))
                cache.get(key((n * 11 + offset) % 150))
        except Exception as error:  # noqa: BLE001 - any error in a thread fails the test
            errors.append(error)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter allows
    try:
        threads = [threading.Thread(target=churn, args=(n,)) for n in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
    assert cache.held_bytes == len(cache) * size <= cache.max_bytes


@pytest.mark.parametrize(
    "other",
    [
        ThreadKey(1, 2, 1, 50, "T"),
        ThreadKey(1, 1, 2, 50, "T"),
        ThreadKey(1, 1, 1, 20, "T"),
        ThreadKey(1, 1, None, 50, "T"),
        ThreadKey(2, 1, 1, 50, "T"),
        ThreadKey(1, 1, 1, 50, "U"),
    ],
)
def test_every_part_of_the_key_changes_the_etag(other):
    assert other.etag != key(1).etag
