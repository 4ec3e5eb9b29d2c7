"""The team's chat channels hear of waiting readers, through Apprise and the outbox.

Apprise posts to a real local server as its plain JSON webhook (``json://``), the
form every chat service's message takes here too: a title and a text.
"""

import json
import threading
import time
from datetime import timedelta

import pytest

from comments_service.cli.worker import queue_daily
from comments_service.enums import CommentStatus, MailStatus, Role
from comments_service.extensions import db
from comments_service.models import utcnow
from comments_service.services.mail.chat import fingerprint
from comments_service.services.mail.outbox import enqueue_chat
from comments_service.words.times import day_label

from .mail_helpers import outbox_rows, post_comment, send, write_events
from .webhook_server import WebhookServer

LONG_QUESTION = (
    "How do I export my schedule?\n\nI tried the *Export* button on the settings page, "
    "then the calendar view, and both give me an empty file. "
    + "The rest of the story goes on for a while. " * 10
    + "THE END"
)


@pytest.fixture
def webhook():
    server = WebhookServer()
    yield server
    server.stop()


def chat_settings(urls: str, **extra) -> dict:
    return {"PORCH_NOTIFY_URLS": urls, "PORCH_PUBLIC_URL": "http://service.test", **extra}


@pytest.fixture
def chat_app(app_with, webhook):
    return app_with(**chat_settings(webhook.url()))


def chat_rows(app):
    return [row for row in outbox_rows(app) if row.channel is not None]


def daily(app) -> str:
    """`flask mail digest`: today's digests and reminders, staff and channels alike."""
    return app.test_cli_runner().invoke(args=["mail", "digest"]).output


def test_channel_hears_who_wrote_on_which_post_what_and_who_it_waits_for(
    chat_app, webhook, make_post, make_staff
):
    make_staff("Ana Lima")
    make_staff("Ben Okafor")
    make_post("hello", authors=("Ana Lima", "Ben Okafor"), title="Hello Porch")
    comment = post_comment(chat_app.test_client(), body=LONG_QUESTION, email="jo@example.com")
    assert send(chat_app).sent == 1

    (message,) = webhook.messages()
    assert message["title"] == "New comment: Jo Reader on “Hello Porch”"
    said, waiting, answer = message["message"].split("\n")
    assert said.startswith("Jo Reader on “Hello Porch”: “How do I export my schedule? I tried")
    assert said.endswith("…”") and "THE END" not in said
    assert 150 < len(said) - len("Jo Reader on “Hello Porch”: “") < 205
    assert waiting == "Waiting for Ana Lima and Ben Okafor."
    assert answer == f"Answer it here: http://service.test/moderation/#comment-{comment}"
    assert "@" not in json.dumps(message)  # no reader's address, nor the staff's

    (row,) = chat_rows(chat_app)
    assert (row.channel, row.recipient, row.status) == (
        fingerprint(webhook.url()),
        "",
        MailStatus.SENT,
    )
    listed = chat_app.test_cli_runner().invoke(args=["mail", "list"]).output
    assert f"\t{row.channel}\tNew comment: Jo Reader" in listed
    assert webhook.url() not in listed and str(webhook.port) not in listed


def test_every_channel_hears_and_a_held_comment_says_so(app_with, webhook, make_post, make_staff):
    urls = f"{webhook.url('team')},\n  {webhook.url('support')}"
    app = app_with(**chat_settings(urls, PORCH_MODERATION_POLICY="queue"))
    make_staff("Morgan Reyes", role=Role.ADMIN)
    make_post("hello", authors=("No Account",), title="Hello Porch")
    post_comment(app.test_client())
    send(app)
    for path in ("team", "support"):
        (message,) = webhook.messages(path)
        assert message["title"] == "Held for approval: Jo Reader on “Hello Porch”"
        assert "Waiting for Morgan Reyes." in message["message"]


def test_spam_sends_nothing_to_the_channels(app_with, webhook, make_post, make_staff):
    app = app_with(**chat_settings(webhook.url()))
    make_staff("Ana Lima")
    make_post("hello")
    post_comment(app.test_client(), fill_seconds=0.5)  # too fast: spam
    post_comment(app.test_client(), author_name="Lee", fill_seconds=10)
    assert [row.subject for row in chat_rows(app)] == ["New comment: Lee on “Hello”"]


