"""Staff see what a reader comment was answered: each answer, who gave it, when, how, its
text, and Edit for its writer, in every tab where the comment appears."""

import re

import pytest

from comments_service.enums import PrivateChannel, View
from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus, Role, Staff, utcnow
from comments_service.services.comments.posting import add_staff_answer
from comments_service.services.moderation import decisions
from comments_service.services.moderation.listening import answer_privately

from .conftest import csrf_token
from .test_answered_never_overdue import card, sign_in
from .test_deep_threads import counted_queries


def answer(app, comment, writer, text):
    with app.app_context():
        reply = add_staff_answer(
            db.session.get(Comment, comment.id), db.session.get(Staff, writer.id), text
        )
        db.session.commit()
        return reply.id


def answers_of(html: str, comment_id: int) -> str:
    found = re.search(r'<section class="answers".*?</section>', card(html, comment_id), re.S)
    assert found, f"no answers shown for comment {comment_id}"
    return found[0]


@pytest.fixture
def team(make_staff):
    return {
        "ana": make_staff("Ana Lima"),
        "ben": make_staff("Ben Okafor"),
        "morgan": make_staff("Morgan Admin", role=Role.ADMIN),
    }


def test_the_answered_tab_shows_each_answer_who_when_how_and_its_text(
    app, client, login, team, make_post, make_comment
):
    post = make_post("hello", authors=("Ana Lima", "Ben Okafor"))
    asked = make_comment(post, name="Priya", minutes_ago=90)
    answer(app, asked, team["ana"], "Export is under **Settings**.")
    with app.app_context():
        now = utcnow()
        comment = db.session.get(Comment, asked.id)
        ben = db.session.get(Staff, team["ben"].id)
        answer_privately(comment, ben, PrivateChannel.PHONE, "Walked her through it.", now, now)
        db.session.commit()
    login(team["ana"])
    html = client.get("/moderation/?view=answered").get_data(as_text=True)
    shown = answers_of(html, asked.id)
    assert "Answers<span" in shown
    assert re.search(r"<strong>Ana Lima</strong> · on the blog\s*· <time datetime=", shown)
    assert "Export is under <strong>Settings</strong>." in shown
    assert re.search(r"<strong>Ben Okafor</strong> · privately by phone", shown)
    assert "Walked her through it." in shown
    assert shown.index("on the blog") < shown.index("privately by phone")  # oldest first


def test_no_answer_needed_shows_who_marked_it_and_why(
    app, client, login, team, make_post, make_comment
):
    thanks = make_comment(make_post("hello"), name="Lee")
    with app.app_context():
        comment = db.session.get(Comment, thanks.id)
        decisions.dismiss(comment, db.session.get(Staff, team["ana"].id), "A thank-you")
        db.session.commit()
    login(team["ana"])
    shown = answers_of(client.get("/moderation/?view=answered").get_data(as_text=True), thanks.id)
    assert re.search(r"<strong>Ana Lima</strong> · no answer needed", shown)
    assert "A thank-you" in shown
    assert "Edit" not in shown


def test_only_its_writer_gets_edit_and_an_admin_does_not(
    app, client, login, team, make_post, make_comment
):
    asked = make_comment(make_post("hello"), name="Priya")
    answer(app, asked, team["ana"], "Ana's words.")
    login(team["ana"])
    mine = answers_of(client.get("/moderation/?view=answered").get_data(as_text=True), asked.id)
    assert "<summary>Edit<span" in mine and "Ana&#39;s words.</textarea>" in mine
    admin = app.test_client()
    sign_in(admin, team["morgan"].email)
    theirs = answers_of(admin.get("/moderation/?view=answered").get_data(as_text=True), asked.id)
    assert "Ana's words." in theirs and "Edit" not in theirs


def test_editing_from_the_answered_tab_saves_and_comes_back_to_it(
    app, client, login, team, make_post, make_comment
):
    asked = make_comment(make_post("hello"), name="Priya")
    reply_id = answer(app, asked, team["ana"], "Frist answer.")
    login(team["ana"])
    html = client.get("/moderation/?view=answered").get_data(as_text=True)
    form = re.search(
        r'<form class="answer" method="post" action="([^"]+)">', answers_of(html, asked.id)
    )
    assert form[1] == f"/moderation/comments/{reply_id}/edit?view=answered"
    response = client.post(form[1], data={"body": "First answer.", "csrf_token": csrf_token(html)})
    assert response.status_code == 303
    assert response.location.startswith("/moderation/?view=answered")
    shown = answers_of(client.get("/moderation/?view=answered").get_data(as_text=True), asked.id)
    assert "First answer." in shown and "· edited" in shown


def test_answers_show_in_every_tab_where_the_comment_appears(
    app, client, login, team, make_post, make_comment
):
    post = make_post("hello")
    kept = make_comment(post, name="Kept")
    binned = make_comment(post, name="Binned")
    for comment in (kept, binned):
        answer(app, comment, team["ana"], f"Answer to {comment.author_name}.")
    with app.app_context():
        decisions.mark_spam(
            db.session.get(Comment, binned.id), db.session.get(Staff, team["morgan"].id)
        )
        db.session.commit()
    login(team["morgan"])
    seen = {}
    for view in View:
        html = client.get(f"/moderation/?view={view.value}").get_data(as_text=True)
        for comment in (kept, binned):
            if card(html, comment.id):
                seen.setdefault(comment.author_name, []).append(view)
                assert f"Answer to {comment.author_name}." in answers_of(html, comment.id)
    assert seen == {"Kept": [View.ANSWERED, View.ALL], "Binned": [View.SPAM, View.ALL]}


def test_the_answers_of_a_whole_page_cost_the_same_queries_as_of_one_comment(
    app, client, login, team, make_post, make_comment
):
    post = make_post("hello")
    login(team["ana"])

    def queries_for_the_answered_tab() -> int:
        with app.app_context(), counted_queries() as statements:
            assert client.get("/moderation/?view=answered").status_code == 200
        return len(statements)

    def answered_both_ways(name, writer):
        asked = make_comment(post, name=name)
        answer(app, asked, team[writer], f"Answer to {name}.")
        with app.app_context():
            comment, now = db.session.get(Comment, asked.id), utcnow()
            staff = db.session.get(Staff, team["ana"].id)
            answer_privately(comment, staff, PrivateChannel.EMAIL, "Mailed.", now, now)
            db.session.commit()

    answered_both_ways("First", "ana")
    one = queries_for_the_answered_tab()
    for number in range(6):
        answered_both_ways(f"Reader {number}", "ana" if number % 2 else "ben")
    assert queries_for_the_answered_tab() == one


@pytest.mark.parametrize("status", [CommentStatus.DELETED, CommentStatus.SPAM])
def test_a_taken_down_answer_is_no_longer_shown(
    app, client, login, team, make_post, make_comment, status
):
    asked = make_comment(make_post("hello"), name="Priya")
    reply_id = answer(app, asked, team["ana"], "Gone soon.")
    with app.app_context():
        db.session.get(Comment, reply_id).status = status
        db.session.commit()
    login(team["ana"])
    html = client.get("/moderation/?view=all").get_data(as_text=True)
    assert '<section class="answers"' not in (card(html, asked.id) or "")
