"""The moderation page's tabs, filters and pages, bulk decisions and their undo."""

import re

import pytest
from sqlalchemy import select

from comments_service.enums import Decision
from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus, ModerationAction, Role, Staff

from .conftest import PASSWORD, csrf_token
from .test_moderation import staff_answer


def html_of(client, path="/moderation/"):
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def tab_counts(html: str) -> dict[str, int]:
    tabs = re.findall(r'view=(\w+)[^>]*>[^<]+<span class="count">(\d+)</span>', html)
    return {view: int(count) for view, count in tabs}


def id_of(comment: Comment | int) -> int:
    return comment if isinstance(comment, int) else comment.id


def statuses(app, *comments) -> list[CommentStatus]:
    with app.app_context():
        return [db.session.get(Comment, id_of(comment)).status for comment in comments]


def bulk(client, decision, *comments, view="all", token=None, **extra):
    token = token or csrf_token(html_of(client, f"/moderation/?view={view}"))
    data = {"decision": decision, "ids": [id_of(c) for c in comments], "view": view, **extra}
    return client.post("/moderation/bulk", data={**data, "csrf_token": token})


def test_tabs_count_every_state_and_list_their_comments(
    client, make_staff, make_post, make_comment, login
):
    post = make_post("mine")
    make_comment(post, name="Waiting Reader")
    make_comment(post, name="Held Reader", status=CommentStatus.PENDING)
    make_comment(post, name="Spam Reader", status=CommentStatus.SPAM)
    make_comment(post, name="Gone Reader", status=CommentStatus.DELETED)
    login(make_staff("Ana Lima"))
    html = html_of(client)
    assert tab_counts(html) == {
        "waiting": 1,
        "escalated": 0,
        "held": 1,
        "spam": 1,
        "removed": 1,
        "answered": 0,
        "all": 4,
    }
    for view, name in [("held", "Held"), ("spam", "Spam"), ("removed", "Gone")]:
        listed = html_of(client, f"/moderation/?view={view}")
        assert f"{name} Reader" in listed and "Waiting Reader" not in listed
    assert 'aria-current="page">Spam' in html_of(client, "/moderation/?view=spam")


def test_unknown_tab_is_refused_with_a_message(client, make_staff, login):
    login(make_staff("Ana Lima"))
    response = client.get("/moderation/?view=trash")
    assert response.status_code == 400
    assert "There is no view" in response.get_data(as_text=True)


def test_long_queue_comes_in_pages_with_the_full_count(
    app_with, make_staff, make_post, make_comment
):
    post = make_post("mine")
    for minutes in range(5):
        make_comment(post, name=f"Reader {5 - minutes}", minutes_ago=minutes)
    client = app_with(PORCH_MODERATION_PAGE_SIZE=2).test_client()
    sign_in(client, make_staff("Ana Lima"))
    first = html_of(client)
    assert tab_counts(first)["waiting"] == 5
    assert "Reader 1" in first and "Reader 2" in first and "Reader 3" not in first
    assert "Page 1 of 3" in first
    last = html_of(client, "/moderation/?page=3")
    assert "Reader 5" in last and "Reader 4" not in last


def sign_in(client, staff):
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    client.post(
        "/auth/login", data={"email": staff.email, "password": PASSWORD, "csrf_token": token}
    )


def test_filters_narrow_the_list_and_the_counts(client, make_staff, make_post, make_comment, login):
    make_comment(make_post("one", title="First post"), name="Jo", author_email="jo@example.org")
    make_comment(make_post("two", title="Second post"), name="Sam", author_email="sam@example.org")
    login(make_staff("Ana Lima"))
    by_post = html_of(client, "/moderation/?view=all&post=two")
    assert "Sam" in by_post and ">Jo<" not in by_post and tab_counts(by_post)["all"] == 1
    searched = html_of(client, "/moderation/?view=all&q=JO%40EXAMPLE")
    assert "jo@example.org" in searched and "sam@example.org" not in searched
    assert 'name="q" type="search" value="JO@EXAMPLE"' in searched


