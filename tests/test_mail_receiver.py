"""`flask mail receive`: staff replies taken in by SMTP, published once, never lost.

A real receiver, started by the function the command uses, listens on a free 127.0.0.1
port; smtplib plays the company's mail server that forwards replies to it.
"""

import re
import smtplib
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import pytest
from flask import Flask
from sqlalchemy import func, select

from comments_service.cli.inbound import start_receiver
from comments_service.extensions import db
from comments_service.models import Comment, InboundMail

from .browser_support import free_port
from .mail_helpers import outbox_rows, post_comment
from .outage_support import breakable

INBOUND = "answers@blog.test"
ANSWER = "Yes: open Settings, then Export, and pick the weeks you need."
MAX_BYTES = 20_000


@dataclass(frozen=True)
class Receiver:
    app: Flask
    port: int


@dataclass(frozen=True)
class Question:
    """A reader's comment, and the Reply-To of the mail its post's author got about it."""

    id: int
    staff_id: int
    staff_email: str
    reply_to: str


@pytest.fixture
def receiving(app_with):
    """Start receivers, each with its own app on the test's database (settings may be
    overridden); all are stopped after the test."""
    started = []

    def start(**overrides) -> Receiver:
        app = app_with(
            PORCH_INBOUND_ADDRESS=INBOUND, PORCH_INBOUND_MAX_BYTES=MAX_BYTES, **overrides
        )
        port = free_port()
        started.append(start_receiver(app, "127.0.0.1", port))
        return Receiver(app, port)

    yield start
    for controller in started:
        controller.stop()


@pytest.fixture
def question(app_with, make_staff, make_post) -> Question:
    ana = make_staff("Ana Lima")
    make_post("hello")
    app = app_with(PORCH_INBOUND_ADDRESS=INBOUND)
    comment_id = post_comment(app.test_client())
    (mail,) = [row for row in outbox_rows(app) if row.recipient == ana.email]
    return Question(comment_id, ana.id, ana.email, mail.headers["Reply-To"])


def reply(question: Question, body: str = ANSWER) -> EmailMessage:
    """Ana's answer, as her mail program sends it."""
    message = EmailMessage()
    message["From"] = f"Ana Lima <{question.staff_email}>"
    message["To"] = question.reply_to
    message["Subject"] = "Re: A new comment on Hello"
    message["Date"] = formatdate()
    message["Message-ID"] = make_msgid(domain="porch.test")
    message.set_content(body)
    return message


def connected(receiver: Receiver) -> smtplib.SMTP:
    client = smtplib.SMTP("127.0.0.1", receiver.port, timeout=30)
    client.ehlo("mail.porch.test")
    return client


def deliver(receiver: Receiver, message: EmailMessage) -> tuple[int, bytes]:
    """Hand the message over as a mail server does; the receiver's reply to the data."""
    with connected(receiver) as client:
        assert client.mail(message["From"].addresses[0].addr_spec)[0] == 250
        assert client.rcpt(message["To"])[0] == 250
        return client.data(message.as_bytes())


def answers(app, question: Question) -> list[tuple[int, str]]:
    """(staff id, words) of every answer to the question, read in the database."""
    with app.app_context():
        rows = db.session.execute(
            select(Comment.staff_id, Comment.body_markdown).where(
                Comment.parent_id == question.id, Comment.staff_id.is_not(None)
            )
        ).all()
    return [tuple(row) for row in rows]


def public_answers(app, question: Question) -> list[dict]:
    """The answers to the question in the thread readers get."""
    thread = app.test_client().get("/api/posts/hello/comments").get_json()["comments"]
    return [c for c in thread if c["parent_id"] == question.id and c["staff"]]


def inbound_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(InboundMail))


def test_a_recipient_that_is_no_reply_address_is_refused_before_the_data(receiving, question):
    receiver = receiving()
    for stranger in ("postmaster@blog.test", INBOUND, "answers+abc@elsewhere.test"):
        message = reply(question)
        message.replace_header("To", stranger)
        with connected(receiver) as client, pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            client.send_message(message)
        ((code, text),) = refused.value.recipients.values()
        assert code == 550 and text.startswith(b"5.1.1 ")
        with connected(receiver) as client:
            client.mail(question.staff_email)
            assert client.rcpt(stranger)[0] == 550
            assert client.docmd("DATA")[0] == 503  # no recipient: no data taken
    assert inbound_rows(receiver.app) == 0
    assert answers(receiver.app, question) == []


def test_a_message_over_the_size_limit_is_refused_with_552(receiving, question):
    receiver = receiving()
    with connected(receiver) as client:
        assert f"SIZE {MAX_BYTES}".encode() in client.ehlo_resp
    too_big = reply(question, body="An answer that goes on and on. " * 1_000)
    with connected(receiver) as client, pytest.raises(smtplib.SMTPSenderRefused) as refused:
        client.send_message(too_big)  # smtplib declares SIZE, refused at MAIL FROM
    assert refused.value.smtp_code == 552
    code, _ = deliver(receiver, too_big)  # a sender that declares nothing: refused after DATA
    assert code == 552
    assert answers(receiver.app, question) == []


def test_a_reply_is_published_once_and_taken_again_without_a_second_answer(
    receiving, question, app
):
    receiver = receiving()
    message = reply(question)
    code, text = deliver(receiver, message)
    assert (code, text[:6]) == (250, b"2.0.0 ")
    assert answers(app, question) == [(question.staff_id, ANSWER)]
    (shown,) = public_answers(app, question)
    assert shown["staff"]["name"] == "Ana Lima" and "open Settings, then Export" in shown["html"]

    assert deliver(receiver, message)[0] == 250
    assert answers(app, question) == [(question.staff_id, ANSWER)]
    assert inbound_rows(app) == 1


@pytest.fixture
def database_cut(database_url):
    """The test's database, which the test can take away and give back, and its URL."""
    database, url = breakable(database_url)
    yield database, url
    database.close()


def test_a_reply_while_the_database_is_away_is_kept_by_the_sender_and_retried(
    receiving, question, app, database_cut
):
    database, url = database_cut
    receiver = receiving(PORCH_DATABASE_URL=url, PORCH_DATABASE_TIMEOUT_SECONDS=1)
    message = reply(question)
    database.cut()
    try:
        code, text = deliver(receiver, message)
    finally:
        database.restore()
    assert code == 451 and b"try again later" in text
    assert answers(app, question) == [] and inbound_rows(app) == 0

    assert deliver(receiver, message)[0] == 250  # the sending server's next try
    assert answers(app, question) == [(question.staff_id, ANSWER)]
    assert len(public_answers(app, question)) == 1


def test_two_receivers_given_one_message_at_once_publish_it_once(receiving, question, app):
    receivers = [receiving(), receiving()]
    message = reply(question)
    both_ready = threading.Barrier(2, timeout=10)

    def deliver_with_the_other(receiver: Receiver) -> int:
        """Everything up to the data's end, then both end it at once."""
        with connected(receiver) as client:
            client.mail(question.staff_email)
            client.rcpt(question.reply_to)
            assert client.docmd("DATA")[0] == 354
            data = re.sub(rb"(?m)^\.", b"..", message.as_bytes(policy=policy.SMTP))
            both_ready.wait()
            client.send(data + b".\r\n")
            return client.getreply()[0]

    with ThreadPoolExecutor(max_workers=2) as pool:
        codes = list(pool.map(deliver_with_the_other, receivers))
    assert codes == [250, 250]
    assert answers(app, question) == [(question.staff_id, ANSWER)]
    assert len(public_answers(app, question)) == 1
