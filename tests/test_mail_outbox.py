"""Mail is never lost and never sent twice: the outbox and its sender against real SMTP."""

import logging
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from comments_service.enums import MailStatus, ModerationPolicy
from comments_service.extensions import db
from comments_service.models import CommentEvent, Post, utcnow
from comments_service.services.comments.posting import (
    Posting,
    Submission,
    SubmissionContext,
    draft_reader_comment,
    post_reader_comment,
    screen_draft,
    store_reader_comment,
)
from comments_service.services.mail import outbox
from comments_service.services.mail.sender import SenderSettings, send_due
from comments_service.services.mail.subscriptions import ReaderMail
from comments_service.services.spam.guard import Guard

from .mail_helpers import outbox_rows, post_comment, queue_mail, send
from .smtp_support import SmtpServer


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp_down():
    """Settings for an SMTP server that is not running yet; start() brings it up."""
    server = SmtpServer()
    yield server
    server.stop()


def test_rolled_back_comment_leaves_no_mail_and_committed_one_always_has_it(
    app_with, make_post, make_staff
):
    app = app_with(PORCH_SMTP_HOST="")
    make_staff("Ana Lima")
    make_post("hello")
    posting = Posting(
        policy=ModerationPolicy.PUBLISH,
        guard=Guard(max_links=3, min_fill_seconds=0),
        readers=ReaderMail.for_app(app),
    )
    with app.app_context():
        post = db.session.scalar(select(Post))
        submission = Submission(author_name="Jo", body="A question")
        draft = draft_reader_comment(post, None, submission, SubmissionContext())
        verdict = screen_draft(draft, submission, policy=posting.policy, guard=posting.guard)
        store_reader_comment(
            draft,
            verdict.verdict(draft, posting.guard),
            submission,
            readers=posting.readers,
        )
        db.session.rollback()
        assert db.session.scalar(select(func.count(CommentEvent.id))) == 0
        post_reader_comment(post, submission, None, SubmissionContext(), posting)
        db.session.rollback()  # nothing left to roll back: the post committed both
        assert db.session.scalar(select(func.count(CommentEvent.id))) == 1
    send(app)  # the sender writes the event's mail first
    assert len(outbox_rows(app)) == 1


def test_sent_message_is_multipart_with_proper_headers(app_with, smtp, make_post, make_staff):
    app = app_with(**smtp.settings())
    make_staff("Ana Lima")
    make_post("hello", title="Hello Porch")
    comment_id = post_comment(app.test_client())

    assert send(app).sent == 1
    (received,) = smtp.sink.received
    email = received.message
    assert received.recipients == ["ana@porch.test"]
    assert received.mail_from == "porch@blog.test"
    assert email["From"] == "Porch <porch@blog.test>"
    assert email["To"] == "ana@porch.test"
    assert email["Subject"] == "New comment: Jo Reader on “Hello Porch”"
    assert email["Date"] and email["Auto-Submitted"] == "auto-generated"
    assert email["Message-ID"].endswith("@blog.test>")
    assert email["X-Porch-Comment"] == str(comment_id)
    assert email.get_content_type() == "multipart/alternative"
    text = email.get_body(("plain",)).get_content()
    html = email.get_body(("html",)).get_content()
    assert "How do I export my schedule?" in text and "<p>How do I export my schedule?</p>" in html
    (row,) = outbox_rows(app)
    assert (row.status, row.attempts, row.claim_token) == (MailStatus.SENT, 0, None)
    assert row.sent_at is not None


def test_nothing_listening_keeps_the_message_until_smtp_is_back(
    app_with, smtp_down, make_post, make_staff
):
    app = app_with(**smtp_down.settings(PORCH_MAIL_RETRY_SECONDS=60))
    make_staff("Ana Lima")
    make_post("hello")
    post_comment(app.test_client())
    start = utcnow()

    assert send(app, start).failed == 1
    (row,) = outbox_rows(app)
    assert (row.status, row.attempts) == (MailStatus.QUEUED, 1)
    assert "ConnectionRefusedError" in row.last_error
    assert row.next_attempt_at == start + timedelta(seconds=60)

    smtp_down.start()
    assert send(app, start + timedelta(seconds=30)).sent == 0  # not due yet
    assert send(app, start + timedelta(seconds=61)).sent == 1
    assert send(app, start + timedelta(seconds=600)).sent == 0
    assert len(smtp_down.sink.received) == 1
    assert outbox_rows(app)[0].status == MailStatus.SENT