def test_a_failing_channel_keeps_the_message_and_the_next_pass_sends_it_once(
    chat_app, webhook, make_post, make_staff
):
    make_staff("Ana Lima")
    make_post("hello")
    post_comment(chat_app.test_client())
    webhook.status = 500
    now = utcnow()
    assert send(chat_app, now).failed == 1
    (row,) = chat_rows(chat_app)
    assert (row.status, row.attempts) == (MailStatus.QUEUED, 1)
    assert "500" in row.last_error and webhook.url() not in row.last_error
    assert send(chat_app, now).failed == 0  # not due again yet: the backoff

    webhook.status = 200
    later = now + timedelta(seconds=61)
    assert send(chat_app, later).sent == 1
    assert send(chat_app, later + timedelta(minutes=10)).sent == 0
    (row,) = chat_rows(chat_app)
    assert (row.status, row.attempts, row.last_error) == (MailStatus.SENT, 1, None)
    assert len(webhook.messages()) == 2  # the refused attempt, then the one that went


def test_two_senders_at_once_post_every_message_exactly_once(app_with, webhook):
    app = app_with(**chat_settings(webhook.url(), PORCH_MAIL_BATCH_SIZE=3))
    with app.app_context():
        for number in range(20):
            enqueue_chat(fingerprint(webhook.url()), f"Message {number}", "text", utcnow())
        db.session.commit()
    start = threading.Barrier(2, timeout=10)
    errors = []

    def sender():
        try:
            start.wait()
            for _ in range(20):
                if send(app).sent == 0:
                    return
        except Exception as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    titles = [message["title"] for message in webhook.messages()]
    assert sorted(titles) == sorted(f"Message {number}" for number in range(20))
    assert {row.status for row in outbox_rows(app)} == {MailStatus.SENT}


def test_a_channel_no_longer_set_up_fails_its_messages_at_once(app_with, webhook):
    old = app_with(PORCH_NOTIFY_URLS=webhook.url("old"))
    with old.app_context():
        enqueue_chat(fingerprint(webhook.url("old")), "For the old channel", "text", utcnow())
        db.session.commit()
    new = app_with(PORCH_NOTIFY_URLS=webhook.url("new"))
    assert send(new).failed == 1
    (row,) = outbox_rows(new)
    assert row.status == MailStatus.FAILED
    assert row.last_error == f"the channel {row.channel} is no longer in PORCH_NOTIFY_URLS"
    assert webhook.received == []


def test_off_tells_the_channels_nothing(app_with, webhook, make_post, make_staff, make_comment):
    app = app_with(**chat_settings(webhook.url(), PORCH_NOTIFY_CHOICE="off"))
    make_staff("Ana Lima")
    hello = make_post("hello")
    make_comment(hello, name="Priya", minutes_ago=30 * 60)  # overdue
    post_comment(app.test_client())
    assert "0 digests and 1 reminders queued" in daily(app)  # Ana's own reminder
    send(app)
    assert chat_rows(app) == [] and webhook.received == []


def test_digest_is_one_daily_message_listing_the_days_comments(
    app_with, webhook, make_post, make_staff, make_comment
):
    app = app_with(**chat_settings(webhook.url(), PORCH_NOTIFY_CHOICE="digest"))
    make_staff("Ana Lima")
    hello = make_post("hello", title="Hello Porch")
    # Before the first digest's day; held, so not overdue either.
    make_comment(hello, name="Old", minutes_ago=25 * 60, status=CommentStatus.PENDING)
    make_comment(hello, name="Bot", minutes_ago=10, status=CommentStatus.SPAM)
    first = post_comment(app.test_client(), author_name="Priya", body="First question")
    second = post_comment(app.test_client(), author_name="Lee", body="Second question")
    assert chat_rows(app) == []  # nothing per comment

    assert "1 digests and 0 reminders queued" in daily(app)
    post_comment(app.test_client(), author_name="Sam", body="Later that day")
    assert "0 digests and 0 reminders queued" in daily(app)  # once a day
    send(app)
    (message,) = webhook.messages()
    assert message["title"].startswith("2 new reader comments on ")
    priya, lee = message["message"].split("\n\n")
    assert priya == (
        "Priya on “Hello Porch”: “First question”\nWaiting for Ana Lima.\n"
        f"Answer it here: http://service.test/moderation/#comment-{first}"
    )
    assert lee.startswith("Lee on “Hello Porch”: “Second question”\nWaiting for Ana Lima.\n")
    assert lee.endswith(f"#comment-{second}")
    assert "Old" not in message["message"] and "Bot" not in message["message"]
    assert "Sam" not in message["message"]  # in tomorrow's


