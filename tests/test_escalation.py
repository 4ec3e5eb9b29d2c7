"""Readers waiting far too long: after the second delay the admins look after them too."""

from datetime import timedelta

import pytest

from comments_service import create_app
from comments_service.extensions import db
from comments_service.models import Comment, Role, utcnow
from comments_service.queries.care import escalated, flagged_staff, unanswered_for
from comments_service.services.comments.posting import add_staff_answer
from comments_service.services.mail.notifications import queue_overdue_reminders

from .conftest import service_urls, settings
from .mail_helpers import outbox_rows
from .test_moderation_page import html_of, tab_counts

WITHIN = timedelta(hours=24)
ESCALATE_AFTER = timedelta(hours=72)


def ids(query):
    return [comment.id for comment in db.session.scalars(query)]


def names(staff) -> list[str]:
    return [person.name for person in staff]


def remind(app, now) -> int:
    with app.app_context():
        count = queue_overdue_reminders(
            urls=service_urls(),
            now=now,
            answer_within=WITHIN,
            escalate_after=ESCALATE_AFTER,
        )
        db.session.commit()
    return count


@pytest.mark.usefixtures("ctx")
def test_comment_is_escalated_only_once_it_has_waited_longer_than_the_escalation_delay(
    make_post, make_staff, make_comment
):
    make_staff("Ana Lima")
    make_staff("Root", role=Role.ADMIN)
    comment = db.session.get(Comment, make_comment(make_post()).id)
    exactly_then = comment.created_at + ESCALATE_AFTER
    for now, escalated_ids, flagged in [
        (exactly_then - timedelta(hours=1), [], ["Ana Lima"]),
        (exactly_then, [], ["Ana Lima"]),
        (exactly_then + timedelta(microseconds=1), [comment.id], ["Ana Lima", "Root"]),
        (exactly_then + timedelta(days=5), [comment.id], ["Ana Lima", "Root"]),
    ]:
        assert ids(escalated(now, ESCALATE_AFTER)) == escalated_ids, now
        assert names(flagged_staff(comment, now, ESCALATE_AFTER)) == flagged, now


@pytest.mark.usefixtures("ctx")
def test_answered_comment_is_never_escalated(make_post, make_staff, make_comment):
    ana = make_staff("Ana Lima")
    comment = make_comment(make_post(), minutes_ago=100 * 60)
    add_staff_answer(db.session.get(Comment, comment.id), ana, "Sorry for the wait!")
    db.session.commit()
    assert ids(escalated(utcnow(), ESCALATE_AFTER)) == []


@pytest.mark.usefixtures("ctx")
def test_escalation_adds_the_admins_without_taking_the_comment_from_its_authors(
    make_post, make_staff, make_comment
):
    ana = make_staff("Ana Lima")
    old = make_comment(make_post(), minutes_ago=73 * 60)
    assert ids(unanswered_for(ana, utcnow())) == [old.id]


def test_escalated_tab_lists_what_waited_too_long_and_the_waiting_tab_marks_it(
    client, make_post, make_staff, make_comment, login
):
    post = make_post()
    old = make_comment(post, name="Patient Reader", minutes_ago=73 * 60)
    make_comment(post, name="Recent Reader", minutes_ago=30 * 60)
    login(make_staff("Root", role=Role.ADMIN))
    listed = html_of(client, "/moderation/?view=escalated")
    assert tab_counts(listed)["escalated"] == 1 and tab_counts(listed)["waiting"] == 2
    assert "Patient Reader" in listed and "Recent Reader" not in listed
    assert "no one answered within 3 days" in listed
    waiting = html_of(client, "/moderation/")
    marked = waiting.split(f'id="comment-{old.id}"')[1].split("</article>")[0]
    assert "escalated to admins" in marked
    assert waiting.count("escalated to admins") == 1


def test_admins_reminder_leads_with_the_comments_escalated_to_them(
    app, make_post, make_staff, make_comment
):
    make_staff("Ana Lima")
    make_staff("Root", role=Role.ADMIN)
    hello = make_post("hello", title="Hello Porch")
    make_comment(hello, name="Patient", minutes_ago=(3 * 24 + 5) * 60)
    make_comment(hello, name="Recent", minutes_ago=30 * 60)

    assert remind(app, utcnow()) == 2
    by_recipient = {row.recipient: row for row in outbox_rows(app)}
    assert by_recipient["ana@porch.test"].subject == (
        "2 readers are waiting for you; the oldest for 3 days"
    )
    to_root = by_recipient["root@porch.test"]
    assert to_root.subject == "1 comment escalated to you: oldest waiting 3 days"
    assert "1 comment has waited so long that it was escalated to you" in to_root.body_text
    assert '* Patient on "Hello Porch", waiting 3 days' in to_root.body_text  # 77 hours
    assert "Recent" not in to_root.body_text


def later_the_same_day(now):
    """Two hours on, or the day's last second when that is sooner (the suite runs at any hour)."""
    return min(now + timedelta(hours=2), now.replace(hour=23, minute=59, second=59))


def test_admins_reminder_with_escalations_is_still_sent_at_most_once_a_day(
    app, make_post, make_staff, make_comment
):
    make_staff("Root", role=Role.ADMIN)
    post = make_post("orphan", authors=("No Account",))
    make_comment(post, minutes_ago=80 * 60)
    now = utcnow()
    assert remind(app, now) == 1
    make_comment(post, minutes_ago=90 * 60)  # escalated later the same day: waits for tomorrow
    assert remind(app, later_the_same_day(now)) == 0
    assert remind(app, now + timedelta(days=1)) == 1
    subjects = [row.subject for row in outbox_rows(app)]
    assert subjects == [
        "1 comment escalated to you: oldest waiting 3 days",
        "2 comments escalated to you: oldest waiting 5 days",  # 114 hours
    ]


def test_digest_command_queues_the_escalations_with_the_configured_delay(
    app_with, make_post, make_staff, make_comment
):
    app = app_with(PORCH_ANSWER_WITHIN_HOURS=2, PORCH_ESCALATE_AFTER_HOURS=5)
    make_staff("Ana Lima")
    make_staff("Root", role=Role.ADMIN)
    make_comment(make_post(), minutes_ago=6 * 60)
    output = app.test_cli_runner().invoke(args=["mail", "digest"]).output
    assert "0 digests and 2 reminders queued" in output
    assert sorted(row.subject for row in outbox_rows(app)) == [
        "1 comment escalated to you: oldest waiting 6 hours",
        "1 reader is waiting for you, for 6 hours",
    ]


@pytest.mark.parametrize("hours", [24, 12])
def test_escalation_must_come_after_the_answer_within_time(tmp_path, hours):
    with pytest.raises(ValueError, match="must be more than PORCH_ANSWER_WITHIN_HOURS"):
        create_app(
            settings(f"sqlite:///{tmp_path}/porch.sqlite3", PORCH_ESCALATE_AFTER_HOURS=hours)
        )
