"""Readers hear back: a confirmed address gets one email per answer, and one click stops it.

Every message is read from a real SMTP server (aiosmtpd) after a real `mail send`
pass, and every link in it is followed with the test client.
"""

import re
import threading
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from comments_service.enums import SubscriptionScope
from comments_service.extensions import db
from comments_service.models import Comment, SubscriberAddress, Subscription, utcnow
from comments_service.services.comments.answers import words_seen
from comments_service.services.mail import subscriptions
from comments_service.services.mail.subscriptions import ReaderMail
from comments_service.services.moderation import decisions as moderation
from comments_service.services.tokens import CONFIRM, BadLink, ExpiredLink

from .conftest import BLOG_URL, PASSWORD, csrf_token
from .mail_helpers import post_comment, send
from .smtp_support import SmtpServer

READER = "jo@reader.test"
SERVICE = "http://service.test"
ANSWER = "Yes: photos wait on the phone and upload once there is signal."


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(app_with, smtp):
    return app_with(**smtp.settings())


@pytest.fixture
def reader(mail_app):
    return mail_app.test_client()


@pytest.fixture
def staff_client(mail_app, make_staff, make_post):
    """Ana Lima, author of the post "hello", signed in to the moderation page."""
    ana = make_staff("Ana Lima")
    make_post("hello", title="Offline mode")
    client = mail_app.test_client()
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    data = {"email": ana.email, "password": PASSWORD, "csrf_token": token}
    assert client.post("/auth/login", data=data).status_code == 303
    return client


def answer(staff_client, comment_id: int, body: str = ANSWER) -> int:
    """Answer in place on the moderation page; returns the answer's id.

    The words answered are taken as its answer box shows them (answers.words_seen): a
    comment answered before has no box left to read them from.
    """
    token = csrf_token(staff_client.get("/moderation/").get_data(as_text=True))
    with staff_client.application.app_context():
        seen = words_seen(db.session.get(Comment, comment_id))
    response = staff_client.post(
        f"/moderation/comments/{comment_id}/answer",
        data={"body": body, "csrf_token": token, "seen": seen},
    )
    assert response.status_code == 303
    return _latest_comment_id(staff_client.application)


def _latest_comment_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.max(Comment.id)))


def mail_to(smtp, address: str = READER) -> list:
    return [item.message for item in smtp.sink.received if address in item.recipients]


def bodies(email) -> tuple[str, str]:
    parts = (email.get_body((kind,)).get_content() for kind in ("plain", "html"))
    return tuple(part.replace("\r\n", "\n") for part in parts)


def link(text: str, kind: str) -> str:
    """The path of the service link of this kind in a mail, for the test client."""
    url = re.search(rf"{SERVICE}/subscriptions/{kind}/[A-Za-z0-9_.\-]+", text).group(0)
    return urlsplit(url).path


def ask(reader, scope: str = "team", email: str = READER, **fields) -> int:
    return post_comment(reader, email=email, subscribe=scope, **fields)


def confirm_by_mail(mail_app, smtp, reader) -> None:
    """Follow the confirmation link that just arrived and press its button."""
    send(mail_app)
    (confirmation,) = [m for m in mail_to(smtp) if m["Subject"].startswith("Please confirm")]
    path = link(bodies(confirmation)[0], "confirm")
    page = reader.get(path)
    assert page.status_code == 200
    token = csrf_token(page.get_data(as_text=True))
    assert reader.post(path, data={"csrf_token": token}).status_code == 200


def _confirmed(app):
    """When the one subscription was confirmed, or None."""
    with app.app_context():
        return db.session.scalar(select(Subscription.confirmed_at))


def test_asking_for_email_without_an_address_is_a_field_error_and_stores_nothing(
    mail_app, reader, make_post
):
    make_post("hello")
    body = {"author_name": "Jo Reader", "body": "A question", "subscribe": "team"}
    response = reader.post("/api/posts/hello/comments", json=body)
    assert response.status_code == 422
    assert response.get_json()["fields"] == {
        "email": "Please give your email address so we can write to you, or choose no email."
    }
    form = reader.post("/api/posts/hello/comments", data=body)
    page = form.get_data(as_text=True)
    assert form.status_code == 422
    assert "Please give your email address so we can write to you" in page
    assert re.search(r'value="team" checked', page), "the reader's choice is kept"
    with mail_app.app_context():
        assert db.session.scalar(select(func.count(Comment.id))) == 0


