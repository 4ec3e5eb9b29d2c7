"""Thread reads replayed in front of Flask (comments_service/replay.py): the same bytes
Flask gives, on SQLite and PostgreSQL, and Flask for everything it cannot vouch for.

Each app counts the requests that reach Flask with a ``before_request`` hook of its
own, so a test sees which answers were replayed.
"""

import time

import pytest
from sqlalchemy import delete

from comments_service.extensions import db
from comments_service.models import Post

from .conftest import BLOG_URL
from .test_outage import RETRY_AFTER, shaky  # noqa: F401 - the fixture of a database that goes away

THREAD = "/api/posts/hello/comments"
OTHER_ORIGIN = "https://elsewhere.example"
VARIANTS = [
    pytest.param({}, id="no-origin"),
    pytest.param({"Origin": BLOG_URL}, id="blog"),
    pytest.param({"Origin": OTHER_ORIGIN}, id="other-origin"),
    pytest.param({"Origin": BLOG_URL, "Accept-Encoding": "gzip, deflate, br"}, id="blog-gzip"),
]


def counting_flask(app) -> list:
    """The requests that reach Flask from now on."""
    reached = []
    app.before_request(lambda: reached.append(1) and None)
    return reached


def exactly(answer) -> tuple:
    return answer.status, sorted(answer.headers.to_wsgi_list()), answer.get_data()


@pytest.fixture
def threads(app, app_with, make_post, make_comment):
    """The service with the replay, the same service without it, and a thread of three."""
    post = make_post("hello")
    first = make_comment(post, name="Robin", body_markdown="Which crews see it?")
    make_comment(post, parent=first, name="Jo", body_markdown="All of them.")
    make_comment(post, name="Sam", body_markdown="Long question. " * 60)
    return app, app_with(PORCH_REPLAY_THREADS=False)


@pytest.mark.parametrize("headers", VARIANTS)
@pytest.mark.parametrize("query", ["", "?page=1", "?page=9"])
def test_replayed_read_is_byte_for_byte_what_flask_answers(threads, headers, query):
    fast, flask_only = threads
    reached = counting_flask(fast)
    client = fast.test_client()
    first, again = (
        client.get(THREAD + query, headers=headers),
        client.get(THREAD + query, headers=headers),
    )
    expected = exactly(flask_only.test_client().get(THREAD + query, headers=headers))
    assert exactly(first) == expected
    assert exactly(again) == expected
    assert len(reached) == (2 if query == "?page=9" else 1), "a 404 page is never kept"


def test_replayed_read_has_cors_for_the_blog_only_and_the_security_headers(threads):
    client = threads[0].test_client()
    for _ in range(2):
        blog = client.get(THREAD, headers={"Origin": BLOG_URL})
        other = client.get(THREAD, headers={"Origin": OTHER_ORIGIN})
    assert blog.headers["Access-Control-Allow-Origin"] == BLOG_URL
    assert "Access-Control-Allow-Origin" not in other.headers
    for answer in (blog, other):
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] == "same-origin"
        assert answer.headers["Cache-Control"] == "public, max-age=0, s-maxage=10"
        assert answer.headers["Vary"] == "Accept-Encoding, Origin"
        assert "Set-Cookie" not in answer.headers


def test_if_none_match_gets_flasks_304_again(threads):
    fast, flask_only = threads
    reached = counting_flask(fast)
    client = fast.test_client()
    etag = client.get(THREAD, headers={"Origin": BLOG_URL}).headers["ETag"]
    conditional = {"Origin": BLOG_URL, "If-None-Match": etag}
    answers = [client.get(THREAD, headers=conditional) for _ in range(3)]
    expected = exactly(flask_only.test_client().get(THREAD, headers=conditional))
    assert expected[0] == "304 NOT MODIFIED"
    assert [exactly(answer) for answer in answers] == [expected] * 3
    assert len(reached) == 2, "one full read and one 304 made by Flask, the rest replayed"


