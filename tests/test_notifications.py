"""Authors hear about their readers: one email per comment, a daily digest, or none."""

import re
from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from comments_service.enums import CommentStatus, Notify
from comments_service.extensions import db
from comments_service.models import Comment, Digest, Role, Staff, utcnow
from comments_service.services.comments.posting import add_staff_answer
from comments_service.services.mail.notifications import queue_digests

from .conftest import csrf_token, service_urls
from .mail_helpers import outbox_rows, post_comment, send
from .smtp_support import SmtpServer


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(app_with, smtp):
    return app_with(**smtp.settings())


def choose(app, staff: Staff, notify: Notify) -> None:
    with app.app_context():
        db.session.get(Staff, staff.id).notify = notify
        db.session.commit()


def bodies(email) -> tuple[str, str]:
    """The text and HTML parts, with the wire's CRLF line ends read as newlines."""
    parts = (email.get_body((kind,)).get_content() for kind in ("plain", "html"))
    return tuple(part.replace("\r\n", "\n") for part in parts)


def checked_choice(html: str) -> str:
    """The value of the radio button a page shows as chosen."""
    (tag,) = re.findall(r"<input[^>]*checked[^>]*>", html)
    return re.search(r'value="([^"]+)"', tag).group(1)


def sign_in(client, staff: Staff, password="correct horse battery"):
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    data = {"email": staff.email, "password": password, "csrf_token": token}
    assert client.post("/auth/login", data=data).status_code == 303


def test_link_in_the_email_opens_the_comment_on_the_moderation_page(
    mail_app, smtp, make_post, make_staff
):
    ana = make_staff("Ana Lima")
    make_post("hello", title="Hello Porch")
    client = mail_app.test_client()
    first = post_comment(client, body="First question", email="jo@example.com")
    with mail_app.app_context():
        answer = Comment(
            post_id=db.session.get(Comment, first).post_id,
            parent_id=first,
            staff_id=ana.id,
            author_name="Ana Lima",
            body_markdown="An answer",
            body_html="<p>An answer</p>",
            status=CommentStatus.APPROVED,
            created_at=utcnow(),
        )
        db.session.add(answer)
        db.session.commit()
        answer_id = answer.id
    reply = post_comment(
        client, author_name="Sam", body="Follow-up *question*", parent_id=answer_id
    )
    send(mail_app)

    email = smtp.sink.received[-1].message
    text, html = bodies(email)
    link = f"http://service.test/moderation/#comment-{reply}"
    assert f"Answer it here: {link}" in text and f'href="{link}"' in html
    assert "In reply to Ana Lima (staff):\n> An answer" in text
    assert "<p>Follow-up <em>question</em></p>" in html and "Hello Porch" in text
    first_email = bodies(smtp.sink.received[0].message)[0]
    assert "Jo Reader <jo@example.com> commented" in first_email

    page = urlsplit(link)
    assert mail_app.test_client().get(page.path).status_code == 302  # signed out: sign in first
    sign_in(client, ana)
    response = client.get(page.path)
    assert response.status_code == 200
    assert f'id="comment-{reply}"' in response.get_data(as_text=True)


def test_each_named_author_with_an_account_gets_an_email(mail_app, smtp, make_post, make_staff):
    make_staff("Ana Lima")
    make_staff("Ben Okafor")
    make_staff("Morgan Reyes", role=Role.ADMIN)
    make_post("hello", authors=("Ana Lima", "Ben Okafor", "No Account"))
    post_comment(mail_app.test_client())
    send(mail_app)
    assert sorted(r for item in smtp.sink.received for r in item.recipients) == [
        "ana@porch.test",
        "ben@porch.test",
    ]


def test_admins_hear_about_posts_whose_authors_have_no_account(
    mail_app, smtp, make_post, make_staff
):
    make_staff("Morgan Reyes", role=Role.ADMIN)
    make_post("hello", authors=("No Account",))
    post_comment(mail_app.test_client())
    send(mail_app)
    assert [item.recipients for item in smtp.sink.received] == [["morgan@porch.test"]]


