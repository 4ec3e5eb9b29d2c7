"""What readers told us: kinds of comment, answers given privately, and "you said, we did".

The moderation page is driven with the test client (CSRF tokens and all), the CLI with
Flask's runner, and figures, threads and the export are read from the real services.
"""

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from comments_service.enums import CommentStatus, Decision, FollowUp, PrivateChannel
from comments_service.extensions import db
from comments_service.models import Comment, ModerationAction, Role, utcnow
from comments_service.queries.states import unanswered
from comments_service.services.comments.answers import record_answer
from comments_service.services.mail.subscriptions import ReaderMail
from comments_service.services.moderation import decisions as moderation
from comments_service.services.moderation import listening
from comments_service.services.report import figures
from comments_service.services.site.export import export_document
from comments_service.services.tokens import Tokens

from .conftest import csrf_token, service_urls
from .mail_helpers import post_comment, send
from .smtp_support import SmtpServer
from .test_baking import bake
from .test_full_export import empty_database, restore, without_time
from .test_full_export import export as export_full_document
from .test_subscriptions import bodies, confirm_by_mail, mail_to

NOTE = "Called Jo: the export keeps zones from 4.2 on; Jo is on 4.1, will upgrade."
INTERNAL = "Mobile team has it on the board for the spring release."
WHAT_WE_DID = "The export now keeps time zones."


@pytest.fixture
def ana(make_staff):
    return make_staff("Ana Lima")


@pytest.fixture
def post(make_post):
    return make_post("hello", title="Offline mode")


@pytest.fixture
def page(client, login, ana, post):
    """Ana, author of "hello", signed in; returns a function that posts a page form."""
    assert login(ana).status_code == 303

    def submit(path: str, **data):
        token = csrf_token(client.get("/moderation/").get_data(as_text=True))
        return client.post(f"/moderation{path}", data={"csrf_token": token, **data})

    return submit


def reload(app, comment) -> Comment:
    with app.app_context():
        found = db.session.get(Comment, comment.id)
        found.actions  # noqa: B018  (load the audit trail before leaving the context)
        db.session.expunge_all()
    return found


def audit(app, comment) -> list[tuple[str, str | None]]:
    with app.app_context():
        rows = db.session.scalars(
            select(ModerationAction)
            .where(ModerationAction.comment_id == comment.id)
            .order_by(ModerationAction.id)
        )
        return [(row.action.value, row.reason) for row in rows]


def cli(app, *args):
    return app.test_cli_runner().invoke(args=["comments", *args])


# What kind of comment is this


def test_one_click_on_the_page_tags_a_comment_and_the_audit_log_keeps_it(
    app, page, post, make_comment
):
    comment = make_comment(post, name="Jo")
    assert page(f"/comments/{comment.id}/tag", kind="idea").status_code == 303
    assert reload(app, comment).kind == "idea"
    assert page(f"/comments/{comment.id}/tag", kind="").status_code == 303
    assert reload(app, comment).kind is None
    assert audit(app, comment) == [("tag", "idea"), ("tag", "kind cleared")]


def test_the_page_offers_one_button_per_kind_of_the_setting(
    app_with, database_url, login, make_staff, make_post, make_comment
):
    app = app_with(PORCH_COMMENT_KINDS="bug,wish")
    ana = make_staff("Ana Lima")
    jo = make_comment(make_post("hello"), name="Jo")
    client = app.test_client()
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    client.post(
        "/auth/login",
        data={"email": ana.email, "password": "correct horse battery", "csrf_token": token},
    )
    html = client.get(f"/moderation/comments/{jo.id}/tools").get_data(as_text=True)
    assert 'name="kind" value="bug"' in html and 'name="kind" value="wish"' in html
    assert 'value="idea"' not in html


