"""Moderation from the command line: list comments by state, decide on them by id."""

import json

import pytest
from sqlalchemy import select

from comments_service.enums import Decision
from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus, ModerationAction, Role

NO_NOBODY = "No staff account with the email address or name 'Nobody'"


def statuses(app, *comments):
    with app.app_context():
        return [db.session.get(Comment, comment.id).status for comment in comments]


def test_comments_list_shows_one_state_newest_first_on_one_post(app, make_post, make_comment):
    mine = make_post("mine")
    make_comment(mine, name="Old Held", status=CommentStatus.PENDING, minutes_ago=9)
    make_comment(mine, name="New Held", status=CommentStatus.PENDING, minutes_ago=1)
    make_comment(make_post("other"), name="Elsewhere", status=CommentStatus.PENDING)
    make_comment(mine, name="Shown")
    runner = app.test_cli_runner()
    lines = runner.invoke(args=["comments", "list", "--status", "pending", "--post", "mine"])
    assert lines.exit_code == 0, lines.output
    assert lines.output.index("New Held") < lines.output.index("Old Held")
    assert "Elsewhere" not in lines.output and "Shown" not in lines.output
    assert "2 pending." in lines.output
    rows = json.loads(
        runner.invoke(args=["comments", "list", "--status", "approved", "--json"]).output
    )
    assert [(row["author_name"], row["post"], row["status"]) for row in rows] == [
        ("Shown", "mine", "approved")
    ]


def test_comments_list_refuses_unknown_states(app):
    result = app.test_cli_runner().invoke(args=["comments", "list", "--status", "trash"])
    assert result.exit_code == 2 and "'trash' is not one of" in result.output


def test_comments_list_never_prints_control_characters(app, make_post, make_comment):
    make_comment(make_post("mine"), name="Eve\x1b[31m", body_markdown="Hi\u202eevil")
    output = app.test_cli_runner().invoke(args=["comments", "list", "--status", "approved"]).output
    assert "\\u001b[31m" in output and "\\u202e" in output
    assert not {"\x1b", "\u202e"} & set(output)


def test_spam_then_ham_by_id_keeps_who_decided(app, make_post, make_staff, make_comment):
    post = make_post("mine")
    first, second = make_comment(post, name="One"), make_comment(post, name="Two")
    ana = make_staff("Ana Lima")
    runner = app.test_cli_runner()
    spam = runner.invoke(
        args=["comments", "spam", str(first.id), str(second.id), "--by", "Ana Lima"]
    )
    assert spam.exit_code == 0, spam.output
    assert f"#{first.id}\tOne\tmarked as spam" in spam.output
    assert statuses(app, first, second) == [CommentStatus.SPAM] * 2
    ham = runner.invoke(args=["comments", "ham", str(first.id), "--by", "Ana Lima"])
    assert ham.exit_code == 0, ham.output
    assert statuses(app, first, second) == [CommentStatus.APPROVED, CommentStatus.SPAM]
    with app.app_context():
        kept = db.session.execute(select(ModerationAction.action, ModerationAction.staff_id)).all()
    assert sorted(kept) == sorted([(Decision.SPAM, ana.id)] * 2 + [(Decision.NOT_SPAM, ana.id)])


def test_approve_delete_and_restore_by_id(app, make_post, make_staff, make_comment):
    held = make_comment(make_post("mine"), status=CommentStatus.PENDING, published_at=None)
    make_staff("Root", role=Role.ADMIN)
    runner = app.test_cli_runner()
    for command, expected in [
        ("approve", CommentStatus.APPROVED),
        ("delete", CommentStatus.DELETED),
        ("restore", CommentStatus.APPROVED),
    ]:
        result = runner.invoke(args=["comments", command, str(held.id), "--by", "Root"])
        assert result.exit_code == 0, result.output
        assert statuses(app, held) == [expected]


def test_a_decision_that_does_not_fit_one_comment_changes_none(
    app, make_post, make_staff, make_comment
):
    post = make_post("mine")
    held = make_comment(post, status=CommentStatus.PENDING)
    shown = make_comment(post, name="Already Shown")
    make_staff("Ana Lima")
    result = app.test_cli_runner().invoke(
        args=["comments", "approve", str(held.id), str(shown.id), "--by", "Ana Lima"]
    )
    assert result.exit_code == 1
    assert "Nothing was changed. Comment by Already Shown" in result.output
    assert statuses(app, held, shown) == [CommentStatus.PENDING, CommentStatus.APPROVED]


