"""Email about a comment goes only where its address's owner said yes, for that comment.

Every subscription a new comment makes waits for a confirmation from the address,
unless the same browser proves it wrote an earlier comment whose email the address
confirmed (its own-comment token). The API's answer is the same for an address that
has confirmed before and one never seen, so it tells nobody who subscribes.
Mail is read from a real SMTP server after real `mail send` passes.
"""

from datetime import timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select, text

from comments_service.enums import CommentStatus, SubscriptionScope
from comments_service.extensions import db
from comments_service.models import Comment, OutboxMessage, Subscription, utcnow
from comments_service.services.mail import subscriptions
from comments_service.services.mail.subscriptions import ReaderMail

from .conftest import csrf_token
from .mail_helpers import send
from .smtp_support import SmtpServer
from .test_subscriptions import bodies, link

VICTIM = "victim@reader.test"
CONFIRM_SUBJECT = "Please confirm"


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(app_with, smtp, make_post, make_staff):
    app = app_with(**smtp.settings())
    make_staff("Ana Lima")
    make_post("hello", title="Offline mode")
    return app


def comment(client, email: str = VICTIM, name: str = "Vic Tim", **fields):
    """Post a comment as the blog's script does; the answer's JSON."""
    body = {"author_name": name, "email": email, "body": "Does it work offline?", **fields}
    response = client.post("/api/posts/hello/comments", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def mail_to(smtp, address: str = VICTIM) -> list:
    return [item.message for item in smtp.sink.received if address in item.recipients]


def replies_heard(smtp, address: str = VICTIM) -> list:
    return [m for m in mail_to(smtp, address) if not m["Subject"].startswith(CONFIRM_SUBJECT)]


def confirm_latest(app, smtp, client, address: str = VICTIM) -> None:
    """Open the newest confirmation link mailed to the address and press its button."""
    send(app)
    latest = [m for m in mail_to(smtp, address) if m["Subject"].startswith(CONFIRM_SUBJECT)][-1]
    path = link(bodies(latest)[0], "confirm")
    token = csrf_token(client.get(path).get_data(as_text=True))
    assert client.post(path, data={"csrf_token": token}).status_code == 200


def reply_to(client, parent_id: int, n: int) -> None:
    comment(client, email="", name="Someone", body=f"Reply {n}", parent_id=parent_id)


@pytest.fixture
def confirmed_victim(mail_app, smtp):
    """The victim's browser: one comment with email on replies, confirmed by mail."""
    browser = mail_app.test_client()
    first = comment(browser, subscribe="anyone")
    confirm_latest(mail_app, smtp, browser)
    return browser, first


def test_a_stranger_cannot_subscribe_a_confirmed_address(mail_app, smtp, confirmed_victim):
    attacker = mail_app.test_client()
    posted = comment(attacker, subscribe="anyone", body="Tell me everything")
    assert posted["subscription"] == "confirm"
    for n in range(5):
        reply_to(attacker, posted["id"], n)
    send(mail_app)
    assert replies_heard(smtp) == [], "no reply mail before the address says yes again"

    confirm_latest(mail_app, smtp, mail_app.test_client())  # the victim chose to, this time
    reply_to(attacker, posted["id"], 6)
    send(mail_app)
    assert [m["X-Porch-Comment"] for m in replies_heard(smtp)] == [str(posted["id"] + 6)]


def answer_shape(answer: dict) -> dict:
    """The answer without what differs between any two comments: numbers, times, tokens."""
    varying = {"id", "own_token", "edit_until", "created_at"}
    shape = {key: value for key, value in answer.items() if key not in varying}
    if "comment" in shape:
        shape["comment"] = answer_shape(shape["comment"])
    return shape


def test_the_answer_is_the_same_for_a_confirmed_and_an_unknown_address(mail_app, confirmed_victim):
    known = comment(mail_app.test_client(), email=VICTIM, subscribe="team")
    unknown = comment(mail_app.test_client(), email="never.seen@reader.test", subscribe="team")
    assert answer_shape(known) == answer_shape(unknown)
    assert known["subscription"] == "confirm"


def test_the_writers_own_browser_is_trusted_at_once(mail_app, smtp, confirmed_victim):
    browser, first = confirmed_victim
    later = comment(
        browser, email="Victim@Reader.test", subscribe="anyone", own_tokens=[first["own_token"]]
    )
    assert later["subscription"] == "active"
    reply_to(mail_app.test_client(), later["id"], 1)
    send(mail_app)
    assert [m["X-Porch-Comment"] for m in replies_heard(smtp)] == [str(later["id"] + 1)]
    confirmations = [m for m in mail_to(smtp) if m["Subject"].startswith(CONFIRM_SUBJECT)]
    assert len(confirmations) == 1, "none for the comment the browser vouched for"


def test_a_token_proves_nothing_unless_the_address_confirmed_its_comment(
    mail_app, smtp, confirmed_victim
):
    attacker = mail_app.test_client()
    # The attacker's own earlier comment with the victim's address, never confirmed...
    own = comment(attacker, subscribe="team")
    after_own = comment(attacker, subscribe="anyone", own_tokens=[own["own_token"]])
    # ...and the attacker's own confirmed comment, under the attacker's address.
    theirs = comment(attacker, email="attacker@evil.test", subscribe="team")
    confirm_latest(mail_app, smtp, attacker, "attacker@evil.test")
    after_theirs = comment(attacker, subscribe="anyone", own_tokens=[theirs["own_token"]])
    first_token = confirmed_victim[1]["own_token"]
    changed = first_token[:-2] + ("aa" if not first_token.endswith("aa") else "bb")
    forged = comment(attacker, subscribe="anyone", own_tokens=["not-a-token", changed])
    for answer in (after_own, after_theirs, forged):
        assert answer["subscription"] == "confirm"
        reply_to(attacker, answer["id"], 1)
    send(mail_app)
    assert replies_heard(smtp) == []


def test_own_tokens_that_are_not_a_list_of_strings_are_malformed(mail_app):
    client = mail_app.test_client()
    body = {"author_name": "Jo", "body": "Hi", "email": VICTIM, "own_tokens": "abc"}
    response = client.post("/api/posts/hello/comments", json=body)
    assert response.status_code == 400
    assert "own_tokens" in response.get_json()["message"]


def test_each_link_confirms_its_own_comment_only(mail_app, smtp):
    browser = mail_app.test_client()
    first = comment(browser, subscribe="anyone", body="First")
    second = comment(mail_app.test_client(), subscribe="anyone", body="Second")
    confirm_latest(mail_app, smtp, browser)  # the second comment's link
    for parent in (first, second):
        reply_to(browser, parent["id"], 1)
    send(mail_app)
    assert [m["X-Porch-Comment"] for m in replies_heard(smtp)] == [str(second["id"] + 2)]


def test_confirmation_mails_to_one_address_are_capped_while_their_links_work(mail_app):
    """At most three mails whose links still work and wait for an answer; answering one
    frees its place, and so does a link's expiry."""
    readers = ReaderMail.for_app(mail_app)
    now = utcnow()
    with mail_app.app_context():
        asked = [_subscribe(f"question {n}", readers, now + timedelta(hours=n)) for n in range(5)]
        assert _confirmations() == 3
        subscriptions.confirm(asked[0], now + timedelta(hours=5))
        _subscribe("question 5", readers, now + timedelta(hours=6))
        assert _confirmations() == 4
        _subscribe("question 6", readers, now + timedelta(hours=6))
        assert _confirmations() == 4
        _subscribe("question 7", readers, now + timedelta(hours=73, minutes=1))  # 1's link expired
        assert _confirmations() == 5


def _subscribe(body: str, readers: ReaderMail, now) -> Subscription:
    comment = Comment(
        post_id=1,
        author_name="Vic",
        author_email=VICTIM,
        body_markdown=body,
        body_html=f"<p>{body}</p>",
        status=CommentStatus.APPROVED,
        created_at=now,
        published_at=now,
    )
    db.session.add(comment)
    db.session.flush()
    return subscriptions.subscribe(comment, SubscriptionScope.TEAM, readers, now)


def _confirmations() -> int:
    return db.session.scalar(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.subject.like("Please confirm%"))
    )