def test_an_unknown_choice_is_a_field_error(mail_app, reader, make_post):
    make_post("hello")
    body = {"author_name": "Jo", "body": "A question", "email": READER, "subscribe": "daily"}
    response = reader.post("/api/posts/hello/comments", json=body)
    assert response.status_code == 422
    assert "team" in response.get_json()["fields"]["subscribe"]


def test_no_answer_mail_before_the_address_is_confirmed_and_opening_the_link_changes_nothing(
    mail_app, smtp, reader, staff_client
):
    question = ask(reader)
    send(mail_app)
    (confirmation,) = mail_to(smtp)
    assert confirmation["Subject"] == "Please confirm: email me about replies on “Offline mode”"
    text, html = bodies(confirmation)
    path = link(text, "confirm")
    assert path in html
    answer(staff_client, question)
    send(mail_app)
    assert len(mail_to(smtp)) == 1, "nothing but the confirmation before it is confirmed"

    page = reader.get(path)
    assert page.status_code == 200 and "Yes, email me" in page.get_data(as_text=True)
    assert _confirmed(mail_app) is None, "a GET (a mail scanner) confirms nothing"
    token = csrf_token(page.get_data(as_text=True))
    assert reader.post(path).status_code == 400, "the button's form carries a CSRF token"
    assert _confirmed(mail_app) is None
    assert reader.post(path, data={"csrf_token": token}).status_code == 200
    assert _confirmed(mail_app) is not None

    later = answer(staff_client, question, "And videos too.")
    send(mail_app)
    (confirmation_again, answered) = mail_to(smtp)
    assert answered["X-Porch-Comment"] == str(later)


def test_a_confirmed_reader_gets_one_mail_per_answer_with_both_parts_headers_and_links(
    mail_app, smtp, reader, staff_client
):
    question = ask(reader)
    confirm_by_mail(mail_app, smtp, reader)
    first = answer(staff_client, question)
    send(mail_app)
    second = answer(staff_client, question, "One more thing: **videos** wait as well.")
    send(mail_app)
    send(mail_app)
    mails = mail_to(smtp)[1:]
    assert [m["X-Porch-Comment"] for m in mails] == [str(first), str(second)]

    mail = mails[0]
    assert mail["Subject"] == "Ana Lima answered your comment on “Offline mode”"
    text, html = bodies(mail)
    assert ANSWER in text and ANSWER in html
    assert "Ana Lima (from the team) answered your comment" in text
    assert "How do I export my schedule?" in text, "the reader's own words, quoted"
    blog_link = f"http://blog.test/2026/11/hello/#comment-{first}"
    assert blog_link in text and f'href="{blog_link}"' in html
    unsubscribe = link(text, "unsubscribe")
    assert f"{SERVICE}{unsubscribe}" in html
    assert mail["List-Unsubscribe"] == f"<{SERVICE}{unsubscribe}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "<strong>videos</strong>" in bodies(mails[1])[1]


def test_the_unsubscribe_page_shows_a_button_and_its_post_ends_the_mail(
    mail_app, smtp, reader, staff_client
):
    question = ask(reader)
    confirm_by_mail(mail_app, smtp, reader)
    answer(staff_client, question)
    send(mail_app)
    path = link(bodies(mail_to(smtp)[-1])[0], "unsubscribe")

    page = reader.get(path)
    assert page.status_code == 200
    assert "Stop these emails" in page.get_data(as_text=True)
    assert _ended(mail_app) is None, "opening the link ends nothing"
    done = reader.post(path)  # the page's button: a plain form, no token but the link's own
    assert done.status_code == 200
    assert "no more emails" in done.get_data(as_text=True)
    assert _ended(mail_app) is not None

    answer(staff_client, question, "Still here.")
    send(mail_app)
    assert len(mail_to(smtp)) == 2, "no mail after unsubscribing"