@pytest.mark.parametrize(
    "refusal",
    [
        {"refuse_rcpt": "550 5.1.1 No such mailbox"},
        {"refuse_rcpt": "451 4.3.0 Mailbox busy"},
        {"refuse_data": "554 5.6.0 Message refused"},
        {"refuse_data": "451 4.3.0 Try again later"},
    ],
)
def test_refusing_server_keeps_the_message_and_sends_it_once_later(
    app_with, smtp, make_post, make_staff, refusal
):
    app = app_with(**smtp.settings())
    make_staff("Ana Lima")
    make_post("hello")
    post_comment(app.test_client())
    for name, reply in refusal.items():
        setattr(smtp.sink, name, reply)
    start = utcnow()

    assert send(app, start).failed == 1
    (row,) = outbox_rows(app)
    assert (row.status, row.attempts) == (MailStatus.QUEUED, 1)
    assert reply.split()[0] in row.last_error

    smtp.sink.accept_everything()
    assert send(app, start + timedelta(hours=1)).sent == 1
    assert send(app, start + timedelta(hours=2)).sent == 0
    assert len(smtp.sink.received) == 1


def test_slow_server_times_out_and_the_message_goes_out_once_later(
    app_with, smtp, make_post, make_staff
):
    app = app_with(**smtp.settings(PORCH_SMTP_TIMEOUT_SECONDS=1))
    make_staff("Ana Lima")
    make_post("hello")
    post_comment(app.test_client())
    smtp.sink.stall_seconds = 2.5
    start = utcnow()

    assert send(app, start).failed == 1
    (row,) = outbox_rows(app)
    assert (row.status, row.attempts) == (MailStatus.QUEUED, 1)
    assert "timed out" in row.last_error

    smtp.sink.accept_everything()
    assert send(app, start + timedelta(hours=1)).sent == 1
    assert send(app, start + timedelta(hours=2)).sent == 0
    assert len(smtp.sink.received) == 1


def test_failed_attempts_back_off_exponentially_then_the_message_is_marked_failed(
    app_with, smtp_down
):
    app = app_with(**smtp_down.settings(PORCH_MAIL_RETRY_SECONDS=60, PORCH_MAIL_MAX_ATTEMPTS=4))
    now = utcnow()
    queue_mail(app, 1, now)
    waits = []
    for _ in range(4):
        assert send(app, now).failed == 1
        row = outbox_rows(app)[0]
        waits.append(row.next_attempt_at - now)
        now = row.next_attempt_at
    assert waits[:3] == [timedelta(seconds=s) for s in (60, 120, 240)]
    assert (row.status, row.attempts) == (MailStatus.FAILED, 4)
    assert send(app, now + timedelta(days=30)).failed == 0  # never tried again on its own


def test_operators_see_failed_mail_and_can_queue_it_again(app_with, smtp_down):
    app = app_with(**smtp_down.settings(PORCH_MAIL_MAX_ATTEMPTS=1))
    queue_mail(app, 2)
    send(app)
    runner = app.test_cli_runner()

    listing = runner.invoke(args=["mail", "list", "--status", "failed"])
    assert listing.exit_code == 0
    assert "failed\t1 attempts" in listing.output and "ConnectionRefusedError" in listing.output
    status = runner.invoke(args=["mail", "status"])
    assert "queued\t1" in status.output and "failed\t1" in status.output

    assert "1 messages queued again." in runner.invoke(args=["mail", "retry"]).output
    smtp_down.start()
    assert "2 sent, 0 failed" in runner.invoke(args=["mail", "send"]).output
    assert len(smtp_down.sink.received) == 2


