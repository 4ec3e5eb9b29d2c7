"""The thread view in plain words, and answering, approving and tagging from it: each
action comes back to the thread, and only to a thread."""

import re

import pytest

from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus

from .conftest import answer_fields, csrf_token


@pytest.fixture
def thread(make_staff, make_post, make_comment, login):
    """Ana's post: Ana Lima's own answer under Priya, and Lee's held reply to Priya."""
    ana = make_staff("Ana Lima")
    post = make_post("mine")
    priya = make_comment(post, name="Priya", minutes_ago=30)
    answer = make_comment(post, parent=priya, staff=ana, minutes_ago=20)
    held = make_comment(
        post, parent=priya, name="Lee", minutes_ago=10, status=CommentStatus.PENDING
    )
    make_comment(post, name="Elsewhere", minutes_ago=5)
    login(ana)
    return {
        "priya": priya,
        "answer": answer,
        "held": held,
        "url": f"/moderation/comments/{held.id}/thread",
    }


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def form_action(html: str, comment_id: int, action: str) -> str:
    found = re.search(rf'action="(/moderation/comments/{comment_id}/{action}\?[^"]*)"', html)
    assert found, f"no {action} form for comment {comment_id}"
    return found[1].replace("&amp;", "&")


def test_the_thread_says_who_replies_to_whom_in_plain_words(client, thread):
    html = client.get(thread["url"]).get_data(as_text=True)
    text = visible_text(html)
    assert "depth" not in text.lower()
    assert "reply to Priya" in text
    assert "Elsewhere" not in text
    assert all(name in text for name in ("Priya", "Ana Lima", "Lee"))
    assert re.search(rf'class="[^"]*indent-1[^"]*" id="comment-{thread["held"].id}"', html)


def test_approving_from_the_thread_comes_back_to_it(app, client, thread):
    html = client.get(thread["url"]).get_data(as_text=True)
    action = form_action(html, thread["held"].id, "approve")
    response = client.post(action, data={"csrf_token": csrf_token(html)})
    assert response.status_code == 303
    assert response.location == thread["url"]
    with app.app_context():
        assert db.session.get(Comment, thread["held"].id).status == CommentStatus.APPROVED
    assert "approved" in client.get(thread["url"]).get_data(as_text=True)


def test_answering_from_the_thread_publishes_and_comes_back_to_it(app, client, thread):
    html = client.get(thread["url"]).get_data(as_text=True)
    lee = thread["held"].id
    fields = answer_fields(html, lee)
    response = client.post(
        form_action(html, lee, "answer"), data={**fields, "body": "Welcome, Lee!"}
    )
    assert response.status_code == 303
    assert response.location == thread["url"]
    with app.app_context():
        reply = db.session.scalars(db.select(Comment).where(Comment.parent_id == lee)).one()
        assert (reply.body_markdown, reply.status) == ("Welcome, Lee!", CommentStatus.APPROVED)
    assert "Welcome, Lee!" in client.get(thread["url"]).get_data(as_text=True)


def test_a_refused_answer_comes_back_to_the_thread_with_the_text(client, thread):
    html = client.get(thread["url"]).get_data(as_text=True)
    lee = thread["held"].id
    fields = answer_fields(html, lee)
    response = client.post(form_action(html, lee, "answer"), data={**fields, "body": "   "})
    assert response.location == f"{thread['url']}#comment-{lee}"


def test_tagging_from_the_thread_comes_back_to_it(app, client, thread):
    html = client.get(thread["url"]).get_data(as_text=True)
    priya = thread["priya"].id
    response = client.post(
        form_action(html, priya, "tag"), data={"csrf_token": csrf_token(html), "kind": "question"}
    )
    assert response.status_code == 303
    assert response.location.startswith(thread["url"])
    with app.app_context():
        assert db.session.get(Comment, priya).kind == "question"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/moderation/comments/1/thread",
        "//evil.example/x",
        "/moderation/",
        "/auth/logout",
    ],
)
def test_only_a_thread_address_is_followed_back(client, thread, target):
    html = client.get(thread["url"]).get_data(as_text=True)
    response = client.post(
        f"/moderation/comments/{thread['held'].id}/approve",
        query_string={"next": target},
        data={"csrf_token": csrf_token(html)},
    )
    assert response.status_code == 303
    assert response.location == "/moderation/"