def test_a_kind_outside_the_setting_is_refused_with_the_choices_and_changes_nothing(
    app, page, post, make_comment
):
    comment = make_comment(post, name="Jo", kind="praise")
    response = page(f"/comments/{comment.id}/tag", kind="complaint")
    assert response.status_code == 400
    assert "There is no kind &#39;complaint&#39;; use one of question, idea, problem, praise." in (
        response.get_data(as_text=True)
    )
    result = cli(app, "tag", str(comment.id), "complaint", "--by", "ana@porch.test")
    assert result.exit_code == 1
    assert "Nothing was changed. There is no kind 'complaint'" in result.output
    assert reload(app, comment).kind == "praise"
    assert audit(app, comment) == []


def test_a_bad_list_of_kinds_stops_the_service_at_start_up(app_with):
    with pytest.raises(ValueError, match="PORCH_COMMENT_KINDS must list distinct"):
        app_with(PORCH_COMMENT_KINDS="idea,Idea Two")
    with pytest.raises(ValueError, match="not 'untagged'"):
        app_with(PORCH_COMMENT_KINDS="idea,untagged")


def test_bulk_tagging_tags_every_selected_comment_or_none(app, page, post, ana, make_comment):
    first, second = make_comment(post, name="Jo"), make_comment(post, name="Sam")
    staff_answer = make_comment(post, parent=first, staff=ana)
    refused = page("/bulk/tag", tag_as="problem", ids=[first.id, staff_answer.id], view="all")
    assert refused.status_code == 400
    assert "Only reader comments are tagged" in refused.get_data(as_text=True)
    assert reload(app, first).kind is None
    done = page("/bulk/tag", tag_as="problem", ids=[first.id, second.id], view="all")
    assert done.status_code == 303 and "view=all" in done.location
    assert [reload(app, c).kind for c in (first, second)] == ["problem", "problem"]
    assert audit(app, second) == [("tag", "problem")]


def test_bulk_tagging_from_a_list_filtered_by_kind_tags_as_the_button_says(
    app, page, post, make_comment
):
    first = make_comment(post, name="Jo")
    done = page("/bulk/tag", tag_as="idea", kind="untagged", ids=[first.id], view="waiting")
    assert done.status_code == 303 and "kind=untagged" in done.location
    assert reload(app, first).kind == "idea"


def test_the_cli_tags_and_clears_in_the_audit_log(app, ana, post, make_comment):
    comment = make_comment(post, name="Jo")
    tagged = cli(app, "tag", str(comment.id), "question", "--by", "ana@porch.test")
    assert tagged.exit_code == 0, tagged.output
    assert reload(app, comment).kind == "question"
    cleared = cli(app, "tag", str(comment.id), "--clear", "--by", "ana@porch.test")
    assert cleared.exit_code == 0, cleared.output
    assert reload(app, comment).kind is None
    both = cli(app, "tag", str(comment.id), "idea", "--clear", "--by", "ana@porch.test")
    assert both.exit_code == 2 and "not both" in both.output
    assert audit(app, comment) == [("tag", "question"), ("tag", "kind cleared")]


def test_every_view_filters_by_kind_and_counts_the_untagged(client, page, post, make_comment):
    make_comment(post, name="Idea Person", kind="idea")
    make_comment(post, name="Problem Person", kind="problem")
    make_comment(post, name="Untagged One")
    make_comment(post, name="Untagged Two")
    make_comment(post, name="Binned", status=CommentStatus.SPAM)
    for view in ("waiting", "all"):
        ideas = client.get(f"/moderation/?view={view}&kind=idea").get_data(as_text=True)
        assert "Idea Person" in ideas and "Problem Person" not in ideas
        assert "Untagged One" not in ideas
        whole = client.get(f"/moderation/?view={view}").get_data(as_text=True)
        assert "2 reader comments here have no kind yet" in whole
        untagged = client.get(f"/moderation/?view={view}&kind=untagged").get_data(as_text=True)
        assert "Untagged One" in untagged and "Untagged Two" in untagged
        assert "Idea Person" not in untagged and "Binned" not in untagged
    wrong = client.get("/moderation/?kind=complaints")
    assert wrong.status_code == 400
    assert "There is no kind &#39;complaints&#39;" in wrong.get_data(as_text=True)


