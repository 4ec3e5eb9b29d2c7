"""Readers waiting too long: each staff member they wait for is reminded, once a day."""

from datetime import timedelta

from sqlalchemy import select

from comments_service.enums import CommentStatus, DigestKind, Notify
from comments_service.extensions import db
from comments_service.models import Digest, Role, Staff, utcnow
from comments_service.services.mail.notifications import queue_overdue_reminders

from .conftest import service_urls
from .mail_helpers import outbox_rows

WITHIN = timedelta(hours=24)
ESCALATE_AFTER = timedelta(hours=72)


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


def choose(app, staff, notify) -> None:
    with app.app_context():
        db.session.get(Staff, staff.id).notify = notify
        db.session.commit()


def test_reminder_counts_the_waiting_readers_and_the_oldest_wait(
    app, make_post, make_staff, make_comment
):
    make_staff("Ana Lima")
    hello = make_post("hello", title="Hello Porch")
    oldest = make_comment(hello, name="Priya", minutes_ago=31 * 60 + 10)
    make_comment(hello, name="Tomasz", minutes_ago=26 * 60)
    make_comment(hello, name="Lee", minutes_ago=25 * 60)
    make_comment(hello, name="Fresh", minutes_ago=60)  # not overdue yet
    make_comment(hello, name="Held", minutes_ago=40 * 60, status=CommentStatus.PENDING)

    assert remind(app, utcnow()) == 1
    (row,) = outbox_rows(app)
    assert row.recipient == "ana@porch.test"
    assert row.subject == "3 readers are waiting for you; the oldest for 31 hours"
    assert '* Priya on "Hello Porch", waiting 31 hours' in row.body_text
    assert f"http://service.test/moderation/#comment-{oldest.id}" in row.body_text
    assert "Fresh" not in row.body_text and "Held" not in row.body_text
    assert row.body_text.index("Priya") < row.body_text.index("Tomasz") < row.body_text.index("Lee")


def test_at_most_one_reminder_a_day_and_again_the_next_day_while_they_wait(
    app, make_post, make_staff, make_comment
):
    make_staff("Ana Lima")
    make_comment(make_post("hello"), name="Priya", minutes_ago=30 * 60)
    now = utcnow()
    assert remind(app, now) == 1
    assert remind(app, now + timedelta(minutes=1)) == 0
    tomorrow = now + timedelta(days=1)
    assert remind(app, tomorrow) == 1
    subjects = [row.subject for row in outbox_rows(app)]
    assert subjects == [
        "1 reader is waiting for you, for 30 hours",
        "1 reader is waiting for you, for 2 days",  # 54 hours
    ]
    with app.app_context():
        kinds = db.session.scalars(select(Digest.kind)).all()
    assert kinds == [DigestKind.OVERDUE] * 2


def test_reminders_go_to_whom_the_comment_is_flagged_for_unless_they_turned_email_off(
    app, make_post, make_staff, make_comment
):
    ana = make_staff("Ana Lima")
    make_staff("Ben Okafor")
    make_staff("Morgan Reyes", role=Role.ADMIN)
    choose(app, ana, Notify.OFF)
    make_comment(make_post("shared", ("Ana Lima", "Ben Okafor")), minutes_ago=30 * 60)
    make_comment(make_post("orphan", ("No Account",)), minutes_ago=30 * 60)
    assert remind(app, utcnow()) == 2
    assert sorted(row.recipient for row in outbox_rows(app)) == [
        "ben@porch.test",
        "morgan@porch.test",
    ]


def test_answered_or_dismissed_comments_are_not_waiting(app, make_post, make_staff, make_comment):
    ana = make_staff("Ana Lima")
    hello = make_post("hello")
    make_comment(hello, minutes_ago=30 * 60, answered_at=utcnow(), answered_by_id=ana.id)
    make_comment(hello, minutes_ago=30 * 60, dismissed_at=utcnow(), dismissed_by_id=ana.id)
    assert remind(app, utcnow()) == 0


def test_digest_command_queues_reminders_too(app, make_post, make_staff, make_comment):
    make_staff("Ana Lima")
    make_comment(make_post("hello"), minutes_ago=30 * 60)
    output = app.test_cli_runner().invoke(args=["mail", "digest"]).output
    assert "0 digests and 1 reminders queued" in output
    assert outbox_rows(app)[0].subject == "1 reader is waiting for you, for 30 hours"