def test_without_smtp_host_messages_are_marked_logged_and_kept(app_with, make_post, make_staff):
    """What the log shows is tested on the real command (test_mail_processes)."""
    app = app_with(PORCH_SMTP_HOST="")
    make_staff("Ana Lima")
    make_post("hello")
    post_comment(app.test_client(), body="Is anyone there?")

    assert send(app).logged == 1
    (row,) = outbox_rows(app)
    assert row.status == MailStatus.LOGGED
    runner = app.test_cli_runner()
    assert "1 messages queued again." in runner.invoke(args=["mail", "retry", "--logged"]).output
    assert outbox_rows(app)[0].status == MailStatus.QUEUED


def test_a_logged_message_shows_the_address_to_answer_it_at(
    app_with, make_post, make_staff, caplog
):
    app = app_with(PORCH_SMTP_HOST="", PORCH_INBOUND_ADDRESS="answers@porch.test")
    make_staff("Ana Lima")
    make_post("hello")
    post_comment(app.test_client(), body="Is anyone there?")
    caplog.set_level(logging.INFO, logger="comments_service.services.mail.sender")

    assert send(app).logged == 1
    (row,) = outbox_rows(app)
    assert row.headers["Reply-To"].startswith("answers+")
    assert f"Subject: {row.subject}\nReply-To: {row.headers['Reply-To']}\n\n" in caplog.text


def test_claimed_message_is_not_claimed_again_until_its_lease_runs_out(app):
    now = utcnow()
    queue_mail(app, 1, now)
    lease = timedelta(minutes=10)
    with app.app_context():
        message, first = outbox.claim_next(now, lease)
        db.session.commit()
        assert outbox.claim_next(now + timedelta(minutes=9), lease) is None
        taken_over, second = outbox.claim_next(now + timedelta(minutes=11), lease)
        assert taken_over.id == message.id
        assert not outbox.record_sent(message.id, first, now)  # the first claim is gone
        assert outbox.record_sent(message.id, second, now)
        db.session.commit()


def test_two_senders_at_once_deliver_every_message_exactly_once(app_with, smtp):
    app = app_with(**smtp.settings(PORCH_MAIL_BATCH_SIZE=3))
    queue_mail(app, 30)
    start = threading.Barrier(2, timeout=10)
    errors = []

    def sender():
        try:
            start.wait()
            for _ in range(30):
                report = send(app)
                if report.sent == 0:
                    return
        except Exception as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    ids = smtp.sink.message_ids()
    assert len(ids) == 30 and len(set(ids)) == 30
    assert {row.status for row in outbox_rows(app)} == {MailStatus.SENT}


def test_message_that_cannot_be_written_as_email_fails_alone(app_with, smtp):
    app = app_with(**smtp.settings())
    with app.app_context():
        outbox.enqueue(outbox.Mail("ana@porch.test", "Two\nlines", "t", "<p>h</p>", {}), utcnow())
        db.session.commit()
    queue_mail(app, 1)
    report = send(app)
    assert (report.failed, report.sent) == (1, 1)
    broken, fine = outbox_rows(app)
    assert broken.status == MailStatus.QUEUED and "ValueError" in broken.last_error
    assert fine.status == MailStatus.SENT


def test_a_slow_pass_reads_the_clock_for_each_message(app_with, smtp):
    """A lease counted from the start of a long pass could run out before the claim."""
    app = app_with(**smtp.settings(PORCH_MAIL_RETRY_SECONDS=60, PORCH_MAIL_BATCH_SIZE=2))
    start = utcnow()
    queue_mail(app, 2, start)
    smtp.sink.refuse_data = "451 4.3.0 Try again later"
    ticks = iter(start + timedelta(hours=hour) for hour in range(10))
    with app.app_context():
        send_due(SenderSettings.for_app(app), lambda: next(ticks))
        db.session.remove()
    first, second = outbox_rows(app)
    assert second.next_attempt_at - first.next_attempt_at >= timedelta(hours=2)