def test_subscribing_again_takes_the_pages_button_and_brings_the_mail_back(
    mail_app, smtp, reader, staff_client
):
    question = ask(reader)
    confirm_by_mail(mail_app, smtp, reader)
    answer(staff_client, question)
    send(mail_app)
    path = link(bodies(mail_to(smtp)[-1])[0], "unsubscribe")
    again = path.replace("/unsubscribe/", "/resubscribe/")
    done = reader.post(path).get_data(as_text=True)
    assert f'action="{again}"' in done
    assert f'href="{BLOG_URL}/2026/11/hello/">Back to' in done

    assert reader.post(again).status_code == 400, "no CSRF token: refused"
    assert _ended(mail_app) is not None
    back = reader.post(again, data={"csrf_token": csrf_token(done)})
    assert back.status_code == 200
    assert "emails are back on" in back.get_data(as_text=True)
    assert _ended(mail_app) is None

    answer(staff_client, question, "Still here.")
    send(mail_app)
    assert len(mail_to(smtp)) == 3, "mail again after subscribing again"


def test_a_mail_clients_one_click_post_unsubscribes(mail_app, smtp, reader, staff_client):
    question = ask(reader)
    confirm_by_mail(mail_app, smtp, reader)
    answer(staff_client, question)
    send(mail_app)
    mail = mail_to(smtp)[-1]
    url = mail["List-Unsubscribe"].strip("<>")
    one_click = mail_app.test_client()  # no cookies, no CSRF token: what a mail client has
    response = one_click.post(
        urlsplit(url).path,
        data=mail["List-Unsubscribe-Post"],
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert _ended(mail_app) is not None
    answer(staff_client, question, "Still here.")
    send(mail_app)
    assert len(mail_to(smtp)) == 2


def _ended(app):
    with app.app_context():
        return db.session.scalar(select(Subscription.ended_at))


def test_later_subscriptions_from_the_writers_browser_are_active_at_once(
    mail_app, smtp, reader, staff_client
):
    """The browser sends the own token of the comment the address confirmed: the same writer."""
    body = {"author_name": "Jo", "body": "A question", "email": READER, "subscribe": "team"}
    first = reader.post("/api/posts/hello/comments", json=body).get_json()
    assert first["subscription"] == "confirm", "the reader is told to look for the email"
    confirm_by_mail(mail_app, smtp, reader)
    body.update(email="Jo@Reader.test", body="And what about videos?")
    body["own_tokens"] = [first["own_token"]]
    created = reader.post("/api/posts/hello/comments", json=body).get_json()
    assert created["subscription"] == "active"
    second = created["id"]
    answer(staff_client, second)
    send(mail_app)
    subjects = [m["Subject"] for m in mail_to(smtp)]
    assert subjects == [
        "Please confirm: email me about replies on “Offline mode”",
        "Ana Lima answered your comment on “Offline mode”",
    ]


def test_team_scope_hears_only_staff_and_anyone_scope_hears_every_reply(
    mail_app, smtp, reader, staff_client
):
    body = {"author_name": "Jo Reader", "email": READER, "subscribe": "team"}
    first = reader.post("/api/posts/hello/comments", json={**body, "body": "Team only, please."})
    team = first.get_json()["id"]
    confirm_by_mail(mail_app, smtp, reader)
    proof = [first.get_json()["own_token"]]
    anyone = ask(reader, scope="anyone", body="Anyone may answer.", own_tokens=proof)
    other = mail_app.test_client()
    post_comment(other, author_name="Sam Field", parent_id=team, body="Same question here.")
    reply = post_comment(other, author_name="Sam Field", parent_id=anyone, body="Try Wi-Fi.")
    send(mail_app)
    (confirmation, heard) = mail_to(smtp)
    assert heard["Subject"] == "Sam Field replied to your comment on “Offline mode”"
    assert heard["X-Porch-Comment"] == str(reply)


def test_no_mail_about_a_readers_own_reply(mail_app, smtp, reader, staff_client):
    question = ask(reader, scope="anyone")
    confirm_by_mail(mail_app, smtp, reader)
    post_comment(reader, email="JO@reader.test", parent_id=question, body="Found it myself.")
    send(mail_app)
    assert len(mail_to(smtp)) == 1, "only the confirmation"


@pytest.fixture
def held_reply(app_with, smtp, make_staff, make_post):
    """Under the first-time policy: Jo's question, subscribed to any reply and confirmed,
    and Sam Field's reply to it, held because it is Sam's first. Ana looks after the post."""
    app = app_with(**smtp.settings(PORCH_MODERATION_POLICY="first-time"))
    ana = make_staff("Ana Lima")
    make_post("hello", title="Offline mode")
    reader = app.test_client()
    question = ask(reader, scope="anyone")
    with app.app_context():  # Jo's own first comment is held too; a person approves it
        moderation.approve(db.session.get(Comment, question), db.session.merge(ana))
        db.session.commit()
    confirm_by_mail(app, smtp, reader)
    other = app.test_client()
    held = post_comment(other, author_name="Sam Field", parent_id=question, body="Me too.")
    staff = app.test_client()
    token = csrf_token(staff.get("/auth/login").get_data(as_text=True))
    staff.post("/auth/login", data={"email": ana.email, "password": PASSWORD, "csrf_token": token})
    return app, staff, other, question, held


def test_held_and_spam_replies_mail_nothing_until_a_person_publishes_them(held_reply, smtp):
    app, staff, other, question, held = held_reply
    post_comment(other, author_name="Bot", parent_id=question, body="Cheap pills", leave_blank="x")
    send(app)
    assert len(mail_to(smtp)) == 1, "held and spam replies mail nothing"

    token = csrf_token(staff.get("/moderation/?view=held").get_data(as_text=True))
    response = staff.post(f"/moderation/comments/{held}/approve", data={"csrf_token": token})
    assert response.status_code == 303
    send(app)
    send(app)
    (confirmation, published) = mail_to(smtp)
    assert published["X-Porch-Comment"] == str(held)
    assert published["Subject"] == "Sam Field replied to your comment on “Offline mode”"


def test_answering_a_held_reply_publishes_it_and_its_parents_reader_hears_of_it(held_reply, smtp):
    app, staff, other, question, held = held_reply
    answer(staff, held, "Welcome, Sam.")
    send(app)
    (confirmation, published) = mail_to(smtp)
    assert published["X-Porch-Comment"] == str(held), "Jo hears of Sam's reply, not of Ana's"


def test_approving_from_the_command_line_mails_the_reader_too(held_reply, smtp):
    app, staff, other, question, held = held_reply
    result = app.test_cli_runner().invoke(
        args=["comments", "approve", str(held), "--by", "Ana Lima"]
    )
    assert result.exit_code == 0, result.output
    send(app)
    (confirmation, published) = mail_to(smtp)
    assert published["X-Porch-Comment"] == str(held)


def test_an_expired_confirmation_link_gets_a_page_and_changes_nothing(
    mail_app, smtp, reader, make_post
):
    make_post("hello")
    ask(reader)
    readers = ReaderMail.for_app(mail_app)
    send(mail_app)
    path = link(bodies(mail_to(smtp)[0])[0], "confirm")
    token = path.rsplit("/", 1)[1]
    with mail_app.app_context():
        later = utcnow() + timedelta(hours=72, seconds=5)
        with pytest.raises(ExpiredLink):
            subscriptions.subscription_to_confirm(token, readers, later)
        confirming = subscriptions.subscription_to_confirm(token, readers, utcnow())
        assert confirming.address.email == READER

    old = _token_made_hours_ago(mail_app, 73, first_subscription(mail_app))
    form = {"csrf_token": csrf_token(reader.get("/auth/login").get_data(as_text=True))}
    for method in (reader.get, lambda url: reader.post(url, data=form)):
        page = method(f"/subscriptions/confirm/{old}")
        assert page.status_code == 410
        assert "expired" in page.get_data(as_text=True)
        assert "Leave your next comment with the email box ticked" in page.get_data(as_text=True)
    assert _confirmed(mail_app) is None


def _token_made_hours_ago(app, hours: int, subscription: Subscription) -> str:
    """A confirmation token as the service would have made it that long ago."""

    class Earlier(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - hours * 3600

    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=CONFIRM, signer=Earlier)
    return serializer.dumps([subscription.id, subscription.link_key])


def first_subscription(app) -> Subscription:
    """The first subscription this service was asked for, as stored."""
    with app.app_context():
        return db.session.scalar(select(Subscription).order_by(Subscription.id))


def test_changed_or_misused_links_get_a_page_and_change_nothing(
    mail_app, smtp, reader, staff_client
):
    question = ask(reader)
    confirm_by_mail(mail_app, smtp, reader)
    answer(staff_client, question)
    send(mail_app)
    unsubscribe = link(bodies(mail_to(smtp)[-1])[0], "unsubscribe")
    token = unsubscribe.rsplit("/", 1)[1]
    changed = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    form = {"csrf_token": csrf_token(reader.get("/auth/login").get_data(as_text=True))}
    for path in (
        f"/subscriptions/unsubscribe/{changed}",
        f"/subscriptions/unsubscribe/{token[:20]}",
        f"/subscriptions/confirm/{token}",  # an unsubscribe token is no confirmation
    ):
        for method in (reader.get, lambda url: reader.post(url, data=form)):
            page = method(path)
            assert page.status_code == 400, path
            assert "Open it again from the email" in page.get_data(as_text=True)
    assert _ended(mail_app) is None
    with pytest.raises(BadLink):
        subscriptions.subscription_to_end(changed, ReaderMail.for_app(mail_app), utcnow())


def test_addresses_are_never_shown_on_readers_pages_or_in_the_thread(
    mail_app, smtp, reader, staff_client
):
    question = ask(reader)
    confirm_by_mail(mail_app, smtp, reader)
    answer(staff_client, question)
    send(mail_app)
    text = bodies(mail_to(smtp)[-1])[0]
    pages = [
        reader.get(link(bodies(mail_to(smtp)[0])[0], "confirm")),
        reader.get(link(text, "unsubscribe")),
        reader.post(link(text, "unsubscribe")),
        reader.get("/api/posts/hello/comments"),
    ]
    for page in pages:
        assert page.status_code == 200
        assert "reader.test" not in page.get_data(as_text=True).lower()


def test_a_comment_the_spam_guard_bins_sends_no_confirmation(mail_app, smtp, reader, make_post):
    make_post("hello")
    ask(reader, leave_blank="http://spam.example")
    send(mail_app)
    assert mail_to(smtp) == []
    ask(reader, body="A real question")
    send(mail_app)
    assert [m["Subject"] for m in mail_to(smtp)] == [
        "Please confirm: email me about replies on “Hello”"
    ]


def test_a_plain_form_post_subscribes_too(mail_app, smtp, reader, make_post):
    make_post("hello")
    form = {"author_name": "Jo", "body": "A question", "email": READER, "subscribe": "anyone"}
    response = reader.post("/api/posts/hello/comments", data=form)
    assert response.status_code == 303
    # Told it is published, and to look for the mail
    assert response.location == f"{BLOG_URL}/2026/11/hello/#comment-status-approved-confirm"
    send(mail_app)
    (confirmation,) = mail_to(smtp)
    assert "when anyone replies" in bodies(confirmation)[0]


def test_a_held_plain_form_post_lands_on_words_that_say_it_is_held(app_with, smtp, make_post):
    held = app_with(PORCH_MODERATION_POLICY="queue", **smtp.settings())
    make_post("hello")
    form = {"author_name": "Jo", "body": "A question", "email": READER, "subscribe": "team"}
    response = held.test_client().post("/api/posts/hello/comments", data=form)
    assert response.status_code == 303
    assert response.location == f"{BLOG_URL}/2026/11/hello/#comment-status-pending-confirm"


def test_two_comments_from_a_new_address_at_once_share_its_one_row(app, make_post, make_comment):
    """A second request arrives while the first, which made the address, is still open."""
    post = make_post()
    first, second = (make_comment(post, name=n, author_email=READER) for n in ("One", "Two"))
    readers, made = ReaderMail.for_app(app), threading.Event()

    def first_request():
        with app.app_context():
            comment = db.session.get(Comment, first.id)
            subscriptions.subscribe(comment, SubscriptionScope.TEAM, readers, utcnow())
            db.session.flush()
            made.set()
            time.sleep(0.5)  # the second request runs into the open transaction meanwhile
            db.session.commit()

    opener = threading.Thread(target=first_request)
    opener.start()
    assert made.wait(10)
    with app.app_context():
        comment = db.session.get(Comment, second.id)
        subscriptions.subscribe(comment, SubscriptionScope.TEAM, readers, utcnow())
        db.session.commit()
    opener.join(10)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SubscriberAddress)) == 1
        assert db.session.scalar(select(func.count()).select_from(Subscription)) == 2
