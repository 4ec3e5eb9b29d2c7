"""Readers get no cookies: the API and every page a reader reaches from the blog or an
email answer without Set-Cookie. Only the pages whose button carries a CSRF token
(confirming an address, subscribing again once the emails stopped, erasing one's data)
set the session cookie that holds it."""

import pytest

from comments_service.extensions import db
from comments_service.models import SubscriberAddress, Subscription
from comments_service.services.privacy.requests import EXPORT, FORGET
from comments_service.services.tokens import CONFIRM, UNSUBSCRIBE, Tokens

from .conftest import BLOG_URL


@pytest.fixture
def scene(app, make_post, make_comment):
    """A published comment by Jo, with a confirmed address and a subscription."""
    post = make_post("hello")
    comment = make_comment(post, author_email="jo@reader.test")
    with app.app_context():
        address = SubscriberAddress(email="jo@reader.test")
        db.session.add(address)
        db.session.flush()
        subscription = Subscription(comment_id=comment.id, address_id=address.id, scope="team")
        db.session.add(subscription)
        db.session.commit()
        tokens = Tokens(app.config["SECRET_KEY"])
        return {
            "comment": comment.id,
            "confirm": tokens.make(CONFIRM, subscription),
            "unsubscribe": tokens.make(UNSUBSCRIBE, subscription),
            "export": tokens.make(EXPORT, comment),
            "forget": tokens.make(FORGET, comment),
        }


def cookies_set(response) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def test_reading_through_the_api_sets_no_cookie(client, scene):
    for path in (
        "/api/posts/hello/comments",
        "/api/posts/hello/comments?page=1",
        "/api/changes",
        "/api/openapi.json",
        f"/c/{scene['comment']}",
        "/api/posts/nothing-here/comments",
    ):
        response = client.get(path, headers={"Origin": BLOG_URL})
        assert response.status_code in (200, 302, 404), path
        assert cookies_set(response) == [], path


def test_writing_through_the_api_sets_no_cookie(client, scene):
    created = client.post(
        "/api/posts/hello/comments", json={"author_name": "Jo", "body": "Hello"}
    ).get_json()
    token = created["own_token"]
    answers = [
        client.post("/api/preview", json={"body": "Hi"}),
        client.post("/api/comments/mine", json={"tokens": [token]}),
        client.patch(f"/api/comments/{created['id']}", json={"token": token, "body": "Hey"}),
        client.delete(f"/api/comments/{created['id']}", json={"token": token}),
        client.post("/api/posts/hello/comments", data={"author_name": "", "body": "no name"}),
    ]
    assert [cookies_set(response) for response in answers] == [[]] * len(answers)
    assert answers[-1].status_code == 422


def test_readers_pages_set_no_cookie(client, scene):
    for path in (
        f"/reply/{scene['comment']}",
        f"/subscriptions/unsubscribe/{scene['unsubscribe']}",
        "/privacy/request",
        f"/privacy/export/{scene['export']}",
        "/subscriptions/confirm/not-a-token",
        "/reply/999999",
    ):
        response = client.get(path)
        assert response.status_code in (200, 400, 404), path
        assert cookies_set(response) == [], path


@pytest.mark.parametrize("page", ["confirm", "forget"])
def test_only_a_button_that_needs_a_csrf_token_sets_the_session_cookie(client, scene, page):
    prefix = "/subscriptions" if page == "confirm" else "/privacy"
    response = client.get(f"{prefix}/{page}/{scene[page]}")
    assert response.status_code == 200
    (cookie,) = cookies_set(response)
    assert cookie.startswith("session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
