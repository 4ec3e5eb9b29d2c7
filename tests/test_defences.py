"""Cheap defences before Akismet: the honeypot, the fill time, links, rate limits."""

import uuid

import pytest
import redis
from sqlalchemy import select

from comments_service.enums import Decision
from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus, ModerationAction
from comments_service.queries.states import in_spam

from .browser_support import clean_environment
from .conftest import BLOG_URL
from .server_support import Gunicorn, request

REDIS_URL = "redis://127.0.0.1:6379/11"


def post_json(client, address="192.0.2.1", **fields):
    body = {"author_name": "Jo Reader", "body": "How do I export my schedule?", **fields}
    return client.post(
        "/api/posts/hello/comments", json=body, environ_base={"REMOTE_ADDR": address}
    )


def post_form(client, **fields):
    body = {"author_name": "Jo Reader", "body": "How do I export my schedule?", **fields}
    return client.post("/api/posts/hello/comments", data=body)


def only_comment(app) -> tuple[Comment, list[tuple[Decision, str]]]:
    with app.app_context():
        (comment,) = db.session.scalars(select(Comment)).all()
        actions = db.session.scalars(select(ModerationAction)).all()
        db.session.expunge(comment)
        return comment, [(action.action, action.reason) for action in actions]


def test_a_filled_honeypot_lands_in_spam_with_its_reason_and_looks_pending(client, app, make_post):
    make_post("hello")
    response = post_json(client, leave_blank="http://spam.example")
    assert (response.status_code, response.get_json()["status"]) == (201, "pending")
    comment, actions = only_comment(app)
    assert comment.status == CommentStatus.SPAM
    assert actions == [(Decision.SPAM, "honeypot field was filled in")]
    with app.app_context():
        assert [c.id for c in db.session.scalars(in_spam())] == [comment.id]


def test_a_filled_honeypot_in_a_plain_form_lands_in_spam(client, app, make_post):
    make_post("hello")
    response = post_form(client, leave_blank="I am a bot")
    assert response.headers["Location"].endswith("#comment-status-pending")
    assert only_comment(app)[0].status == CommentStatus.SPAM


@pytest.mark.parametrize("send", [post_json, post_form])
def test_a_form_sent_faster_than_people_type_lands_in_spam(client, app, make_post, send):
    make_post("hello")
    send(client, fill_seconds="1.2" if send is post_form else 1.2)
    comment, actions = only_comment(app)
    assert comment.status == CommentStatus.SPAM
    assert actions == [(Decision.SPAM, "sent 1.2 s after the page opened (under 3 s)")]


@pytest.mark.parametrize("fill_seconds", [None, "", 3, "12.5"])
def test_readers_who_take_their_time_or_send_no_timing_are_published(
    client, make_post, fill_seconds
):
    make_post("hello")
    fields = {} if fill_seconds is None else {"fill_seconds": fill_seconds}
    assert post_json(client, **fields).get_json()["status"] == "approved"


@pytest.mark.parametrize("fill_seconds", ["soon", -1, True, "1e3", [2]])
def test_a_fill_time_that_is_not_a_number_of_seconds_is_refused(client, make_post, fill_seconds):
    make_post("hello")
    response = post_json(client, fill_seconds=fill_seconds)
    assert response.status_code == 400
    assert "fill_seconds" in response.get_json()["message"]


def test_the_minimum_fill_time_is_a_setting(app_with, make_post):
    app = app_with(PORCH_MIN_FILL_SECONDS=10)
    make_post("hello")
    assert post_json(app.test_client(), fill_seconds=9).get_json()["status"] == "pending"


def test_bare_addresses_are_linked_for_readers(client, make_post):
    make_post("hello")
    html = post_json(client, body="See https://docs.example/export").get_json()["comment"]["html"]
    assert html == (
        '<p>See <a href="https://docs.example/export" rel="nofollow ugc">'
        "https://docs.example/export</a></p>"
    )


def test_bare_addresses_count_towards_the_link_limit(client, app, make_post):
    make_post("hello")
    body = "Cheap: https://a.example www.b.example https://c.example/x http://d.example"
    assert post_json(client, body=body).get_json()["status"] == "pending"
    assert only_comment(app)[1] == [(Decision.HOLD, "4 links (more than 3)")]


def limited_app(app_with, **overrides):
    limits = {"PORCH_COMMENT_RATE_LIMIT": "100 per minute", "PORCH_POST_RATE_LIMIT": "3 per minute"}
    return app_with(RATELIMIT_ENABLED=True, **{**limits, **overrides})


def test_a_busy_post_refuses_more_comments_with_retry_after(app_with, make_post):
    app = limited_app(app_with)
    make_post("hello")
    make_post("other")
    client = app.test_client()
    answers = [post_json(client, address=f"192.0.2.{n}") for n in range(1, 5)]
    assert [answer.status_code for answer in answers] == [201, 201, 201, 429]
    refused = answers[-1]
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert refused.get_json()["message"] == (
        "Many comments are arriving on this post right now; please try again in a minute."
    )
    other = client.post(
        "/api/posts/other/comments", json={"author_name": "Jo", "body": "Hello"}, headers={}
    )
    assert other.status_code == 201, "the limit is per post"


def test_a_busy_post_tells_a_plain_form_reader_too(app_with, make_post):
    app = limited_app(app_with, PORCH_POST_RATE_LIMIT="1 per minute")
    make_post("hello")
    client = app.test_client()
    post_form(client)
    refused = post_form(client)
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    page = refused.get_data(as_text=True)
    assert "Many comments are arriving on this post right now" in page
    assert BLOG_URL in page


@pytest.fixture
def busy_post(make_post):
    """A post of this test's own, so counters other runs left in Redis cannot count here;
    its counters are removed after."""
    slug = f"busy-{uuid.uuid4().hex[:12]}"
    make_post(slug)
    store = redis.Redis.from_url(REDIS_URL)
    store.ping()
    yield slug
    for key in store.scan_iter(f"*post:{slug}*"):
        store.delete(key)
    store.close()


def test_two_service_hosts_share_the_per_post_limit_in_redis(database_url, busy_post, tmp_path):
    """Two gunicorn processes, as two hosts: each alone would let 3 through, together 3."""
    env = clean_environment(
        DATABASE_URL=database_url,
        SECRET_KEY="defences-secret",
        BLOG_URL=BLOG_URL,
        COMMENT_RATE_LIMIT="100 per minute",
        POST_RATE_LIMIT="3 per minute",
        RATELIMIT_STORAGE_URI=REDIS_URL,
        TRUSTED_PROXIES="1",
    )
    hosts = []
    try:
        for n in range(2):
            host_env = {**env, "PORCH_INSTANCE_PATH": str(tmp_path / f"host{n}")}
            hosts.append(Gunicorn(host_env, tmp_path / f"host{n}.log").start())
        answers = [
            request(
                f"{hosts[n % 2].url}/api/posts/{busy_post}/comments",
                {"author_name": "Jo", "body": f"Question {n}"},
                {"Origin": BLOG_URL, "X-Forwarded-For": f"192.0.2.{n + 1}"},
            )
            for n in range(6)
        ]
    finally:
        for host in hosts:
            host.stop()
    assert [status for status, _, _ in answers] == [201, 201, 201, 429, 429, 429]
    assert all(int(headers["Retry-After"]) > 0 for _, headers, _ in answers[3:])