# SQLite's batch migrations reflect the table; an index on an expression is skipped, as
# in test_migrations.py.
@pytest.mark.filterwarnings(
    "ignore:Skipped unsupported reflection of expression-based index:sqlalchemy.exc.SAWarning"
)
def test_subscriptions_active_before_the_upgrade_stay_active(app, make_post, make_comment):
    """Migration 0017: a confirmed address's subscriptions are confirmed, when it was (or
    when they were made, if later); an unconfirmed address's wait for their own yes."""
    post = make_post()
    for _ in range(3):
        make_comment(post)  # comments 1 to 3: their table is the same before and after
    with app.app_context():
        downgrade(revision="0016_readpath")
        with db.engine.begin() as connection:
            for statement in BEFORE_CONSENT:
                connection.execute(text(statement))
        upgrade()
        confirmed = dict(
            db.session.execute(select(Subscription.id, Subscription.confirmed_at)).all()
        )
        db.session.remove()
    assert {key: value and value.isoformat() for key, value in confirmed.items()} == {
        1: "2026-11-02T10:00:00+00:00",  # made before its address was confirmed
        2: "2026-11-05T10:00:00+00:00",  # made after: active at once, as it was
        3: None,  # its address never confirmed
    }


BEFORE_CONSENT = (
    "INSERT INTO subscriber_addresses (id, email, created_at, confirmation_sent_at,"
    " confirmed_at) VALUES (1, 'jo@reader.test', '2026-11-01 10:00:00',"
    " '2026-11-01 10:00:00', '2026-11-02 10:00:00')",
    "INSERT INTO subscriber_addresses (id, email, created_at, confirmation_sent_at)"
    " VALUES (2, 'new@reader.test', '2026-11-01 10:00:00', '2026-11-01 10:00:00')",
    "INSERT INTO subscriptions (id, comment_id, address_id, scope, created_at)"
    " VALUES (1, 1, 1, 'team', '2026-11-01 10:00:00'),"
    " (2, 2, 1, 'anyone', '2026-11-05 10:00:00'), (3, 3, 2, 'team', '2026-11-01 10:00:00')",
)
