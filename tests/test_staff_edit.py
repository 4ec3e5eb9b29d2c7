"""Staff editing a reader's comment (a typo, personal data pasted by mistake): who may,
what is kept, and that readers see it marked "edited by the team" everywhere."""

import re

import pytest
from sqlalchemy import select

from comments_service.enums import Decision
from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus, ModerationAction, Post, utcnow
from comments_service.services.site.export import export_document

from .conftest import PASSWORD, csrf_token
from .test_baking import bake
from .test_moderation import staff_answer
from .test_rebake import SLUG, Site, page_of, rebaking_app, version_of

PASTED = "Call me on 555 0199, does it work offline?"
FIXED = "Does it work *offline*? <script>alert(1)</script>"


def html_of(client, path="/moderation/?view=all") -> str:
    return client.get(path).get_data(as_text=True)


def tools_of(client, comment_id: int) -> str:
    """The page of a comment's tools, which "More" on its card brings in."""
    return html_of(client, f"/moderation/comments/{comment_id}/tools?view=all")


def edit_form(page: str, comment_id: int) -> dict:
    form = re.search(rf'<form[^>]*/comments/{comment_id}/edit-comment[?"].*?</form>', page, re.S)
    assert form, f"no Edit comment form for comment {comment_id}"
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form[0]))


def edit(client, comment_id: int, body: str, reason: str = "Phone number taken out", **extra):
    fields = edit_form(tools_of(client, comment_id), comment_id)
    form = {**fields, "body": body, "reason": reason, **extra}
    return client.post(f"/moderation/comments/{comment_id}/edit-comment?view=all", data=form)


def stored(app, comment_id: int) -> Comment:
    with app.app_context():
        return db.session.get(Comment, comment_id)


def audit(app, comment_id: int) -> list[tuple]:
    with app.app_context():
        rows = db.session.scalars(
            select(ModerationAction).where(ModerationAction.comment_id == comment_id)
        )
        return [(row.action, row.staff.name, row.reason) for row in rows]


def test_an_author_edits_a_readers_comment_and_the_history_keeps_why(
    client, app, make_staff, make_post, make_comment, login
):
    post = make_post("mine")
    question = make_comment(post, name="Jo", body_markdown=PASTED)
    login(make_staff("Ana Lima"))
    before = version_of(app, post)
    answer = edit(client, question.id, FIXED)
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"/moderation/?view=all#comment-{question.id}"
    comment = stored(app, question.id)
    assert comment.body_markdown == FIXED
    assert comment.body_html == "<p>Does it work <em>offline</em>? </p>"  # a reader's rendering
    assert comment.team_edited_at is not None and comment.edited_at == comment.team_edited_at
    assert audit(app, question.id) == [
        (Decision.EDIT_COMMENT, "Ana Lima", "Phone number taken out")
    ]
    assert "555 0199" not in str(audit(app, question.id))  # the words replaced are not kept
    assert version_of(app, post) == before + 1
    page = html_of(client)
    assert "The comment by Jo is changed; readers see it marked “edited by the team”." in page
    history = tools_of(client, question.id)
    assert 'Ana Lima · edited by the team<span class="reason">Phone number taken out' in history
    node = client.get("/api/posts/mine/comments").get_json()["comments"][0]
    assert node["edited_by_team"] is True and node["edited_at"]
    assert node["html"] == comment.body_html


@pytest.mark.parametrize(
    ("body", "reason", "message"),
    [
        (FIXED, "", "Say why you change the reader&#39;s words"),
        ("", "Typo", "The comment needs words; delete it instead."),
        ("<b></b>", "Typo", "Nothing of this comment would show"),
        ("x" * 10_001, "Typo", "Please keep comments under 10,000 characters"),
    ],
)
def test_a_refused_edit_keeps_what_was_typed_and_changes_nothing(
    client, app, make_staff, make_post, make_comment, login, body, reason, message
):
    question = make_comment(make_post("mine"), body_markdown=PASTED)
    login(make_staff("Ana Lima"))
    answer = edit(client, question.id, body, reason)
    assert answer.status_code == 303
    page = html_of(client)
    assert message in page
    form = re.search(
        rf'<details class="edit-comment" open>.*?/{question.id}/edit-comment', page, re.S
    )
    assert form, "the form comes back open"
    assert f'value="{reason}"' in page
    assert stored(app, question.id).body_markdown == PASTED
    assert audit(app, question.id) == []


