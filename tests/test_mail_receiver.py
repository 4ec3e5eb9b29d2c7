"""`flask mail receive`: staff replies taken in by SMTP, published once, never lost.

A real receiver, started by the function the command uses, listens on a free 127.0.0.1
port; smtplib plays the company's mail server that forwards replies to it.
"""

import logging
import re
import signal
import smtplib
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import func, select

from comments_service.cli.inbound import start_receiver
from comments_service.extensions import db
from comments_service.models import Comment, InboundMail

from .browser_support import BIN, COMMAND_TIMEOUT, ROOT, clean_environment, free_port
from .conftest import BLOG_URL
from .mail_helpers import post_comment
from .outage_support import breakable
from .reply_support import INBOUND, reply, reply_address

ANSWER = "Yes: it is sealed against rain, and the battery lasts a night."
LOGGER = "comments_service.cli.inbound"
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

    def reply(self, answer: str = ANSWER) -> bytes:
        """Ana's answer as it travels by SMTP (CRLF line ends), a new Message-ID each time."""
        return re.sub(rb"\r?\n", b"\r\n", reply(self.staff_email, self.reply_to, answer))


@pytest.fixture
def receiving(app_with, caplog):
    """Start receivers, each with its own app on the test's database (settings may be
    overridden); all are stopped after the test."""
    caplog.set_level(logging.INFO, logger=LOGGER)
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
    make_post("hello", title="Hello")
    app = app_with(PORCH_INBOUND_ADDRESS=INBOUND)
    comment_id = post_comment(app.test_client(), body="Does the lantern work in the rain?")
    return Question(comment_id, ana.id, ana.email, reply_address(app, ana.email))


def connected(receiver: Receiver) -> smtplib.SMTP:
    client = smtplib.SMTP("127.0.0.1", receiver.port, timeout=30)
    client.ehlo("mail.porch.test")
    return client


def deliver(receiver: Receiver, question: Question, raw: bytes) -> tuple[int, bytes]:
    """Hand the reply over as a mail server does; the receiver's answer to its data."""
    with connected(receiver) as client:
        assert client.mail(question.staff_email)[0] == 250
        assert client.rcpt(question.reply_to)[0] == 250
        return client.data(raw)


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


def logged(caplog) -> list[str]:
    """The receiver's log line of each message: its outcome, or "not taken" (451)."""
    said = []
    for record in caplog.records:
        if record.name == LOGGER:
            taken = re.search(r"taken by SMTP: (\w+)", record.getMessage())
            said.append(taken[1] if taken else "not taken")
    return said


def inbound_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(InboundMail))


def test_a_recipient_that_is_no_reply_address_is_refused_before_the_data(
    receiving, question, caplog
):
    receiver = receiving()
    for stranger in ("postmaster@porch.test", INBOUND, "answers+abc@elsewhere.test"):
        with connected(receiver) as client, pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            client.sendmail(question.staff_email, [stranger], question.reply())
        ((code, text),) = refused.value.recipients.values()
        assert code == 550 and text.startswith(b"5.1.1 ")
        with connected(receiver) as client:
            client.mail(question.staff_email)
            assert client.rcpt(stranger)[0] == 550
            assert client.docmd("DATA")[0] == 503  # no recipient: no data taken
    assert inbound_rows(receiver.app) == 0
    assert answers(receiver.app, question) == []
    assert logged(caplog) == []


def test_a_message_over_the_size_limit_is_refused_with_552(receiving, question):
    receiver = receiving()
    with connected(receiver) as client:
        assert f"SIZE {MAX_BYTES}".encode() in client.ehlo_resp
    too_big = question.reply("An answer that goes on and on.\n" * 1_000)
    assert len(too_big) > MAX_BYTES
    with connected(receiver) as client, pytest.raises(smtplib.SMTPSenderRefused) as refused:
        client.sendmail(question.staff_email, [question.reply_to], too_big)  # SIZE declared
    assert refused.value.smtp_code == 552
    code, text = deliver(receiver, question, too_big)  # no SIZE declared: refused after the data
    assert code == 552, text
    assert inbound_rows(receiver.app) == 0
    assert answers(receiver.app, question) == []