def test_held_comment_is_announced_as_held_and_spam_sends_nothing(
    app_with, smtp, make_post, make_staff
):
    app = app_with(**smtp.settings(PORCH_MAX_LINKS=0))
    make_staff("Ana Lima")
    make_post("hello")
    client = app.test_client()
    post_comment(client, body="See [this](https://example.com)")
    post_comment(client, body="Buy now", leave_blank="filled by a bot")
    send(app)
    (received,) = smtp.sink.received
    assert received.message["Subject"].startswith("Held for approval: Jo Reader")
    assert "held for your approval" in bodies(received.message)[0]


def test_staff_answers_send_no_notification(mail_app, make_post, make_staff):
    make_staff("Ana Lima")
    make_post("hello")
    question = post_comment(mail_app.test_client())
    with mail_app.app_context():
        ana = db.session.scalar(select(Staff))
        add_staff_answer(db.session.get(Comment, question), ana, "An answer")
        db.session.commit()
    assert len(outbox_rows(mail_app)) == 1  # the reader's question only


@pytest.mark.parametrize("notify", [Notify.DIGEST, Notify.OFF])
def test_author_who_chose_digest_or_off_gets_no_email_per_comment(
    mail_app, make_post, make_staff, notify
):
    choose(mail_app, make_staff("Ana Lima"), notify)
    make_post("hello")
    post_comment(mail_app.test_client())
    assert outbox_rows(mail_app) == []


def test_settings_page_saves_each_choice(mail_app, make_staff):
    ana = make_staff("Ana Lima")
    client = mail_app.test_client()
    assert client.get("/auth/settings").status_code == 302
    sign_in(client, ana)
    assert checked_choice(client.get("/auth/settings").get_data(as_text=True)) == "each"
    for notify in (Notify.DIGEST, Notify.OFF, Notify.EACH):
        token = csrf_token(client.get("/auth/settings").get_data(as_text=True))
        response = client.post("/auth/settings", data={"notify": notify.value, "csrf_token": token})
        assert response.status_code == 303
        with mail_app.app_context():
            assert db.session.get(Staff, ana.id).notify == notify
        page = client.get("/auth/settings").get_data(as_text=True)
        assert checked_choice(page) == notify.value


def test_settings_page_refuses_unknown_choice_and_missing_csrf(mail_app, make_staff):
    ana = make_staff("Ana Lima")
    client = mail_app.test_client()
    sign_in(client, ana)
    token = csrf_token(client.get("/auth/settings").get_data(as_text=True))
    wrong = client.post("/auth/settings", data={"notify": "hourly", "csrf_token": token})
    assert wrong.status_code == 422
    assert "Not a valid choice" in wrong.get_data(as_text=True)
    assert client.post("/auth/settings", data={"notify": "off"}).status_code == 400
    with mail_app.app_context():
        assert db.session.get(Staff, ana.id).notify == Notify.EACH


def digest_app(mail_app, make_post, make_staff, make_comment):
    ana = make_staff("Ana Lima")
    choose(mail_app, ana, Notify.DIGEST)
    ben = make_staff("Ben Okafor")
    return ana, ben, make_post("hello", title="Hello Porch"), make_post("other", ("Ben Okafor",))


def queue(app, now) -> int:
    with app.app_context():
        count = queue_digests(urls=service_urls(), now=now)
        db.session.commit()
    return count


def test_digest_lists_the_days_new_reader_comments_on_the_authors_posts(
    mail_app, smtp, make_post, make_staff, make_comment
):
    ana, ben, hello, other = digest_app(mail_app, make_post, make_staff, make_comment)
    question = make_comment(hello, name="Priya", minutes_ago=60)
    held = make_comment(hello, name="Lee", minutes_ago=30, status=CommentStatus.PENDING)
    make_comment(hello, name="Old", minutes_ago=60 * 25)  # before the first digest's day
    make_comment(hello, name="Bot", minutes_ago=10, status=CommentStatus.SPAM)
    make_comment(hello, staff=ana, minutes_ago=5)  # staff answers are not news
    make_comment(other, name="Elsewhere", minutes_ago=5)  # Ben's post

    assert queue(mail_app, utcnow()) == 1
    send(mail_app)
    (received,) = smtp.sink.received
    assert received.recipients == ["ana@porch.test"]
    assert received.message["Subject"] == "2 new reader comments on your posts"
    text, html = bodies(received.message)
    assert '* Priya on "Hello Porch"' in text and '* Lee on "Hello Porch" (held' in text
    assert f"http://service.test/moderation/#comment-{question.id}" in text
    assert f"#comment-{held.id}" in html
    for absent in ("Old", "Bot", "Elsewhere"):
        assert absent not in text
    assert ben.notify == Notify.EACH