def test_two_daily_runs_at_the_same_moment_queue_each_channel_message_once(
    app_with, webhook, make_post, make_staff, make_comment
):
    """The first run has queued but not committed when the second starts: the second
    passes the "already sent today" check too, and must give way, not fail or repeat."""
    first, second = (
        app_with(**chat_settings(webhook.url(), PORCH_NOTIFY_CHOICE="digest")) for _ in range(2)
    )
    make_staff("Ana Lima")
    hello = make_post("hello")
    make_comment(hello, name="Priya", minutes_ago=5)
    make_comment(hello, name="Lee", minutes_ago=30 * 60)  # overdue
    results = []
    other = threading.Thread(target=lambda: results.append(daily(second)))
    with first.app_context():
        assert queue_daily(first, utcnow()) == (1, 2)  # Ana's reminder and the channel's
        other.start()
        time.sleep(1)  # the other run reads "nothing sent today", then waits on our rows
        db.session.commit()
    other.join(timeout=60)
    assert results == ["0 digests and 0 reminders queued; `mail send` delivers them.\n"]
    assert sorted(row.subject for row in chat_rows(first)) == [
        f"1 new reader comment on {day_label(utcnow().date())}",
        "1 reader is waiting too long, for 30 hours",
    ]


def test_overdue_and_escalated_readers_are_listed_once_a_day(
    app_with, webhook, make_post, make_staff, make_comment
):
    app = app_with(**chat_settings(webhook.url()))
    make_staff("Ana Lima")
    make_staff("Morgan Reyes", role=Role.ADMIN)
    hello = make_post("hello", title="Hello Porch")
    late = make_comment(hello, name="Priya", minutes_ago=30 * 60, body_markdown="Still there?")
    escalated = make_comment(hello, name="Lee", minutes_ago=80 * 60, body_markdown="Anyone?")
    make_comment(hello, name="Fresh", minutes_ago=60)  # not overdue yet

    assert "0 digests and 3 reminders queued" in daily(app)  # Ana, Morgan, the channel
    assert "0 digests and 0 reminders queued" in daily(app)
    send(app)
    (message,) = webhook.messages()
    assert message["title"] == "2 readers are waiting too long; the oldest for 3 days"
    lee, priya = message["message"].split("\n\n")
    assert lee == (
        "Lee on “Hello Porch”: “Anyone?”\nEscalated to the admins (Morgan Reyes): waiting 3 days.\n"
        f"Answer it here: http://service.test/moderation/#comment-{escalated.id}"
    )
    assert priya == (
        "Priya on “Hello Porch”: “Still there?”\nWaiting for Ana Lima, for 30 hours.\n"
        f"Answer it here: http://service.test/moderation/#comment-{late.id}"
    )


def test_a_url_apprise_does_not_know_stops_the_service_without_showing_it(app_with, webhook):
    with pytest.raises(ValueError, match="PORCH_NOTIFY_URLS") as refused:
        app_with(PORCH_NOTIFY_URLS=f"{webhook.url()} nonsense://s3cret-token")
    assert "URL number 2 (nonsense)" in str(refused.value)
    assert "s3cret" not in str(refused.value)
    with pytest.raises(ValueError, match="PORCH_NOTIFY_CHOICE must be one of each, digest, off"):
        app_with(PORCH_NOTIFY_CHOICE="weekly")


def test_forgetting_a_reader_blanks_the_channel_messages_about_them(
    chat_app, webhook, make_post, make_staff
):
    make_staff("Ana Lima")
    make_post("hello")
    post_comment(chat_app.test_client(), author_name="Jo Quill", email="jo@example.com")
    write_events(chat_app)  # the sender has written the channel's message
    output = chat_app.test_cli_runner().invoke(args=["people", "forget", "jo@example.com"])
    assert output.exit_code == 0, output.output
    (row,) = chat_rows(chat_app)
    assert "Jo Quill" not in row.subject + row.body_text
    send(chat_app)
    (message,) = webhook.messages()
    assert "Jo Quill" not in json.dumps(message, ensure_ascii=False)
