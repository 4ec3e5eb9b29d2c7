"""Who may post, and what caches must keep apart: configured origins only, Vary: Origin."""

import pytest

from comments_service.extensions import db
from comments_service.models import Comment

from .conftest import BLOG_URL

PUBLIC_URL = "https://comments.example.com"
QUESTION = {"author_name": "Robin", "body": "Can crews see each other's routes?"}


@pytest.fixture
def service(app_with, make_post):
    make_post("hello")
    return app_with(PORCH_PUBLIC_URL=PUBLIC_URL)


def post_from(client, **headers):
    return client.post("/api/posts/hello/comments", data=QUESTION, headers=headers)


def stored_comments(app) -> int:
    with app.app_context():
        return db.session.query(Comment).count()


def test_forged_host_does_not_make_a_foreign_origin_ours(service):
    client = service.test_client()
    answer = post_from(client, Host="evil.example", Origin="http://evil.example")
    assert answer.status_code == 403
    assert stored_comments(service) == 0


def test_foreign_referer_without_origin_is_refused(service):
    answer = post_from(service.test_client(), Referer="http://evil.example/page")
    assert answer.status_code == 403


@pytest.mark.parametrize("origin", [BLOG_URL, PUBLIC_URL])
def test_blog_and_the_service_own_public_pages_may_post(service, origin):
    """The service's own page is the form that keeps a reader's text after a mistake."""
    answer = post_from(service.test_client(), Origin=origin)
    assert answer.status_code == 303
    assert stored_comments(service) == 1


def test_the_host_a_request_names_is_not_the_public_url(service):
    answer = post_from(service.test_client(), Origin="http://localhost")
    assert answer.status_code == 403


def test_browsers_may_send_an_idempotency_key_across_origins(service):
    preflight = service.test_client().options(
        "/api/posts/hello/comments",
        headers={
            "Origin": BLOG_URL,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,idempotency-key",
        },
    )
    allowed = preflight.headers["Access-Control-Allow-Headers"].lower()
    assert "idempotency-key" in allowed and "content-type" in allowed


def api_answers(client):
    """One of each kind of API answer: read, unchanged, missing, wrong method, posted,
    refused, preflight, the API description."""
    listed = client.get("/api/posts/hello/comments", headers={"Origin": BLOG_URL})
    yield listed
    yield client.get("/api/posts/hello/comments", headers={"If-None-Match": listed.headers["ETag"]})
    yield client.get("/api/posts/nope/comments", headers={"Origin": "https://evil.example"})
    yield client.put("/api/posts/hello/comments")
    yield client.post("/api/posts/hello/comments", json=QUESTION, headers={"Origin": BLOG_URL})
    yield client.post(
        "/api/posts/hello/comments", json=QUESTION, headers={"Origin": "https://evil.example"}
    )
    yield client.options(
        "/api/posts/hello/comments",
        headers={"Origin": BLOG_URL, "Access-Control-Request-Method": "POST"},
    )
    yield client.get("/api/openapi.json")


def test_every_api_answer_varies_by_origin(service):
    answers = list(api_answers(service.test_client()))
    statuses = [answer.status_code for answer in answers]
    assert statuses == [200, 304, 404, 405, 201, 403, 200, 200]
    for answer in answers:
        assert "Origin" in answer.vary, answer.request.path


def test_rate_limited_answers_vary_by_origin_too(app_with, make_post):
    make_post("hello")
    app = app_with(RATELIMIT_ENABLED=True, PORCH_COMMENT_RATE_LIMIT="1 per minute")
    client = app.test_client()
    answers = [post_from(client, Origin=BLOG_URL) for _ in range(2)]
    assert [answer.status_code for answer in answers] == [303, 429]
    assert "Origin" in answers[1].vary