def test_cli_decisions_follow_who_may_act(app, make_post, make_staff, make_comment):
    theirs = make_comment(make_post("theirs", authors=("Ben Okafor",)))
    make_staff("Ana Lima")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["comments", "delete", str(theirs.id), "--by", "Ana Lima"])
    assert result.exit_code == 1 and "not an author of" in result.output
    missing = runner.invoke(args=["comments", "delete", "999", "--by", "Ana Lima"])
    assert missing.exit_code == 1 and "No comment numbered 999." in missing.output
    nobody = runner.invoke(args=["comments", "delete", str(theirs.id), "--by", "Nobody"])
    assert nobody.exit_code == 1 and NO_NOBODY in nobody.output
    assert statuses(app, theirs) == [CommentStatus.APPROVED]


# Each command that acts for a staff member: the state its comment starts in, its other words.
BY_COMMANDS = {
    "approve": (CommentStatus.PENDING, []),
    "spam": (CommentStatus.APPROVED, []),
    "ham": (CommentStatus.SPAM, []),
    "delete": (CommentStatus.APPROVED, []),
    "restore": (CommentStatus.DELETED, []),
    "reassign": (CommentStatus.APPROVED, ["--to", "Cy Ortega"]),
    "tag": (CommentStatus.APPROVED, ["question"]),
    "answer-privately": (
        CommentStatus.APPROVED,
        ["--how", "phone", "--note", "Rang"],
    ),
    "follow-up": (CommentStatus.APPROVED, ["passed-on", "--team", "Web"]),
}


def run_by(app, make_post, make_staff, make_comment, command: str, by: str):
    """Run one command on a fresh comment of Ana's post, acting for ``by``; the comment's
    audit trail afterwards, as (who, what)."""
    make_staff("Ana Lima")
    make_staff("Cy Ortega")
    status, words = BY_COMMANDS[command]
    post = make_post("mine", authors=("Ana Lima", "Cy Ortega"))
    comment = make_comment(post, name="Jo", status=status, kind="idea")
    result = app.test_cli_runner().invoke(
        args=["comments", command, str(comment.id), *words, "--by", by]
    )
    with app.app_context():
        actions = db.session.scalars(
            select(ModerationAction).where(ModerationAction.comment_id == comment.id)
        ).all()
        return result, [(action.staff.name, action.action.value) for action in actions]


@pytest.mark.parametrize("by", ["ANA@porch.test", "ana@porch.test", "Ana Lima"])
@pytest.mark.parametrize("command", BY_COMMANDS)
def test_every_command_takes_by_as_an_email_in_any_case_or_a_name(
    app, make_post, make_staff, make_comment, command, by
):
    result, audit = run_by(app, make_post, make_staff, make_comment, command, by)
    assert result.exit_code == 0, result.output
    assert [who for who, _ in audit] == ["Ana Lima"]


@pytest.mark.parametrize("command", BY_COMMANDS)
def test_every_command_refuses_an_unknown_by_naming_it_and_changes_nothing(
    app, make_post, make_staff, make_comment, command
):
    result, audit = run_by(app, make_post, make_staff, make_comment, command, "nobody@porch.test")
    assert result.exit_code == 1
    assert "No staff account with the email address or name 'nobody@porch.test'" in result.output
    assert audit == []


@pytest.mark.parametrize("command", BY_COMMANDS)
def test_every_command_refuses_a_deactivated_by_and_changes_nothing(
    app, make_post, make_staff, make_comment, command
):
    deactivate = app.test_cli_runner().invoke
    make_staff("Dee Gone")
    assert deactivate(args=["staff", "deactivate", "dee@porch.test"]).exit_code == 0
    result, audit = run_by(app, make_post, make_staff, make_comment, command, "DEE@porch.test")
    assert result.exit_code == 1
    assert "Dee Gone ('DEE@porch.test') is deactivated" in result.output
    assert audit == []
