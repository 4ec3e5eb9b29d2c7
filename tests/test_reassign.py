"""Handing a comment to a colleague: it becomes theirs in every queue, reminder and mail."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from comments_service.enums import Decision
from comments_service.extensions import db
from comments_service.models import Comment, ModerationAction, Role, Staff, utcnow
from comments_service.queries.care import flagged_staff, for_staff, looks_after, unanswered_for
from comments_service.services.accounts import staff as accounts
from comments_service.services.mail.notifications import queue_overdue_reminders
from comments_service.services.moderation import assignment
from comments_service.services.moderation import decisions as moderation

from .conftest import answer_fields, csrf_token, service_urls
from .mail_helpers import outbox_rows
from .test_deep_threads import counted_queries
from .test_moderation_page import html_of


def hand(comment, by, to, now=None) -> None:
    """Reassign inside the test's app context, as one request would, and commit."""
    assignment.reassign(
        db.session.get(Comment, comment.id),
        db.session.get(Staff, by.id),
        db.session.get(Staff, to.id),
        urls=service_urls(),
        now=now or utcnow(),
    )
    db.session.commit()


def queue_of(staff) -> list[int]:
    person = db.session.get(Staff, staff.id)
    return [comment.id for comment in db.session.scalars(unanswered_for(person, utcnow()))]


def flagged_names(comment) -> list[str]:
    return [s.name for s in flagged_staff(db.session.get(Comment, comment.id), utcnow())]


@pytest.mark.usefixtures("ctx")
def test_handed_comment_leaves_the_authors_queues_and_enters_the_colleagues(
    make_post, make_staff, make_comment
):
    ana, ben, cai = make_staff("Ana Lima"), make_staff("Ben Okafor"), make_staff("Cai Wen")
    comment = make_comment(make_post(authors=("Ana Lima", "Ben Okafor")))
    hand(comment, ana, cai)
    assert queue_of(ana) == queue_of(ben) == []
    assert queue_of(cai) == [comment.id]
    assert flagged_names(comment) == ["Cai Wen"]


@pytest.mark.usefixtures("ctx")
def test_handing_on_is_audited_and_the_colleague_gets_an_email(
    app, make_post, make_staff, make_comment
):
    ana, ben = make_staff("Ana Lima"), make_staff("Ben Okafor")
    comment = make_comment(
        make_post(title="Hello Porch"), name="Priya", body_markdown="Where is the export?"
    )
    hand(comment, ana, ben)
    (action,) = db.session.scalars(select(ModerationAction)).all()
    assert (action.action, action.staff.name, action.reason) == (
        Decision.REASSIGN,
        "Ana Lima",
        "Handed to Ben Okafor",
    )
    (mail,) = outbox_rows(app)
    assert mail.recipient == "ben@porch.test"
    assert mail.subject == "Ana Lima handed you a comment: Priya on “Hello Porch”"
    assert "Where is the export?" in mail.body_text
    assert f"http://service.test/moderation/#comment-{comment.id}" in mail.body_text


@pytest.mark.usefixtures("ctx")
def test_a_comment_can_be_handed_on_again_and_back(make_post, make_staff, make_comment):
    ana, ben, cai = make_staff("Ana Lima"), make_staff("Ben Okafor"), make_staff("Cai Wen")
    comment = make_comment(make_post())
    hand(comment, ana, ben)
    hand(comment, ben, cai)
    assert (queue_of(ana), queue_of(ben), queue_of(cai)) == ([], [], [comment.id])
    hand(comment, cai, ana)
    assert (queue_of(ana), queue_of(ben), queue_of(cai)) == ([comment.id], [], [])
    with pytest.raises(moderation.ModerationError, match="already handed to Ana Lima"):
        hand(comment, ana, ana)


@pytest.mark.usefixtures("ctx")
def test_an_author_hands_on_only_what_waits_for_them_and_an_admin_anything(
    make_post, make_staff, make_comment
):
    ana, ben = make_staff("Ana Lima"), make_staff("Ben Okafor")
    root = make_staff("Root", role=Role.ADMIN)
    bens = make_comment(make_post("bens", authors=("Ben Okafor",)))
    with pytest.raises(moderation.NotAllowed):
        hand(bens, ana, ana)
    anas = make_comment(make_post("anas"))
    hand(anas, ana, ben)
    with pytest.raises(moderation.NotAllowed):  # no longer hers
        hand(anas, ana, root)
    hand(bens, root, ana)
    hand(anas, root, root)
    assert queue_of(ana) == [bens.id]
    assert flagged_names(anas) == ["Root"]