def test_bulk_spam_takes_every_selected_comment_down_and_offers_undo(
    client, app, make_staff, make_post, make_comment, login
):
    post = make_post("mine")
    first, second, kept = (make_comment(post, name=f"Bot {i}") for i in range(3))
    login(make_staff("Ana Lima"))
    response = bulk(client, "spam", first, second, view="waiting")
    assert response.status_code == 303
    assert response.headers["Location"] == "/moderation/?view=waiting"
    assert statuses(app, first, second, kept) == [
        CommentStatus.SPAM,
        CommentStatus.SPAM,
        CommentStatus.APPROVED,
    ]
    html = html_of(client, "/moderation/?view=waiting")
    assert "2 comments marked as spam." in html
    assert re.search(r'name="decision" value="not_spam">\s*(<input[^>]*>\s*)+<button', html)
    assert [c["author_name"] for c in client.get("/api/posts/mine/comments").json["comments"]] == [
        "Bot 2"
    ]


def test_undo_after_bulk_spam_puts_the_comments_back(
    client, app, make_staff, make_post, make_comment, login
):
    post = make_post("mine")
    held = make_comment(post, name="Held", status=CommentStatus.PENDING, published_at=None)
    shown = make_comment(post, name="Shown")
    login(make_staff("Ana Lima"))
    bulk(client, "spam", held, shown)
    undo_page = html_of(client, "/moderation/?view=all")
    undo = re.search(r'<form class="undo".*?</form>', undo_page, re.S).group(0)
    data = dict(re.findall(r'name="(decision|view)" value="([^"]+)"', undo))
    data["csrf_token"] = csrf_token(undo)
    data["ids"] = re.findall(r'name="ids" value="(\d+)"', undo)
    assert client.post("/moderation/bulk", data=data).status_code == 303
    assert statuses(app, held, shown) == [CommentStatus.PENDING, CommentStatus.APPROVED]
    assert '<form class="undo"' not in html_of(client, "/moderation/?view=all")
    with app.app_context():
        actions = db.session.scalars(select(ModerationAction.action)).all()
    assert sorted(actions) == sorted([Decision.SPAM] * 2 + [Decision.NOT_SPAM] * 2)


def test_restore_after_delete_brings_back_published_or_held(
    client, app, make_staff, make_post, make_comment, login
):
    post = make_post("mine")
    was_held = make_comment(post, status=CommentStatus.PENDING, published_at=None)
    was_shown = make_comment(post)
    login(make_staff("Ana Lima"))
    bulk(client, "delete", was_held, was_shown)
    assert statuses(app, was_held, was_shown) == [CommentStatus.DELETED] * 2
    assert bulk(client, "restore", was_held, was_shown, view="removed").status_code == 303
    assert statuses(app, was_held, was_shown) == [CommentStatus.PENDING, CommentStatus.APPROVED]
    assert "2 comments restored." in html_of(client, "/moderation/?view=removed")


def test_restoring_a_deleted_staff_answer_answers_the_question_again(
    client, app, make_staff, make_post, make_comment, login
):
    question = make_comment(make_post("mine"))
    ana = make_staff("Ana Lima")
    answer = staff_answer(app, question, ana)
    login(ana)
    bulk(client, "delete", answer)
    with app.app_context():
        assert db.session.get(Comment, question.id).answered_at is None
    bulk(client, "restore", answer)
    with app.app_context():
        assert db.session.get(Comment, question.id).answered_by_id == ana.id


def test_authors_cannot_bulk_act_on_comments_of_other_posts(
    client, app, make_staff, make_post, make_comment, login
):
    mine = make_comment(make_post("mine"))
    theirs = make_comment(make_post("theirs", authors=("Ben Okafor",)))
    login(make_staff("Ana Lima"))
    response = bulk(client, "delete", mine, theirs)
    assert response.status_code == 403
    assert statuses(app, mine, theirs) == [CommentStatus.APPROVED] * 2
    with app.app_context():
        assert db.session.query(ModerationAction).count() == 0