# Answered privately


def test_a_private_answer_leaves_the_queue_at_the_recorded_time(ctx, ana, post, make_comment):
    asked = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    comment = make_comment(post, name="Jo", created_at=asked)
    called = asked + timedelta(hours=3)
    comment = db.session.get(Comment, comment.id)
    listening.answer_privately(
        comment, db.session.merge(ana), PrivateChannel.PHONE, NOTE, called, called
    )
    db.session.commit()
    assert (comment.answered_at, comment.answered_by.name) == (called, "Ana Lima")
    assert comment.answered_privately
    assert db.session.scalars(unanswered()).all() == []
    assert [(a.action, a.reason) for a in comment.actions] == [
        (Decision.ANSWER_PRIVATELY, f"phone: {NOTE}")
    ]


def test_private_answers_count_in_every_figure_and_apart(ctx, ana, post, make_comment):
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    asked = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    staff = db.session.merge(ana)
    public = db.session.get(Comment, make_comment(post, name="Public", created_at=asked).id)
    answer = Comment(
        post_id=post.id,
        parent=public,
        staff=staff,
        author_name="Ana Lima",
        body_markdown="a",
        body_html="<p>a</p>",
        status=public.status,
        created_at=asked + timedelta(hours=1),
    )
    db.session.add(answer)
    record_answer(answer)
    private = db.session.get(Comment, make_comment(post, name="Private", created_at=asked).id)
    listening.answer_privately(
        private, staff, PrivateChannel.EMAIL, NOTE, asked + timedelta(hours=5), now
    )
    make_comment(post, name="Waiting", created_at=asked)
    db.session.commit()
    month = figures.compute(now, months=1).blog[0]
    assert (month.received, month.answered, month.answered_privately, month.waiting) == (3, 2, 1, 1)
    assert month.share_answered == 2 / 3
    assert (month.median_seconds, month.p90_seconds) == (3600, 5 * 3600)


def test_the_figures_dashboard_and_flask_stats_show_answered_privately(
    app, client, page, post, make_comment
):
    comment = make_comment(post, name="Jo", minutes_ago=60)
    page(f"/comments/{comment.id}/answer-privately", how="phone", note=NOTE)
    html = client.get("/moderation/figures").get_data(as_text=True)
    assert '<th scope="col">Answered privately</th>' in html
    table = app.test_cli_runner().invoke(args=["stats", "--months", "1"]).output
    header, line = table.splitlines()[1:3]
    assert header.endswith("\tprivately")
    assert line.split("\t")[2] == "1" and line.endswith("\t1")


def test_a_later_public_answer_taken_down_leaves_the_private_answer(ctx, ana, post, make_comment):
    asked = utcnow() - timedelta(days=1)
    staff = db.session.merge(ana)
    comment = db.session.get(Comment, make_comment(post, name="Jo", created_at=asked).id)
    listening.answer_privately(
        comment, staff, PrivateChannel.PHONE, NOTE, asked + timedelta(hours=1), utcnow()
    )
    answer = Comment(
        post_id=post.id,
        parent=comment,
        staff=staff,
        author_name="Ana Lima",
        body_markdown="a",
        body_html="<p>a</p>",
        status=comment.status,
        created_at=asked + timedelta(hours=2),
    )
    db.session.add(answer)
    record_answer(answer)
    assert comment.answered_at == asked + timedelta(hours=1)
    moderation.delete(answer, staff)
    db.session.commit()
    db.session.refresh(comment)
    assert comment.answered_at == asked + timedelta(hours=1) and comment.answered_privately