@pytest.mark.usefixtures("ctx")
def test_only_waiting_reader_comments_go_to_active_colleagues(make_post, make_staff, make_comment):
    ana, ben = make_staff("Ana Lima"), make_staff("Ben Okafor")
    post = make_post()
    answered = make_comment(post, answered_at=utcnow(), answered_by_id=ana.id)
    with pytest.raises(moderation.ModerationError, match="no longer waiting"):
        hand(answered, ana, ben)
    with pytest.raises(moderation.ModerationError, match="only reader comments"):
        hand(make_comment(post, staff=ana), ana, ben)
    accounts.deactivate(db.session.get(Staff, ben.id))
    db.session.commit()
    with pytest.raises(moderation.ModerationError, match="can no longer sign in"):
        hand(make_comment(post), ana, ben)


def test_overdue_reminders_follow_the_comment_to_the_colleague(
    app, make_post, make_staff, make_comment
):
    ana, ben = make_staff("Ana Lima"), make_staff("Ben Okafor")
    comment = make_comment(make_post(), minutes_ago=30 * 60)
    with app.app_context():
        hand(comment, ana, ben)
        queued = queue_overdue_reminders(
            urls=service_urls(),
            now=utcnow(),
            answer_within=timedelta(hours=24),
            escalate_after=timedelta(hours=72),
        )
        db.session.commit()
    assert queued == 1
    assert [(row.recipient, row.subject[:28]) for row in outbox_rows(app)] == [
        ("ben@porch.test", "Ana Lima handed you a commen"),
        ("ben@porch.test", "1 reader is waiting for you,"),
    ]


def test_escalation_still_reaches_the_admins_after_handing_on(
    app, make_post, make_staff, make_comment
):
    ana, ben = make_staff("Ana Lima"), make_staff("Ben Okafor")
    make_staff("Root", role=Role.ADMIN)
    comment = make_comment(make_post(), minutes_ago=80 * 60)
    with app.app_context():
        hand(comment, ana, ben)
        flagged = flagged_staff(db.session.get(Comment, comment.id), utcnow(), timedelta(hours=72))
        assert [s.name for s in flagged] == ["Ben Okafor", "Root"]


# The moderation page


def reassign_on_page(client, comment, to, token=None):
    data = {"to": str(to)}
    if token is not False:
        data["csrf_token"] = token or csrf_token(html_of(client))
    return client.post(f"/moderation/comments/{comment.id}/reassign?view=waiting", data=data)


def assigned_to(app, comment):
    with app.app_context():
        return db.session.get(Comment, comment.id).assigned_to_id


def test_moderation_page_hands_a_comment_to_a_chosen_colleague(
    app, client, make_post, make_staff, make_comment, login
):
    ana, ben = make_staff("Ana Lima"), make_staff("Ben Okafor")
    comment = make_comment(make_post(), name="Priya")
    login(ana)
    tools = html_of(client, f"/moderation/comments/{comment.id}/tools")
    assert f'<option value="{ben.id}">Ben Okafor</option>' in tools
    response = reassign_on_page(client, comment, ben.id)
    assert response.status_code == 303
    assert "Comment by Priya handed to Ben Okafor." in html_of(client)
    assert "Priya" not in html_of(client)
    client.post("/auth/logout", data={"csrf_token": csrf_token(html_of(client))})
    login(ben)
    shown = html_of(client)
    assert "Priya" in shown and "For Ben Okafor · handed on" in shown
    history = html_of(client, f"/moderation/comments/{comment.id}/tools")
    assert "Ana Lima · handed on" in history and "Handed to Ben Okafor" in history


def test_moderation_page_says_whom_a_comment_was_handed_to_while_they_are_away(
    app, client, make_post, make_staff, make_comment, login
):
    ana, ben = make_staff("Ana Lima"), make_staff("Ben Okafor")
    comment = make_comment(make_post())
    with app.app_context():
        hand(comment, ana, ben)
        today = utcnow().date()
        db.session.get(Staff, ben.id).away_from = today
        db.session.get(Staff, ben.id).away_until = today
        db.session.commit()
    login(ana)
    assert "For Ana Lima · handed to Ben Okafor" in html_of(client)


@pytest.mark.parametrize(
    "to, message",
    [("nobody", "Not a valid integer value"), ("", "Choose the colleague"), (99999, "no such")],
)
def test_moderation_page_refuses_a_bad_colleague_with_a_message(
    app, client, make_post, make_staff, make_comment, login, to, message
):
    ana = make_staff("Ana Lima")
    comment = make_comment(make_post())
    login(ana)
    assert reassign_on_page(client, comment, to).status_code == 303
    assert message in html_of(client)
    assert assigned_to(app, comment) is None


