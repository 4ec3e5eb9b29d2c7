"""A new reader comment's event: the outbox's sender turns it into its messages, once."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from comments_service.extensions import db
from comments_service.models import Comment, CommentEvent, OutboxMessage, Role, Staff, utcnow
from comments_service.services.mail import events
from comments_service.services.moderation.decisions import approve

from .conftest import BACKENDS
from .mail_helpers import outbox_rows, post_comment, send


@pytest.fixture
def log_app(app_with, make_post, make_staff):
    """No SMTP host: the sender keeps each message in the outbox, marked logged."""
    make_staff("Ana Lima")
    make_post("hello", title="Hello Porch")
    return app_with(PORCH_SMTP_HOST="", PORCH_MAIL_BATCH_SIZE=3)


def pending_events(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(CommentEvent.id)))


def queued(app) -> int:
    """Messages in the outbox, the pending events left unwritten."""
    with app.app_context():
        return db.session.scalar(select(func.count(OutboxMessage.id)))


def mailed_comments(app) -> list[int]:
    return sorted(int(row.headers["X-Porch-Comment"]) for row in outbox_rows(app))


def test_posting_leaves_an_event_that_the_sender_writes_as_its_mail_once(log_app):
    comment = post_comment(log_app.test_client())
    assert (pending_events(log_app), queued(log_app)) == (1, 0)
    assert send(log_app).logged == 1
    send(log_app)
    (mail,) = outbox_rows(log_app)
    assert (mail.recipient, mail.headers["X-Porch-Comment"]) == ("ana@porch.test", str(comment))
    assert mail.subject == "New comment: Jo Reader on “Hello Porch”"
    assert pending_events(log_app) == 0


def test_events_a_sender_took_before_it_stopped_are_expanded_by_the_next(log_app):
    client = log_app.test_client()
    comments = [post_comment(client, body=f"Question {n}") for n in range(2)]
    with log_app.app_context():
        assert events._expand_batch(events.Notices.for_app(log_app), 10) == 2
        db.session.rollback()  # the sender died before its commit
    assert (pending_events(log_app), queued(log_app)) == (2, 0)
    send(log_app)
    send(log_app)
    assert mailed_comments(log_app) == comments
    assert pending_events(log_app) == 0


def test_two_senders_at_once_expand_every_event_exactly_once(log_app):
    client = log_app.test_client()
    comments = [post_comment(client, body=f"Question {n}") for n in range(12)]
    start = threading.Barrier(2)

    def sender():
        start.wait()
        send(log_app)

    senders = [threading.Thread(target=sender) for _ in range(2)]
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join(timeout=30)
    assert mailed_comments(log_app) == comments
    assert pending_events(log_app) == 0


# SQLite lets one writer in at a time: there the second sender waits its turn.
@pytest.mark.parametrize("database_url", [b for b in BACKENDS if b != "sqlite"], indirect=True)
def test_a_sender_skips_the_events_another_is_expanding_and_does_not_wait(log_app, database_url):
    client = log_app.test_client()
    comments = [post_comment(client, body=f"Question {n}") for n in range(5)]
    with log_app.app_context():
        assert events._expand_batch(events.Notices.for_app(log_app), 3) == 3  # not committed
        other = threading.Thread(target=send, args=(log_app,))
        other.start()
        other.join(timeout=10)
        assert not other.is_alive(), "the second sender waited for the first one's events"
        assert mailed_comments(log_app) == comments[3:]
        db.session.commit()
    assert mailed_comments(log_app) == comments


def test_flagged_staff_are_decided_for_the_events_time_not_the_senders(
    log_app, make_staff, make_post
):
    make_staff("Root", role=Role.ADMIN)
    with log_app.app_context():
        ana = db.session.scalar(select(Staff).where(Staff.name == "Ana Lima"))
        tomorrow = utcnow().date() + timedelta(days=1)
        ana.away_from, ana.away_until = tomorrow, tomorrow + timedelta(days=3)
        db.session.commit()
    post_comment(log_app.test_client())
    send(log_app, now=utcnow() + timedelta(days=1))  # a sender that ran late
    assert [mail.recipient for mail in outbox_rows(log_app)] == ["ana@porch.test"]


def test_a_held_comment_is_mailed_as_held_though_approved_before_the_sender_ran(
    app_with, make_post, make_staff
):
    ana = make_staff("Ana Lima")
    make_post("hello", title="Hello Porch")
    app = app_with(PORCH_SMTP_HOST="", PORCH_MODERATION_POLICY="queue")
    comment = post_comment(app.test_client())
    with app.app_context():
        approve(db.session.get(Comment, comment), db.session.get(Staff, ana.id), None, utcnow())
        db.session.commit()
    send(app)
    (mail,) = outbox_rows(app)
    assert mail.subject == "Held for approval: Jo Reader on “Hello Porch”"


def test_a_comment_erased_before_the_sender_ran_is_never_mailed(log_app):
    post_comment(log_app.test_client(), email="jo@example.com")
    output = log_app.test_cli_runner().invoke(args=["people", "forget", "jo@example.com"])
    assert output.exit_code == 0, output.output
    assert pending_events(log_app) == 0
    send(log_app)
    assert outbox_rows(log_app) == []