def test_an_earlier_public_answer_counts_first_and_the_private_one_after_it_is_removed(
    ctx, ana, post, make_comment
):
    asked = utcnow() - timedelta(days=1)
    staff = db.session.merge(ana)
    comment = db.session.get(Comment, make_comment(post, name="Jo", created_at=asked).id)
    answer = Comment(
        post_id=post.id,
        parent=comment,
        staff=staff,
        author_name="Ana Lima",
        body_markdown="a",
        body_html="<p>a</p>",
        status=comment.status,
        created_at=asked + timedelta(hours=1),
    )
    db.session.add(answer)
    record_answer(answer)
    listening.answer_privately(
        comment, staff, PrivateChannel.PHONE, NOTE, asked + timedelta(hours=3), utcnow()
    )
    assert comment.answered_at == asked + timedelta(hours=1) and not comment.answered_privately
    moderation.delete(answer, staff)
    db.session.flush()
    db.session.refresh(comment)
    assert comment.answered_at == asked + timedelta(hours=3) and comment.answered_privately


def test_the_got_in_touch_line_only_when_chosen_and_the_note_never_public(
    app, client, page, post, make_comment
):
    shown = make_comment(post, name="Shown", minutes_ago=90)
    hidden = make_comment(post, name="Hidden", minutes_ago=90)
    page(f"/comments/{shown.id}/answer-privately", how="phone", note=NOTE, show="y")
    page(f"/comments/{hidden.id}/answer-privately", how="in_person", note=NOTE + " (hidden)")
    api = client.get("/api/posts/hello/comments")
    nodes = {node["author_name"]: node for node in api.get_json()["comments"]}
    assert nodes["Shown"]["got_in_touch"] == "Ana Lima"
    assert nodes["Hidden"]["got_in_touch"] is None
    for node in nodes.values():
        assert (node["answered_by"], node["answered_after_seconds"], node["waiting"]) == (
            None,
            None,
            False,
        )
    assert "Called Jo" not in api.get_data(as_text=True)
    with app.app_context():
        exported = json.dumps(export_document(utcnow()))
    assert "Called Jo" not in exported and '"got_in_touch": "Ana Lima"' in exported