def test_an_edit_to_words_the_reader_changed_meanwhile_is_refused(
    client, app, make_staff, make_post, make_comment, login
):
    question = make_comment(make_post("mine"), body_markdown=PASTED)
    login(make_staff("Ana Lima"))
    fields = edit_form(tools_of(client, question.id), question.id)
    with app.app_context():
        db.session.get(Comment, question.id).body_markdown = "Changed by Jo."
        db.session.commit()
    form = {**fields, "body": FIXED, "reason": "Typo"}
    client.post(f"/moderation/comments/{question.id}/edit-comment", data=form)
    assert "changed their comment while you were editing it" in html_of(client)
    assert stored(app, question.id).body_markdown == "Changed by Jo."


def test_only_those_who_may_moderate_a_reader_comment_edit_it(
    client, app, make_staff, make_post, make_comment, login
):
    mine = make_post("mine")
    question = make_comment(mine)
    spam = make_comment(mine, status=CommentStatus.SPAM)
    bens = make_comment(make_post("bens", authors=("Ben Okafor",)))
    ana = make_staff("Ana Lima")
    answer = staff_answer(app, question, ana)
    login(ana)
    page = tools_of(client, question.id)
    assert f"/comments/{question.id}/edit-comment" in page
    for not_offered in (spam.id, answer):
        assert f"/comments/{not_offered}/edit-comment" not in tools_of(client, not_offered)
    token = csrf_token(page)
    form = {"body": "Changed.", "reason": "Typo", "seen": "x", "csrf_token": token}
    assert client.post(f"/moderation/comments/{bens.id}/edit-comment", data=form).status_code == 403
    assert client.post(f"/moderation/comments/{answer}/edit-comment", data=form).status_code == 403
    client.post(f"/moderation/comments/{spam.id}/edit-comment", data=form)
    assert "This comment was taken down." in html_of(client)
    for untouched in (bens.id, answer, spam.id):
        assert stored(app, untouched).team_edited_at is None


def test_the_baked_page_marks_the_comment_edited_by_the_team(
    client, app, make_staff, make_post, make_comment, login, tmp_path
):
    question = make_comment(make_post("hello-porch"), body_markdown=PASTED)
    untouched = make_comment(make_post("other"), name="Kim")
    login(make_staff("Ana Lima"))
    edit(client, question.id, "Does it work offline?")
    with app.app_context():
        page = bake(tmp_path, export_document(utcnow()))
    head = re.search(rf'id="comment-{question.id}".*?</header>', page, re.S)[0]
    assert '<span class="comment-edited"> · edited by the team</span>' in head
    assert "555 0199" not in page
    assert untouched.id  # on another post: nothing to bake here


def test_the_service_rebakes_the_article_after_an_edit_from_the_moderation_page(
    app, app_with, make_staff, make_comment, tmp_path
):
    site = Site(app, tmp_path)
    service = rebaking_app(app_with, site)
    make_staff("Ana Lima")
    with service.app_context():
        post = db.session.scalar(select(Post).where(Post.slug == SLUG))
    question = make_comment(post, name="Kim", body_markdown=PASTED)
    client = service.test_client()
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    signed_in = {"email": "ana@porch.test", "password": PASSWORD, "csrf_token": token}
    client.post("/auth/login", data=signed_in)
    assert edit(client, question.id, "Does it work **offline**?").status_code == 303
    article = page_of(site.output)
    assert "Does it work <strong>offline</strong>?" in article
    assert "555 0199" not in article
    head = re.search(rf'id="comment-{question.id}".*?</header>', article, re.S)[0]
    assert '<span class="comment-edited"> · edited by the team</span>' in head
    thread = client.get(f"/api/posts/{SLUG}/comments").get_json()["comments"]
    assert [node["edited_by_team"] for node in thread] == [True]
