"""Moderation policies: publish at once, hold a reader's first comment, or hold every one."""

import pytest
from sqlalchemy import select

from comments_service.enums import Decision
from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus, ModerationAction
from comments_service.services.comments.posting import add_staff_answer
from comments_service.services.moderation import decisions as moderation


def post_json(client, **fields):
    body = {"author_name": "Jo Reader", "body": "How do I export my schedule?", **fields}
    return client.post("/api/posts/hello/comments", json=body)


def status_of(response) -> str:
    assert response.status_code == 201, response.get_json()
    return response.get_json()["status"]


def approve(app, comment_id, staff):
    with app.app_context():
        moderation.approve(db.session.get(Comment, comment_id), db.session.merge(staff))
        db.session.commit()


def hold_reason(app, comment_id) -> str:
    with app.app_context():
        action = db.session.scalar(
            select(ModerationAction).where(ModerationAction.comment_id == comment_id)
        )
        assert action.action == Decision.HOLD
        return action.reason


def test_publish_policy_publishes_a_new_readers_comment_at_once(app_with, make_post):
    app = app_with(PORCH_MODERATION_POLICY="publish")
    make_post("hello")
    assert status_of(post_json(app.test_client(), email="new@example.com")) == "approved"


def test_first_time_policy_holds_a_readers_first_comment_then_trusts_their_address(
    app_with, make_post, make_staff
):
    app = app_with(PORCH_MODERATION_POLICY="first-time")
    make_post("hello")
    ana = make_staff("Ana Lima")
    client = app.test_client()
    first = post_json(client, email="jo@example.com")
    assert status_of(first) == "pending"
    assert hold_reason(app, first.get_json()["id"]) == (
        "first comment from this email address (policy: first-time)"
    )
    assert status_of(post_json(client, email="jo@example.com", body="Still waiting")) == "pending"
    approve(app, first.get_json()["id"], ana)
    assert status_of(post_json(client, email="Jo@Example.com", body="Thanks!")) == "approved"
    assert status_of(post_json(client, email="someone@example.com")) == "pending"


def test_first_time_policy_holds_readers_who_give_no_email_every_time(app_with, make_post):
    app = app_with(PORCH_MODERATION_POLICY="first-time")
    make_post("hello")
    client = app.test_client()
    answers = [post_json(client, body=f"Question {n}") for n in range(2)]
    assert [status_of(answer) for answer in answers] == ["pending", "pending"]
    assert hold_reason(app, answers[0].get_json()["id"]).startswith("no email address")


def test_queue_policy_holds_even_a_reader_with_published_comments(
    app_with, make_post, make_comment
):
    app = app_with(PORCH_MODERATION_POLICY="queue")
    post = make_post("hello")
    make_comment(post, author_email="jo@example.com")
    held = post_json(app.test_client(), email="jo@example.com")
    assert status_of(held) == "pending"
    assert hold_reason(app, held.get_json()["id"]).endswith("(policy: queue)")


@pytest.mark.parametrize("policy", ["first-time", "queue"])
def test_staff_answers_are_never_held(app_with, make_post, make_staff, make_comment, policy):
    app = app_with(PORCH_MODERATION_POLICY=policy)
    post = make_post("hello")
    ana = make_staff("Ana Lima")
    question = make_comment(post)
    with app.app_context():
        answer = add_staff_answer(
            db.session.get(Comment, question.id), db.session.merge(ana), "Yes"
        )
        db.session.commit()
        assert answer.status == CommentStatus.APPROVED


def test_a_spam_verdict_wins_over_the_policy(app_with, make_post):
    app = app_with(PORCH_MODERATION_POLICY="first-time")
    make_post("hello")
    response = post_json(app.test_client(), leave_blank="http://spam.example")
    with app.app_context():
        assert db.session.get(Comment, response.get_json()["id"]).status == CommentStatus.SPAM