def test_moderation_page_reassign_needs_the_csrf_token_and_the_comment_in_your_care(
    app, client, make_post, make_staff, make_comment, login
):
    ana, ben = make_staff("Ana Lima"), make_staff("Ben Okafor")
    mine = make_comment(make_post("mine"))
    bens = make_comment(make_post("bens", authors=("Ben Okafor",)))
    login(ana)
    assert reassign_on_page(client, mine, ben.id, token=False).status_code == 400
    assert reassign_on_page(client, bens, ana.id).status_code == 403
    assert assigned_to(app, mine) is None and assigned_to(app, bens) is None


def test_the_colleague_can_answer_the_comment_handed_to_them(
    app, client, make_post, make_staff, make_comment, login
):
    ana, ben = make_staff("Ana Lima"), make_staff("Ben Okafor")
    comment = make_comment(make_post("anas"))
    with app.app_context():
        hand(comment, ana, ben)
    login(ben)
    fields = answer_fields(html_of(client), comment.id)
    response = client.post(
        f"/moderation/comments/{comment.id}/answer",
        data={**fields, "body": "Ben here: it is in Settings."},
    )
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Comment, comment.id).answered_by_id == ben.id


# The command line


def test_cli_hands_a_comment_on_by_email_address(app, make_post, make_staff, make_comment):
    make_staff("Ana Lima")
    ben = make_staff("Ben Okafor")
    comment = make_comment(make_post(), name="Priya")
    result = app.test_cli_runner().invoke(
        args=["comments", "reassign", str(comment.id), "--to", "BEN@porch.test"]
        + ["--by", "ana@porch.test"]
    )
    assert result.exit_code == 0, result.output
    assert f"#{comment.id}\tPriya\thanded to Ben Okafor" in result.output
    assert assigned_to(app, comment) == ben.id
    assert [row.recipient for row in outbox_rows(app)] == ["ben@porch.test"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--to", "nobody@porch.test", "--by", "ana@porch.test"], "No staff account with"),
        (["--to", "ben@porch.test", "--by", "ben@porch.test"], "only comments waiting for you"),
    ],
)
def test_cli_refuses_unknown_people_and_comments_not_theirs(
    app, make_post, make_staff, make_comment, args, message
):
    make_staff("Ana Lima")
    make_staff("Ben Okafor")
    comment = make_comment(make_post())
    result = app.test_cli_runner().invoke(args=["comments", "reassign", str(comment.id), *args])
    assert result.exit_code == 1
    assert message in result.output
    assert assigned_to(app, comment) is None
    assert outbox_rows(app) == []


def test_cli_refuses_an_unknown_comment(app, make_staff):
    make_staff("Ana Lima")
    result = app.test_cli_runner().invoke(
        args=["comments", "reassign", "404", "--to", "ana@porch.test", "--by", "ana@porch.test"]
    )
    assert result.exit_code == 1 and "No comment numbered 404" in result.output


def test_moderation_page_queries_do_not_grow_with_the_comments_handed_on(
    app, client, make_post, make_staff, make_comment, login
):
    ana = make_staff("Ana Lima")
    colleagues = [make_staff(name) for name in ("Ben Okafor", "Cai Wen", "Dee Moss")]
    login(make_staff("Root", role=Role.ADMIN))  # who sees every comment

    def statements_for_the_page() -> int:
        with app.app_context(), counted_queries() as statements:
            html_of(client)
        return len(statements)

    post = make_post(authors=("Ana Lima", "Ben Okafor"))
    make_comment(post, minutes_ago=80 * 60)
    with app.app_context():
        hand(make_comment(post, minutes_ago=70 * 60), ana, colleagues[0])
    few = statements_for_the_page()
    with app.app_context():
        for number in range(12):
            comment = make_comment(post, minutes_ago=number * 600)
            if number % 2:
                hand(comment, ana, colleagues[number % 3])
    assert statements_for_the_page() == few


@pytest.mark.usefixtures("ctx")
def test_looks_after_one_comment_agrees_with_for_staff_for_handed_comments(
    make_post, make_staff, make_comment
):
    ana, ben = make_staff("Ana Lima"), make_staff("Ben Okafor")
    handed = make_comment(make_post("anas"))
    bens = make_comment(make_post("bens", authors=("Ben Okafor",)))
    hand(handed, ana, ben)
    for person, expected in ((ana, {handed.id}), (ben, {handed.id, bens.id})):
        staff = db.session.get(Staff, person.id)
        in_sql = {c.id for c in db.session.scalars(for_staff(select(Comment), staff))}
        one_at_a_time = {c.id for c in db.session.scalars(select(Comment)) if looks_after(staff, c)}
        assert in_sql == one_at_a_time == expected, staff.name
