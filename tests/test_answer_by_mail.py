"""An author answers by replying to Porch's mail: what is published, refused and dropped."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from comments_service.cli.worker import queue_daily
from comments_service.enums import CommentStatus, Decision, Notify
from comments_service.extensions import db
from comments_service.inbox import Outcome, receive
from comments_service.models import Comment, InboundMail, ModerationAction, Post, Staff, utcnow
from comments_service.services.inbound.reply_address import ReplyAddresses
from comments_service.services.moderation import decisions

from .conftest import csrf_token, stored
from .html_checker import html_errors
from .mail_helpers import outbox_rows, post_comment, write_events
from .reply_support import INBOUND, reply, reply_address

ANSWER = "Yes: it is sealed against rain, and the battery lasts a night."


@pytest.fixture
def inbound_app(app_with):
    return app_with(PORCH_INBOUND_ADDRESS=INBOUND)


@pytest.fixture
def ana(inbound_app, make_staff, make_post):
    make_post("hello", title="Hello")
    return make_staff("Ana Lima")


@pytest.fixture
def question(inbound_app, ana):
    client = inbound_app.test_client()
    comment = post_comment(
        client, body="Does the lantern work in the rain?", email="jo@example.com"
    )
    write_events(inbound_app)  # the sender has written Ana's mail about it
    return comment


def deliver(app, raw: bytes, *envelope: str):
    with app.app_context():
        return receive(raw, envelope)


def answers_to(app, comment_id: int) -> list[Comment]:
    with app.app_context():
        query = select(Comment).where(Comment.parent_id == comment_id).order_by(Comment.id)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
    return list(rows)


def mails_to(app, recipient: str) -> list:
    return [row for row in outbox_rows(app) if row.recipient == recipient]


def test_the_mail_about_a_comment_carries_its_reply_address(inbound_app, ana, question):
    address = reply_address(inbound_app, ana.email)
    assert re.fullmatch(rf"answers\+{question}-{ana.id}-\d+-[0-9a-f]{{20}}@porch\.test", address)
    assert len(address.partition("@")[0]) <= 64  # the longest local part mail allows
    (mail,) = mails_to(inbound_app, ana.email)
    assert "reply to this mail" in mail.body_text


def test_without_an_inbound_address_mails_carry_no_reply_address(app, make_staff, make_post):
    make_post("hello")
    ana = make_staff("Ana Lima")
    post_comment(app.test_client(), body="A question")
    (mail,) = mails_to(app, ana.email)
    assert "Reply-To" not in mail.headers
    assert "reply to this mail" not in mail.body_text


def test_a_reply_is_published_as_the_authors_answer_without_the_quote(inbound_app, ana, question):
    to = reply_address(inbound_app, ana.email)
    receipt = deliver(inbound_app, reply(ana.email, to, ANSWER))
    assert receipt.outcome is Outcome.PUBLISHED
    (answer,) = answers_to(inbound_app, question)
    assert answer.body_markdown == ANSWER
    assert answer.staff_id == ana.id and answer.status == CommentStatus.APPROVED
    assert "lantern work in the rain" not in answer.body_html
    with inbound_app.app_context():
        asked = db.session.get(Comment, question)
        assert asked.answered_at is not None and asked.answered_by_id == ana.id
        action = db.session.scalar(
            select(ModerationAction).where(ModerationAction.action == Decision.ANSWER)
        )
        assert (action.comment_id, action.staff_id, action.via) == (question, ana.id, "email")
    thread = inbound_app.test_client().get("/api/posts/hello/comments").get_json()
    assert ANSWER in str(thread)
    confirmation = mails_to(inbound_app, ana.email)[-1]
    assert confirmation.subject.startswith("Published: your answer to Jo Reader")
    assert f"#comment-{answer.id}" in confirmation.body_text
    assert "Reply-To" not in confirmation.headers  # replying to it answers nothing


def test_the_same_message_twice_publishes_once(inbound_app, ana, question):
    raw = reply(ana.email, reply_address(inbound_app, ana.email), ANSWER)
    assert deliver(inbound_app, raw).outcome is Outcome.PUBLISHED
    mails = len(outbox_rows(inbound_app))
    assert deliver(inbound_app, raw).outcome is Outcome.DUPLICATE
    assert len(answers_to(inbound_app, question)) == 1
    assert len(outbox_rows(inbound_app)) == mails


def test_the_same_words_again_are_not_a_second_answer_new_words_are(inbound_app, ana, question):
    to = reply_address(inbound_app, ana.email)
    deliver(inbound_app, reply(ana.email, to, ANSWER))
    assert deliver(inbound_app, reply(ana.email, to, ANSWER)).outcome is Outcome.REPEATED
    assert len(answers_to(inbound_app, question)) == 1
    more = "One more thing: the charger is in the box."
    assert deliver(inbound_app, reply(ana.email, to, more)).outcome is Outcome.PUBLISHED
    assert [a.body_markdown for a in answers_to(inbound_app, question)] == [ANSWER, more]


def refused_silently(app, raw: bytes, *envelope: str) -> str:
    """Deliver a message that must change nothing and cause no mail; its reason."""
    before = len(outbox_rows(app))
    receipt = deliver(app, raw, *envelope)
    assert receipt.outcome is Outcome.REFUSED, receipt
    assert len(outbox_rows(app)) == before
    return receipt.reason


def test_a_reply_from_another_address_changes_nothing_and_mails_nobody(inbound_app, ana, question):
    to = reply_address(inbound_app, ana.email)
    reason = refused_silently(inbound_app, reply("mallory@example.net", to, ANSWER))
    assert "mallory@example.net" in reason
    assert answers_to(inbound_app, question) == []


def test_a_forged_from_of_a_colleague_is_refused_too(inbound_app, ana, question, make_staff):
    ben = make_staff("Ben Okafor")
    to = reply_address(inbound_app, ana.email)
    refused_silently(inbound_app, reply(ben.email, to, ANSWER))
    assert answers_to(inbound_app, question) == []


@pytest.mark.parametrize(
    "change",
    [
        lambda token: token[:-1] + ("0" if token[-1] != "0" else "1"),  # the MAC
        lambda token: re.sub(r"^\d+", "999999", token),  # another comment
        lambda token: "not-a-token",
    ],
    ids=["changed-mac", "other-comment", "garbage"],
)
def test_a_changed_or_unknown_reply_address_changes_nothing(inbound_app, ana, question, change):
    local, _, domain = reply_address(inbound_app, ana.email).partition("@")
    base, _, token = local.partition("+")
    to = f"{base}+{change(token)}@{domain}"
    refused_silently(inbound_app, reply(ana.email, to, ANSWER))
    assert answers_to(inbound_app, question) == []


def test_mail_to_no_reply_address_at_all_is_refused(inbound_app, ana, question):
    raw = reply(ana.email, "someone@porch.test", ANSWER)
    assert "reply address" in refused_silently(inbound_app, raw)


def test_the_envelope_recipient_counts_when_the_headers_do_not_show_it(inbound_app, ana, question):
    to = reply_address(inbound_app, ana.email)
    raw = reply(ana.email, "Porch <answers@porch.test>", ANSWER)
    assert deliver(inbound_app, raw, to).outcome is Outcome.PUBLISHED


def test_an_expired_reply_address_is_refused_and_the_author_told(inbound_app, ana, question):
    with inbound_app.app_context():
        replies = ReplyAddresses.from_config(inbound_app.config)
        comment, staff = db.session.get(Comment, question), db.session.get(Staff, ana.id)
        to = replies.address(comment, staff, utcnow() - timedelta(days=31))
    receipt = deliver(inbound_app, reply(ana.email, to, ANSWER))
    assert receipt.outcome is Outcome.REFUSED and "expired" in receipt.reason
    assert answers_to(inbound_app, question) == []
    told = mails_to(inbound_app, ana.email)[-1]
    assert told.subject.startswith("Not published") and "expired" in told.body_text
    assert "/moderation/" in told.body_text


def test_an_address_a_day_short_of_expiry_still_works(inbound_app, ana, question):
    with inbound_app.app_context():
        replies = ReplyAddresses.from_config(inbound_app.config)
        comment, staff = db.session.get(Comment, question), db.session.get(Staff, ana.id)
        to = replies.address(comment, staff, utcnow() - timedelta(days=29))
    assert deliver(inbound_app, reply(ana.email, to, ANSWER)).outcome is Outcome.PUBLISHED


def test_a_deactivated_account_cannot_answer_by_mail(inbound_app, ana, question):
    to = reply_address(inbound_app, ana.email)
    with inbound_app.app_context():
        db.session.get(Staff, ana.id).active = False
        db.session.commit()
    assert "deactivated" in refused_silently(inbound_app, reply(ana.email, to, ANSWER))
    assert answers_to(inbound_app, question) == []


def test_a_removed_comment_is_not_answered_and_the_author_told(inbound_app, ana, question):
    to = reply_address(inbound_app, ana.email)
    with inbound_app.app_context():
        decisions.delete(db.session.get(Comment, question), db.session.get(Staff, ana.id))
        db.session.commit()
    receipt = deliver(inbound_app, reply(ana.email, to, ANSWER))
    assert receipt.outcome is Outcome.REFUSED and "taken down" in receipt.reason
    assert answers_to(inbound_app, question) == []
    assert mails_to(inbound_app, ana.email)[-1].subject.startswith("Not published")


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"X-Autoreply": "yes"},
        {"Precedence": "bulk"},
        {"Precedence": "auto_reply"},
        {"Precedence": "junk"},
    ],
)
def test_machine_replies_are_dropped_without_a_word(inbound_app, ana, question, headers):
    to = reply_address(inbound_app, ana.email)
    before = len(outbox_rows(inbound_app))
    receipt = deliver(inbound_app, reply(ana.email, to, "I am away until Monday.", **headers))
    assert receipt.outcome is Outcome.AUTOMATIC
    assert answers_to(inbound_app, question) == []
    assert len(outbox_rows(inbound_app)) == before


def test_a_reply_with_nothing_above_the_quote_is_sent_back_quoted(inbound_app, ana, question):
    to = reply_address(inbound_app, ana.email)
    receipt = deliver(inbound_app, reply(ana.email, to, ""))
    assert receipt.outcome is Outcome.EMPTY
    assert answers_to(inbound_app, question) == []
    told = mails_to(inbound_app, ana.email)[-1]
    assert told.subject.startswith("Not published")
    assert "> " in told.body_text and "lantern" in told.body_text


def test_answering_a_held_comment_by_mail_approves_it(app_with, make_staff, make_post):
    held_app = app_with(PORCH_INBOUND_ADDRESS=INBOUND, PORCH_MODERATION_POLICY="queue")
    make_post("hello")
    ana = make_staff("Ana Lima")
    question = post_comment(held_app.test_client(), body="Does it float?")
    to = reply_address(held_app, ana.email)
    assert deliver(held_app, reply(ana.email, to, "It does.")).outcome is Outcome.PUBLISHED
    with held_app.app_context():
        assert db.session.get(Comment, question).status == CommentStatus.APPROVED


def test_without_a_dkim_signature_a_reply_is_refused_when_dkim_is_required(
    app_with, make_staff, make_post
):
    strict = app_with(PORCH_INBOUND_ADDRESS=INBOUND, PORCH_REPLY_REQUIRE_DKIM=True)
    make_post("hello")
    ana = make_staff("Ana Lima")
    question = post_comment(strict.test_client(), body="A question")
    to = reply_address(strict, ana.email)
    assert "DKIM" in refused_silently(strict, reply(ana.email, to, ANSWER))
    assert answers_to(strict, question) == []


def test_every_message_is_kept_with_its_outcome(inbound_app, ana, question):
    to = reply_address(inbound_app, ana.email)
    deliver(inbound_app, reply("mallory@example.net", to, ANSWER))
    deliver(inbound_app, reply(ana.email, to, ANSWER))
    with inbound_app.app_context():
        kept = db.session.scalars(select(InboundMail).order_by(InboundMail.id)).all()
        assert [(row.sender, row.outcome) for row in kept] == [
            ("mallory@example.net", "refused"),
            (ana.email, "published"),
        ]
        assert kept[1].answer_id == answers_to(inbound_app, question)[0].id


def undo_link(app, staff_email: str) -> str:
    confirmation = mails_to(app, staff_email)[-1]
    return re.search(r"http://\S+/undo", confirmation.body_text).group(0)


def test_the_undo_link_takes_the_answer_back(inbound_app, ana, question):
    to = reply_address(inbound_app, ana.email)
    deliver(inbound_app, reply(ana.email, to, ANSWER))
    path = undo_link(inbound_app, ana.email).split("127.0.0.1:5000", 1)[-1]
    client = inbound_app.test_client()
    page = client.get(path)
    assert page.status_code == 200 and "Take back your answer" in page.get_data(as_text=True)
    token = csrf_token(page.get_data(as_text=True))
    done = client.post(path, data={"csrf_token": token})
    assert "taken back" in done.get_data(as_text=True)
    (answer,) = answers_to(inbound_app, question)
    assert answer.status == CommentStatus.DELETED
    with inbound_app.app_context():
        assert db.session.get(Comment, question).answered_at is None
        action = db.session.scalar(
            select(ModerationAction).where(ModerationAction.action == Decision.DELETE)
        )
        assert (action.comment_id, action.staff_id, action.via) == (answer.id, ana.id, "email")


def test_the_undo_link_needs_its_form_and_does_nothing_without_it(inbound_app, ana, question):
    deliver(inbound_app, reply(ana.email, reply_address(inbound_app, ana.email), ANSWER))
    path = undo_link(inbound_app, ana.email).split("127.0.0.1:5000", 1)[-1]
    assert inbound_app.test_client().post(path).status_code == 400  # no CSRF token
    assert answers_to(inbound_app, question)[0].status == CommentStatus.APPROVED


def test_a_changed_undo_link_is_not_found(inbound_app, ana, question):
    deliver(inbound_app, reply(ana.email, reply_address(inbound_app, ana.email), ANSWER))
    path = undo_link(inbound_app, ana.email).split("127.0.0.1:5000", 1)[-1]
    assert inbound_app.test_client().get(path.replace("/undo", "x/undo")).status_code == 404


def daily_mail(app, now):
    with app.app_context():
        queue_daily(app, now)
        db.session.commit()


def test_a_digest_gives_each_comment_its_own_reply_link(inbound_app, ana, make_comment):
    post = make_post_of(inbound_app, "hello")
    with inbound_app.app_context():
        db.session.get(Staff, ana.id).notify = Notify.DIGEST
        db.session.commit()
    first = make_comment(post, body_markdown="First question", minutes_ago=60)
    second = make_comment(post, body_markdown="Second question", minutes_ago=30)
    daily_mail(inbound_app, utcnow())
    (digest,) = mails_to(inbound_app, ana.email)
    links = re.findall(r"mailto:(answers\+[^?\s]+)\?subject=\S+", digest.body_text)
    assert [link.split("+")[1].split("-")[0] for link in links] == [str(first.id), str(second.id)]
    assert "Reply-To" not in digest.headers  # a reply to the whole digest answers nothing
    raw = reply(ana.email, links[1], "The second one: yes.")
    assert deliver(inbound_app, raw).outcome is Outcome.PUBLISHED
    assert [a.body_markdown for a in answers_to(inbound_app, second.id)] == ["The second one: yes."]
    assert answers_to(inbound_app, first.id) == []


def test_a_reminder_about_one_comment_can_be_answered_by_replying(inbound_app, ana, make_comment):
    post = make_post_of(inbound_app, "hello")
    waiting = make_comment(post, body_markdown="Still there?", minutes_ago=60 * 30)
    daily_mail(inbound_app, utcnow())
    (reminder,) = [m for m in mails_to(inbound_app, ana.email) if "waiting" in m.subject]
    to = reminder.headers["Reply-To"]
    assert deliver(inbound_app, reply(ana.email, to, "Yes, sorry!")).outcome is Outcome.PUBLISHED
    assert [a.body_markdown for a in answers_to(inbound_app, waiting.id)] == ["Yes, sorry!"]


def make_post_of(app, slug):
    with app.app_context():
        return stored(app, db.session.scalar(select(Post).where(Post.slug == slug)))


@pytest.mark.parametrize("address", ["answers+x@porch.test", "not an address", "answers@"])
def test_an_inbound_address_mail_cannot_reach_stops_the_service_at_start(app_with, address):
    with pytest.raises(ValueError, match="PORCH_INBOUND_ADDRESS"):
        app_with(PORCH_INBOUND_ADDRESS=address)


def test_the_undo_pages_are_valid_html(inbound_app, ana, question, tmp_path):
    deliver(inbound_app, reply(ana.email, reply_address(inbound_app, ana.email), ANSWER))
    path = undo_link(inbound_app, ana.email).split("127.0.0.1:5000", 1)[-1]
    client = inbound_app.test_client()
    ask = client.get(path).get_data(as_text=True)
    done = client.post(path, data={"csrf_token": csrf_token(ask)}).get_data(as_text=True)
    gone = client.get(path).get_data(as_text=True)
    assert "taken back" in done and "not on the blog" in gone
    assert html_errors({"ask": ask, "done": done, "gone": gone}, tmp_path) == []


def test_who_sent_mail_that_published_nothing_is_forgotten_with_the_addresses(
    app_with, make_staff, make_post
):
    app = app_with(PORCH_INBOUND_ADDRESS=INBOUND, PORCH_ADDRESS_RETENTION_DAYS=2)
    make_post("hello")
    ana = make_staff("Ana Lima")
    post_comment(app.test_client(), body="A question")
    to = reply_address(app, ana.email)
    deliver(app, reply("mallory@example.net", to, ANSWER))
    deliver(app, reply(ana.email, to, ANSWER))
    with app.app_context():
        for row in db.session.scalars(select(InboundMail)):
            row.received_at -= timedelta(days=3)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["people", "prune-addresses"])
    assert "1 received messages that published nothing forgot their sender" in result.output
    with app.app_context():
        kept = db.session.scalars(select(InboundMail).order_by(InboundMail.id)).all()
        assert [(row.sender, row.outcome, row.reason) for row in kept] == [
            ("", "refused", None),
            (ana.email, "published", ""),
        ]