def test_authors_cannot_bulk_restore_a_co_authors_answer(
    client, app, make_staff, make_post, make_comment, login
):
    question = make_comment(make_post("ours", authors=("Ana Lima", "Ben Okafor")))
    ben = make_staff("Ben Okafor")
    answer = staff_answer(app, question, ben)
    with app.app_context():
        db.session.get(Comment, answer).status = CommentStatus.DELETED
        db.session.commit()
    login(make_staff("Ana Lima"))
    assert bulk(client, "restore", answer).status_code == 403
    assert statuses(app, answer) == [CommentStatus.DELETED]


def test_bulk_decisions_are_all_or_nothing(client, app, make_staff, make_post, make_comment, login):
    post = make_post("mine")
    held = make_comment(post, name="Held", status=CommentStatus.PENDING)
    shown = make_comment(post, name="Already Shown")
    login(make_staff("Ana Lima"))
    assert bulk(client, "approve", held, shown).status_code == 303
    assert statuses(app, held, shown) == [CommentStatus.PENDING, CommentStatus.APPROVED]
    html = html_of(client, "/moderation/?view=all")
    assert "Nothing was changed. Comment by Already Shown: Only a comment waiting" in html


def test_bulk_without_csrf_token_changes_nothing(
    client, app, make_staff, make_post, make_comment, login
):
    comment = make_comment(make_post("mine"))
    login(make_staff("Ana Lima"))
    data = {"decision": "delete", "ids": [comment.id]}
    assert client.post("/moderation/bulk", data=data).status_code == 400
    assert statuses(app, comment) == [CommentStatus.APPROVED]


@pytest.mark.parametrize(
    "decision, ids, message",
    [
        ("answer", ["1"], "Choose approve, spam"),
        ("burn", ["1"], "Choose approve, spam"),
        ("delete", ["1x"], "whole numbers"),
        ("delete", ["١"], "whole numbers"),
        ("delete", ["99999"], "no longer exist"),
    ],
)
def test_bulk_with_bad_input_is_refused_with_a_message(
    client, make_staff, make_post, make_comment, login, decision, ids, message
):
    make_comment(make_post("mine"))
    login(make_staff("Ana Lima"))
    token = csrf_token(html_of(client))
    data = {"decision": decision, "ids": ids, "csrf_token": token}
    response = client.post("/moderation/bulk", data=data)
    assert 400 <= response.status_code < 500
    assert message in response.get_data(as_text=True)


def test_bulk_with_nothing_selected_says_so(client, make_staff, make_post, make_comment, login):
    make_comment(make_post("mine"))
    login(make_staff("Ana Lima"))
    response = bulk(client, "delete")
    assert response.status_code == 303
    assert "Select at least one comment first." in html_of(client)


def test_single_spam_offers_undo_and_not_spam_puts_it_back(
    client, app, make_staff, make_post, make_comment, login
):
    comment = make_comment(make_post("mine"))
    login(make_staff("Ana Lima"))
    token = csrf_token(html_of(client))
    client.post(f"/moderation/comments/{comment.id}/spam?view=waiting", data={"csrf_token": token})
    assert '<form class="undo"' in html_of(client)
    response = client.post(
        f"/moderation/comments/{comment.id}/not-spam?view=spam", data={"csrf_token": token}
    )
    assert response.headers["Location"] == "/moderation/?view=spam"
    assert statuses(app, comment) == [CommentStatus.APPROVED]


def test_admins_may_bulk_act_on_any_post(client, app, make_staff, make_post, make_comment, login):
    first = make_comment(make_post("one", authors=("Ana Lima",)))
    second = make_comment(make_post("two", authors=("Dev Patel",)))
    login(make_staff("Root", role=Role.ADMIN))
    assert bulk(client, "spam", first, second).status_code == 303
    assert statuses(app, first, second) == [CommentStatus.SPAM] * 2
    with app.app_context():
        root = db.session.scalar(select(Staff).where(Staff.name == "Root"))
        kept = db.session.scalars(select(ModerationAction.staff_id)).all()
    assert kept == [root.id, root.id]