def test_a_new_comment_changes_the_answer_at_once(threads):
    client = threads[0].test_client()
    before = client.get(THREAD, headers={"Origin": BLOG_URL})
    client.get(THREAD, headers={"Origin": BLOG_URL})
    posted = client.post(
        THREAD, json={"author_name": "Kim", "body": "And offline?"}, headers={"Origin": BLOG_URL}
    )
    assert posted.status_code == 201
    after = client.get(
        THREAD, headers={"Origin": BLOG_URL, "If-None-Match": before.headers["ETag"]}
    )
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.get_json()["count"] == before.get_json()["count"] + 1
    assert "Kim" in after.get_data(as_text=True)


@pytest.mark.parametrize("slug", ["nothing-here", "a" * 400])
def test_unknown_post_is_flasks_404(threads, slug):
    fast, flask_only = threads
    path = f"/api/posts/{slug}/comments"
    answers = [fast.test_client().get(path, headers={"Origin": BLOG_URL}) for _ in range(2)]
    expected = exactly(flask_only.test_client().get(path, headers={"Origin": BLOG_URL}))
    assert expected[0] == "404 NOT FOUND"
    assert [exactly(answer) for answer in answers] == [expected] * 2


def test_a_removed_post_is_a_404_at_once(app, make_post):
    make_post("quiet")
    client = app.test_client()
    path = "/api/posts/quiet/comments"
    assert [client.get(path).status_code for _ in range(2)] == [200, 200]
    with app.app_context():
        db.session.execute(delete(Post).where(Post.slug == "quiet"))
        db.session.commit()
    gone = client.get(path)
    assert gone.status_code == 404
    assert gone.get_json()["error"] == "unknown_post"


def test_requests_with_a_cookie_and_other_methods_go_to_flask(threads):
    fast, flask_only = threads
    reached = counting_flask(fast)
    client = fast.test_client()
    client.get(THREAD)
    client.head(THREAD)
    client.set_cookie("session", "x")
    client.get(THREAD)
    assert len(reached) == 3
    preflight = {"Origin": BLOG_URL, "Access-Control-Request-Method": "POST"}
    expected = exactly(flask_only.test_client().options(THREAD, headers=preflight))
    assert exactly(client.options(THREAD, headers=preflight)) == expected


def test_a_kept_read_still_answers_503_while_the_database_is_away(shaky, make_post):  # noqa: F811
    make_post("hello")
    client = shaky.app.test_client()
    assert [client.get(THREAD).status_code for _ in range(2)] == [200, 200]
    with shaky.away():
        started = time.monotonic()
        away = client.get(THREAD, headers={"Origin": BLOG_URL})
        waited = time.monotonic() - started
    if shaky.url.startswith("sqlite"):  # WAL: a writer holding the file stops no reader
        assert away.status_code == 200
        return
    assert waited < 1.8, "the database is waited for once (PORCH_DATABASE_TIMEOUT_SECONDS=1)"
    assert away.status_code == 503
    assert away.headers["Retry-After"] == str(RETRY_AFTER)
    assert away.get_json()["error"] == "service_unavailable"
    assert client.get(THREAD).status_code == 200


def test_with_the_replay_off_every_read_reaches_flask(threads):
    fast, flask_only = threads
    counts = []
    for app in (fast, flask_only):
        reached = counting_flask(app)
        client = app.test_client()
        for _ in range(3):
            client.get(THREAD, headers={"Origin": BLOG_URL})
        counts.append(len(reached))
    assert counts == [1, 3]


def test_a_slug_beyond_ascii_is_replayed_too(app, make_post):
    make_post("café-crème")
    reached = counting_flask(app)
    client = app.test_client()
    answers = [client.get("/api/posts/caf%C3%A9-cr%C3%A8me/comments") for _ in range(2)]
    assert [answer.get_json()["post"]["slug"] for answer in answers] == ["café-crème"] * 2
    assert len(reached) == 1