def minutes_before(moment, minutes=0) -> float:
    """make_comment's ``minutes_ago`` that puts a comment this long before a moment."""
    return (utcnow() - moment).total_seconds() / 60 + minutes


def test_at_most_one_digest_a_day_and_the_next_starts_where_the_last_ended(
    mail_app, make_post, make_staff, make_comment
):
    ana, _, hello, _ = digest_app(mail_app, make_post, make_staff, make_comment)
    morning = datetime.combine(utcnow().date() + timedelta(days=1), time(8), UTC)
    make_comment(hello, name="Priya", minutes_ago=minutes_before(morning, 60))
    assert queue(mail_app, morning) == 1
    make_comment(hello, name="Later", minutes_ago=minutes_before(morning, -60))
    assert queue(mail_app, morning + timedelta(hours=3)) == 0  # same day
    assert queue(mail_app, morning + timedelta(days=1)) == 1
    rows = outbox_rows(mail_app)
    assert [row.subject for row in rows] == ["1 new reader comment on your posts"] * 2
    assert "Priya" in rows[0].body_text and "Later" not in rows[0].body_text
    assert "Later" in rows[1].body_text and "Priya" not in rows[1].body_text
    with mail_app.app_context():
        days = db.session.scalars(select(Digest.day).order_by(Digest.day)).all()
    assert days == [morning.date(), (morning + timedelta(days=1)).date()]


def test_quiet_day_sends_no_digest_and_off_gets_none(mail_app, make_post, make_staff, make_comment):
    ana, ben, hello, other = digest_app(mail_app, make_post, make_staff, make_comment)
    choose(mail_app, ben, Notify.OFF)
    make_comment(other, name="Priya", minutes_ago=60)
    assert queue(mail_app, utcnow()) == 0
    assert outbox_rows(mail_app) == []


def test_digest_command_queues_and_send_delivers(
    mail_app, smtp, make_post, make_staff, make_comment
):
    ana, _, hello, _ = digest_app(mail_app, make_post, make_staff, make_comment)
    make_comment(hello, name="Priya", minutes_ago=60)
    runner = mail_app.test_cli_runner()
    assert "1 digests and 0 reminders queued" in runner.invoke(args=["mail", "digest"]).output
    assert "0 digests and 0 reminders queued" in runner.invoke(args=["mail", "digest"]).output
    assert "1 sent" in runner.invoke(args=["mail", "send"]).output
    assert [item.recipients for item in smtp.sink.received] == [[ana.email]]


def test_the_worker_queues_the_days_digests_and_sends_them(
    app_with, smtp, make_post, make_staff, make_comment
):
    app = app_with(**smtp.settings(PORCH_MAIL_DIGEST_HOUR=0, PORCH_MAIL_LOOP_SECONDS=0))
    ana, _, hello, _ = digest_app(app, make_post, make_staff, make_comment)
    make_comment(hello, name="Priya", minutes_ago=60)
    result = app.test_cli_runner().invoke(args=["worker", "--passes", "2"])
    assert result.output.splitlines() == [
        "daily-mail: 1 digests and 0 reminders queued.",
        "send-mail: 1 sent, 0 failed, 0 logged.",
    ]  # then a quiet pass
    assert [item.recipients for item in smtp.sink.received] == [[ana.email]]


def test_every_email_says_where_to_change_how_often_it_comes(mail_app, smtp, make_post, make_staff):
    make_staff("Ana Lima")
    make_post("hello")
    post_comment(mail_app.test_client())
    send(mail_app)
    text, html = bodies(smtp.sink.received[0].message)
    assert "email settings page:\nhttp://service.test/auth/settings" in text
    assert '<a href="http://service.test/auth/settings">email settings page</a>' in html


def test_comment_on_a_long_titled_post_by_a_long_name_is_kept_with_a_shortened_subject(
    mail_app, make_post, make_staff
):
    make_staff("Ana Lima")
    make_post("hello", title="T" * 300)
    post_comment(mail_app.test_client(), author_name="N" * 80)
    (row,) = outbox_rows(mail_app)
    assert len(row.subject) == 300 and row.subject.endswith("T…")