def test_a_private_answer_is_refused_in_the_future_twice_or_without_a_note(
    app, page, ana, post, make_comment
):
    comment = make_comment(post, name="Jo", minutes_ago=30)
    future = (utcnow() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    later = page(f"/comments/{comment.id}/answer-privately", how="phone", note=NOTE, at=future)
    assert later.status_code == 400
    assert "cannot be in the future" in later.get_data(as_text=True)
    assert reload(app, comment).answered_at is None
    blank = page(f"/comments/{comment.id}/answer-privately", how="phone", note="")
    assert blank.status_code == 303 and reload(app, comment).answered_at is None
    assert (
        page(f"/comments/{comment.id}/answer-privately", how="phone", note=NOTE).status_code == 303
    )
    again = page(f"/comments/{comment.id}/answer-privately", how="email", note=NOTE)
    assert again.status_code == 400 and "already recorded" in again.get_data(as_text=True)


def test_the_cli_records_a_private_answer_at_a_given_time(app, ana, post, make_comment):
    asked = utcnow() - timedelta(days=2)
    comment = make_comment(post, name="Jo", created_at=asked)
    at = (asked + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M:%SZ")
    args = ["answer-privately", str(comment.id), "--by", "ana@porch.test", "--how", "in-person"]
    result = cli(app, *args, "--note", NOTE, "--at", at, "--show-on-blog")
    assert result.exit_code == 0, result.output
    found = reload(app, comment)
    assert found.private_channel == PrivateChannel.IN_PERSON and found.private_answer_shown
    assert found.answered_at == asked.replace(microsecond=0) + timedelta(hours=4)
    wrong = cli(app, *args, "--note", NOTE, "--at", "yesterday")
    assert wrong.exit_code == 2 and "is not an ISO time" in wrong.output


# You said, we did


def test_a_follow_up_is_passed_on_then_acted_on_and_every_step_is_audited(
    app, client, page, post, make_comment
):
    comment = make_comment(post, name="Jo", kind="idea")
    no_team = page(f"/comments/{comment.id}/follow-up", step="passed_on", note=INTERNAL)
    assert no_team.status_code == 400 and "Name the team" in no_team.get_data(as_text=True)
    page(f"/comments/{comment.id}/follow-up", step="passed_on", team="Mobile", note=INTERNAL)
    assert reload(app, comment).follow_up == FollowUp.PASSED_ON
    assert client.get("/api/posts/hello/comments").get_json()["comments"][0]["what_we_did"] is None
    page(f"/comments/{comment.id}/follow-up", step="acted_on", note=WHAT_WE_DID)
    found = reload(app, comment)
    assert (found.follow_up, found.follow_up_team, found.follow_up_note) == (
        FollowUp.ACTED_ON,
        "Mobile",
        WHAT_WE_DID,
    )
    final = page(f"/comments/{comment.id}/follow-up", step="declined", note="no")
    assert final.status_code == 400 and "already acted on" in final.get_data(as_text=True)
    assert audit(app, comment) == [
        ("pass_on", f"to Mobile: {INTERNAL}"),
        ("act_on", WHAT_WE_DID),
    ]
    api = client.get("/api/posts/hello/comments")
    assert api.get_json()["comments"][0]["what_we_did"] == WHAT_WE_DID
    assert INTERNAL not in api.get_data(as_text=True)


def test_declined_notes_stay_with_staff(app, client, page, post, make_comment):
    comment = make_comment(post, name="Jo", kind="problem")
    page(f"/comments/{comment.id}/follow-up", step="declined", note=INTERNAL)
    assert reload(app, comment).follow_up == FollowUp.DECLINED
    assert INTERNAL in client.get(f"/moderation/comments/{comment.id}/tools").get_data(as_text=True)
    api = client.get("/api/posts/hello/comments")
    assert api.get_json()["comments"][0]["what_we_did"] is None
    assert INTERNAL not in api.get_data(as_text=True)
    with app.app_context():
        assert INTERNAL not in json.dumps(export_document(utcnow()))


def test_the_cli_takes_each_follow_up_step(app, ana, post, make_comment):
    comment = make_comment(post, name="Jo", kind="problem")
    by = ["--by", "ana@porch.test"]
    passed = cli(
        app, "follow-up", str(comment.id), "passed-on", "--team", "Mobile", "--note", INTERNAL, *by
    )
    assert passed.exit_code == 0, passed.output
    acted = cli(app, "follow-up", str(comment.id), "acted-on", "--note", WHAT_WE_DID, *by)
    assert acted.exit_code == 0, acted.output
    again = cli(app, "follow-up", str(comment.id), "declined", "--note", "no", *by)
    assert again.exit_code == 1 and "already acted on" in again.output
    assert [action for action, _ in audit(app, comment)] == ["pass_on", "act_on"]


def test_only_those_who_look_after_the_post_may_tag_or_follow_up(
    ctx, make_staff, make_post, make_comment
):
    other = make_staff("Ben Okafor")
    comment = db.session.get(Comment, make_comment(make_post("elsewhere"), name="Jo").id)
    with pytest.raises(moderation.NotAllowed):
        listening.tag(comment, db.session.merge(other), "idea", ("idea",))
    readers = ReaderMail(
        urls=service_urls(),
        blog_url="http://blog.test",
        tokens=Tokens("x"),
        confirm_within=timedelta(hours=72),
        confirm_mails=3,
    )
    with pytest.raises(moderation.NotAllowed):
        listening.follow_up(
            comment, db.session.merge(other), FollowUp.DECLINED, "no", utcnow(), readers
        )
    admin = make_staff("Dee Admin", role=Role.ADMIN)
    listening.tag(comment, db.session.merge(admin), "idea", ("idea",))
    assert comment.kind == "idea"


def test_the_reader_who_asked_to_hear_back_gets_one_mail_when_it_is_acted_on(
    app_with, make_staff, make_post
):
    """Through the real outbox and a real `mail send` to an SMTP sink."""
    smtp = SmtpServer().start()
    try:
        app = app_with(**smtp.settings())
        reader = app.test_client()
        make_staff("Ana Lima")
        make_post("hello", title="Offline mode")
        comment_id = post_comment(reader, email="jo@reader.test", subscribe="team")
        confirm_by_mail(app, smtp, reader)
        by = ["--by", "ana@porch.test"]
        cli(
            app,
            "follow-up",
            str(comment_id),
            "passed-on",
            "--team",
            "Mobile",
            "--note",
            INTERNAL,
            *by,
        )
        send(app)
        assert len(mail_to(smtp)) == 1, "passing it on tells the reader nothing"
        cli(app, "follow-up", str(comment_id), "acted-on", "--note", WHAT_WE_DID, *by)
        cli(app, "follow-up", str(comment_id), "acted-on", "--note", "again", *by)
        send(app)
        send(app)
        (confirmation, news) = mail_to(smtp)
        assert news["Subject"] == "What we did about your comment on “Offline mode”"
        text, html = bodies(news)
        assert f"What we did: {WHAT_WE_DID}" in text and WHAT_WE_DID in html
        assert INTERNAL not in text and INTERNAL not in html
        assert news["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    finally:
        smtp.stop()


def test_a_real_baked_page_shows_the_chosen_line_and_what_we_did_and_no_private_note(
    app, ana, make_post, make_comment, tmp_path
):
    post = make_post("hello-porch", authors=("Ana Lima",))
    shown = make_comment(post, name="Shown Reader", minutes_ago=120)
    hidden = make_comment(post, name="Hidden Reader", minutes_ago=120)
    idea = make_comment(post, name="Idea Reader", kind="idea", minutes_ago=120)
    with app.app_context():
        staff, now = db.session.merge(ana), utcnow()
        for comment, show in ((shown, True), (hidden, False)):
            found = db.session.get(Comment, comment.id)
            listening.answer_privately(found, staff, PrivateChannel.PHONE, NOTE, now, now, show)
        readers = ReaderMail.for_app(app)
        found = db.session.get(Comment, idea.id)
        listening.follow_up(found, staff, FollowUp.PASSED_ON, INTERNAL, now, readers, team="Mobile")
        listening.follow_up(found, staff, FollowUp.ACTED_ON, WHAT_WE_DID, now, readers)
        db.session.commit()
        document = export_document(now)
    html = bake(tmp_path, document)
    assert html.count("got in touch privately") == 1
    assert "Ana Lima got in touch privately" in html
    assert f"<strong>What we did:</strong> {WHAT_WE_DID}" in html
    assert "Called Jo" not in html and INTERNAL not in html and "Mobile" not in html


def test_the_full_export_keeps_kinds_private_answers_and_follow_ups(
    app, ana, post, make_comment, tmp_path
):
    comment = make_comment(post, name="Jo", minutes_ago=60)
    by = ["--by", "ana@porch.test"]
    cli(app, "tag", str(comment.id), "idea", *by)
    cli(app, "answer-privately", str(comment.id), *by, "--how", "email", "--note", NOTE)
    cli(app, "follow-up", str(comment.id), "passed-on", "--team", "Mobile", *by)
    cli(app, "follow-up", str(comment.id), "acted-on", "--note", WHAT_WE_DID, *by)
    first = export_full_document(app, tmp_path / "first.json")
    empty_database(app)
    assert restore(app, tmp_path / "first.json").exit_code == 0
    again = export_full_document(app, tmp_path / "again.json")
    assert without_time(again) == without_time(first)
    (entry,) = first["comments"]
    assert (entry["kind"], entry["private_channel"], entry["private_note"]) == (
        "idea",
        "email",
        NOTE,
    )
    assert (entry["follow_up"], entry["follow_up_team"]) == ("acted_on", "Mobile")
    assert [action["action"] for action in first["moderation"]] == [
        "tag",
        "answer_privately",
        "pass_on",
        "act_on",
    ]
