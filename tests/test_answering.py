"""Answers from the moderation page: held comments, refused text kept, editing your own."""

import re

import pytest
from sqlalchemy import select

from comments_service.enums import Decision
from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus, ModerationAction, Role, Staff, utcnow
from comments_service.services.site.export import export_document

from .conftest import BLOG_URL, answer_fields, csrf_token
from .test_baking import bake
from .test_moderation import staff_answer


def html_of(client, path="/moderation/"):
    return client.get(path).get_data(as_text=True)


def post_form(client, path, **data):
    return client.post(path, data={**data, "csrf_token": csrf_token(html_of(client))})


def answer(client, comment_id: int, body: str, page: str = "/moderation/"):
    """Answer from the moderation page, with the fields its answer form carries."""
    fields = answer_fields(html_of(client, page), comment_id)
    query = page.partition("?")[2]
    path = f"/moderation/comments/{comment_id}/answer" + (f"?{query}" if query else "")
    return client.post(path, data={**fields, "body": body})


def test_answering_a_held_comment_approves_it_and_links_to_the_answer_on_the_blog(
    client, app, make_staff, make_post, make_comment, login
):
    held = make_comment(make_post("mine"), name="Held Reader", status=CommentStatus.PENDING)
    login(make_staff("Ana Lima"))
    page = html_of(client, "/moderation/?view=held")
    assert f'id="answer-{held.id}"' in page and "Approve and publish answer" in page
    response = answer(client, held.id, "Yes.", page="/moderation/?view=held")
    assert response.headers["Location"] == "/moderation/?view=held"
    with app.app_context():
        assert db.session.get(Comment, held.id).status == CommentStatus.APPROVED
        answer_id = db.session.scalar(select(Comment.id).where(Comment.parent_id == held.id))
    page = html_of(client, "/moderation/?view=held")
    assert "Your answer to Held Reader is published." in page
    assert f'<a href="{BLOG_URL}/2026/11/mine/#comment-{answer_id}">See your answer' in page
    assert [c["author_name"] for c in client.get("/api/posts/mine/comments").json["comments"]] == [
        "Held Reader",
        "Ana Lima",
    ]


def test_a_refused_answer_keeps_the_typed_text_and_says_why(
    client, app, make_staff, make_post, make_comment, login
):
    question = make_comment(make_post("mine"))
    login(make_staff("Ana Lima"))
    typed = "<script>only a script</script>"
    response = answer(client, question.id, typed)
    assert response.headers["Location"].endswith(f"#comment-{question.id}")
    page = html_of(client)
    box = re.search(rf'<textarea id="answer-{question.id}".*?</textarea>', page, re.S).group(0)
    assert 'aria-invalid="true"' in box
    assert "&lt;script&gt;only a script&lt;/script&gt;</textarea>" in box
    assert "Nothing of this answer would show" in page
    assert '<details class="fold fold--answer" data-fold="answer" open>' in page, "box reopened"
    again = html_of(client)
    assert typed not in again, "the draft is given back once, not forever"
    assert '<details class="fold fold--answer" data-fold="answer" open>' not in again
    with app.app_context():
        assert db.session.query(Comment).count() == 1


def test_an_answer_to_a_comment_taken_down_meanwhile_keeps_the_text(
    client, app, make_staff, make_post, make_comment, login
):
    question = make_comment(make_post("mine"))
    login(make_staff("Ana Lima"))
    fields = answer_fields(html_of(client), question.id)
    with app.app_context():
        db.session.get(Comment, question.id).status = CommentStatus.SPAM
        db.session.commit()
    client.post(
        f"/moderation/comments/{question.id}/answer",
        data={**fields, "body": "A long careful answer."},
    )
    page = html_of(client, "/moderation/?view=spam")
    assert "answers to it would never show" in page
    with app.app_context():
        assert db.session.query(Comment).count() == 1


def test_staff_edit_their_own_answer_and_readers_see_it_marked_edited(
    client, app, make_staff, make_post, make_comment, login
):
    question = make_comment(make_post("mine"))
    ana = make_staff("Ana Lima")
    answer = staff_answer(app, question, ana)
    login(ana)
    before = client.get("/api/posts/mine/comments").json["comments"][1]
    assert before["edited_at"] is None
    assert f'id="edit-{answer}"' in html_of(client, "/moderation/?view=all")
    response = post_form(client, f"/moderation/comments/{answer}/edit?view=all", body="*Better*.")
    assert response.status_code == 303
    after = client.get("/api/posts/mine/comments").json["comments"][1]
    assert after["html"] == "<p><em>Better</em>.</p>" and after["edited_at"]
    with app.app_context():
        action = db.session.scalar(
            select(ModerationAction).where(ModerationAction.comment_id == answer)
        )
        assert action.action == Decision.EDIT
        assert action.reason == "Before the edit:\nAn answer."
    assert f"{BLOG_URL}/2026/11/mine/#comment-{answer}" in html_of(client, "/moderation/?view=all")


@pytest.mark.parametrize("writer, editor", [("Ben Okafor", "Ana Lima"), ("Ana Lima", "Root")])
def test_nobody_edits_someone_elses_answer_not_even_an_admin(
    client, app, make_staff, make_post, make_comment, login, writer, editor
):
    question = make_comment(make_post("ours", authors=("Ana Lima", "Ben Okafor")))
    make_staff("Ana Lima")
    make_staff("Ben Okafor")
    make_staff("Root", role=Role.ADMIN)
    with app.app_context():
        accounts = {s.name: s for s in db.session.scalars(select(Staff))}
    answer = staff_answer(app, question, accounts[writer])
    login(accounts[editor])
    assert f'id="edit-{answer}"' not in html_of(client, "/moderation/?view=all")
    response = post_form(client, f"/moderation/comments/{answer}/edit", body="Changed.")
    assert response.status_code == 403
    with app.app_context():
        kept = db.session.get(Comment, answer)
        assert (kept.body_markdown, kept.edited_at) == ("An answer.", None)


def test_reader_comments_cannot_be_edited(client, app, make_staff, make_post, make_comment, login):
    question = make_comment(make_post("mine"))
    login(make_staff("Ana Lima"))
    response = post_form(client, f"/moderation/comments/{question.id}/edit", body="Changed.")
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Comment, question.id).body_markdown == "text"


def test_an_edited_answer_is_baked_marked_edited(
    client, app, make_staff, make_post, make_comment, login, tmp_path
):
    question = make_comment(make_post("hello-porch", authors=("Ana Lima",)))
    ana = make_staff("Ana Lima")
    answer = staff_answer(app, question, ana)
    login(ana)
    post_form(client, f"/moderation/comments/{answer}/edit", body="Edited words.")
    with app.app_context():
        page = bake(tmp_path, export_document(utcnow()))
    baked = re.search(
        rf'<li class="comment comment--staff" id="comment-{answer}".*?</header>', page, re.S
    )
    assert '<span class="comment-edited"> · edited</span>' in baked.group(0)
    question_head = re.search(rf'id="comment-{question.id}".*?</header>', page, re.S).group(0)
    assert "edited" not in question_head