def test_a_reply_is_published_once_and_taken_again_without_a_second_answer(
    receiving, question, app, caplog
):
    receiver = receiving()
    raw = question.reply()
    code, text = deliver(receiver, question, raw)
    assert (code, text[:6]) == (250, b"2.0.0 ")
    assert answers(app, question) == [(question.staff_id, ANSWER)]
    (shown,) = public_answers(app, question)
    assert shown["staff"]["name"] == "Ana Lima" and "sealed against rain" in shown["html"]

    assert deliver(receiver, question, raw)[0] == 250
    assert answers(app, question) == [(question.staff_id, ANSWER)]
    assert inbound_rows(app) == 1
    assert logged(caplog) == ["published", "duplicate"]


@pytest.fixture
def database_cut(database_url):
    """A way to take the test's database away and give it back, and the URL that goes
    through it."""
    database, url = breakable(database_url)
    yield database, url
    database.close()


def test_a_reply_while_the_database_is_away_is_kept_by_the_sender_and_retried(
    receiving, question, app, database_cut, caplog
):
    database, url = database_cut
    receiver = receiving(PORCH_DATABASE_URL=url, PORCH_DATABASE_TIMEOUT_SECONDS=1)
    raw = question.reply()
    database.cut()
    try:
        code, text = deliver(receiver, question, raw)
    finally:
        database.restore()
    assert code == 451 and b"try again later" in text
    assert answers(app, question) == [] and inbound_rows(app) == 0

    assert deliver(receiver, question, raw)[0] == 250  # the sending server's next try
    assert answers(app, question) == [(question.staff_id, ANSWER)]
    assert len(public_answers(app, question)) == 1
    assert logged(caplog) == ["not taken", "published"]


def test_two_receivers_given_one_message_at_once_publish_it_once(receiving, question, app, caplog):
    receivers = [receiving(), receiving()]
    raw = question.reply()
    both_ready = threading.Barrier(2, timeout=10)

    def deliver_with_the_other(receiver: Receiver) -> int:
        """Everything up to the data's last line, then both end it at once."""
        with connected(receiver) as client:
            client.mail(question.staff_email)
            client.rcpt(question.reply_to)
            assert client.docmd("DATA")[0] == 354
            data = re.sub(rb"(?m)^\.", b"..", raw)
            both_ready.wait()
            client.send(data + b".\r\n")
            return client.getreply()[0]

    with ThreadPoolExecutor(max_workers=2) as pool:
        codes = list(pool.map(deliver_with_the_other, receivers))
    assert codes == [250, 250]
    assert answers(app, question) == [(question.staff_id, ANSWER)]
    assert len(public_answers(app, question)) == 1
    assert sorted(logged(caplog)) == ["duplicate", "published"]


def test_without_an_inbound_address_the_command_names_the_setting(app):
    result = app.test_cli_runner().invoke(args=["mail", "receive"])
    assert result.exit_code == 1
    assert "PORCH_INBOUND_ADDRESS is empty" in result.output


def wait_for_smtp(port: int) -> bytes:
    """The receiver's greeting, once it listens (it has COMMAND_TIMEOUT to start)."""
    deadline = time.monotonic() + COMMAND_TIMEOUT
    while True:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
                return client.ehlo()[1]
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_the_command_listens_on_its_host_and_port_until_sigterm(database_url):
    port = free_port()
    env = clean_environment(
        DATABASE_URL=database_url,
        SECRET_KEY="receiver-secret",
        BLOG_URL=BLOG_URL,
        INBOUND_ADDRESS=INBOUND,
        INBOUND_PORT=str(port),
    )
    command = [str(BIN / "flask"), "--app", "comments_service", "mail", "receive"]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert f"SIZE {10_000_000}".encode() in wait_for_smtp(port)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=COMMAND_TIMEOUT)
    assert process.returncode == 0, output
    assert f"Taking replies to answers+…@porch.test on 127.0.0.1:{port}" in output
