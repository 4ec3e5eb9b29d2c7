"""A comment that has an answer is never overdue or escalated, however late the answer came.

One old comment answered on the blog, one answered privately and one marked "no answer
needed", all long after the answer-within and escalation times, beside one that still
waits: every view (each tab, the thread, the feed, the mails, the CLI, the figures)
shows the three without "overdue" or "escalated", and the fourth with them.
"""

import json
import re
from datetime import timedelta

import pytest

from comments_service.enums import Notify, PrivateChannel, View
from comments_service.extensions import db
from comments_service.models import Comment, Role, Staff, utcnow
from comments_service.services.comments.posting import add_staff_answer
from comments_service.services.mail.notifications import queue_digests, queue_overdue_reminders
from comments_service.services.moderation import decisions
from comments_service.services.moderation.listening import answer_privately
from comments_service.services.report.figures import compute

from .conftest import service_urls
from .mail_helpers import send
from .smtp_support import SmtpServer
from .test_feeds import fetch, new_feed_address

WITHIN = timedelta(hours=1)
ESCALATE_AFTER = timedelta(hours=2)
LATE = re.compile(r"overdue|escalat", re.I)


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def late_app(app_with, smtp):
    return app_with(
        **smtp.settings(PORCH_ANSWER_WITHIN_HOURS=1, PORCH_ESCALATE_AFTER_HOURS=2),
    )


@pytest.fixture
def old_comments(late_app, make_staff, make_post, make_comment):
    """Four comments 20 hours old: three answered late (on the blog, privately, "no answer
    needed"), one still waiting; Ana gets a digest, Morgan (an admin) each email."""
    ana = make_staff("Ana Lima")
    make_staff("Morgan Admin", role=Role.ADMIN)
    post = make_post("hello", title="Hello Porch")
    made = {
        name: make_comment(post, name=name, minutes_ago=20 * 60, body_markdown=f"{name} asks")
        for name in ("Answered Late", "Phoned Back", "Thanked Only", "Still Waiting")
    }
    now = utcnow()
    with late_app.app_context():
        writer = db.session.get(Staff, ana.id)
        writer.notify = Notify.DIGEST
        add_staff_answer(db.session.get(Comment, made["Answered Late"].id), writer, "Thanks!")
        phoned = db.session.get(Comment, made["Phoned Back"].id)
        answer_privately(phoned, writer, PrivateChannel.PHONE, "Called back.", now, now)
        thanked = db.session.get(Comment, made["Thanked Only"].id)
        decisions.dismiss(thanked, writer, "A thank-you")
        db.session.commit()
    return {name: comment.id for name, comment in made.items()}


ANSWERED = ("Answered Late", "Phoned Back", "Thanked Only")


def card(html: str, comment_id: int) -> str | None:
    """The markup of one comment's card on a moderation page, or None if it is not there."""
    found = re.search(rf'<article[^>]*id="comment-{comment_id}".*?</article>', html, re.S)
    return found and found[0]


def sign_in(client, email):
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
    data = {"email": email, "password": "correct horse battery", "csrf_token": token}
    assert client.post("/auth/login", data=data).status_code == 303


@pytest.mark.parametrize("email", ["ana@porch.test", "morgan@porch.test"])
def test_no_tab_marks_an_answered_comment_overdue_or_escalated(late_app, old_comments, email):
    client = late_app.test_client()
    sign_in(client, email)
    shown = set()
    for view in View:
        html = client.get(f"/moderation/?view={view.value}").get_data(as_text=True)
        for name in ANSWERED:
            found = card(html, old_comments[name])
            if found:
                shown.add((view, name))
                assert not LATE.search(found), (view, name, found)
    assert {(View.ANSWERED, name) for name in ANSWERED} <= shown
    assert {(View.ALL, name) for name in ANSWERED} <= shown
    waiting = client.get("/moderation/?view=waiting").get_data(as_text=True)
    still = card(waiting, old_comments["Still Waiting"])
    assert "overdue" in still and "escalated to admins" in still


def test_the_thread_of_an_answered_comment_marks_nothing_late(late_app, old_comments):
    client = late_app.test_client()
    sign_in(client, "ana@porch.test")
    for name in ANSWERED:
        page = client.get(f"/moderation/comments/{old_comments[name]}/thread")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert name in html and not LATE.search(html)


def test_the_private_feed_lists_only_the_comment_still_waiting(late_app, old_comments):
    client = late_app.test_client()
    sign_in(client, "ana@porch.test")
    body = fetch(client, new_feed_address(client)).get_data(as_text=True)
    assert "Still Waiting" in body
    assert not any(name in body for name in ANSWERED)


def test_reminders_and_digests_never_call_an_answered_comment_late(late_app, old_comments, smtp):
    now = utcnow()
    with late_app.app_context():
        urls = service_urls()
        queue_overdue_reminders(
            urls=urls, now=now, answer_within=WITHIN, escalate_after=ESCALATE_AFTER
        )
        queue_digests(urls=urls, now=now)
        db.session.commit()
    send(late_app)
    mails = {
        (item.recipients[0], item.message["Subject"]): item.message.get_body(
            ("plain",)
        ).get_content()
        for item in smtp.sink.received
    }
    reminders = {key: text for key, text in mails.items() if "waiting for you" in key[1]}
    escalations = {key: text for key, text in mails.items() if "escalated" in key[1]}
    digests = {key: text for key, text in mails.items() if "new reader comment" in key[1]}
    assert [key[0] for key in reminders] == ["ana@porch.test"]
    assert [key[0] for key in escalations] == ["morgan@porch.test"]
    assert [key[0] for key in digests] == ["ana@porch.test"]
    for text in [*reminders.values(), *escalations.values()]:
        assert "Still Waiting" in text
        assert not any(name in text for name in ANSWERED), text
    (digest,) = digests.values()
    assert all(name in digest for name in ANSWERED) and not LATE.search(digest)


def test_the_cli_lists_answered_comments_without_overdue(late_app, old_comments):
    runner = late_app.test_cli_runner()
    waiting = json.loads(runner.invoke(args=["comments", "waiting", "--json"]).output)
    assert [(row["author_name"], row["overdue"]) for row in waiting] == [("Still Waiting", True)]
    listed = runner.invoke(args=["comments", "list", "--status", "approved", "--json"]).output
    rows = {row["author_name"]: row for row in json.loads(listed)}
    assert set(ANSWERED) <= set(rows)
    assert not any(row.get("overdue") for row in rows.values())
    text = runner.invoke(args=["comments", "waiting"]).output
    assert "OVERDUE" in text and not any(name in text for name in ANSWERED)


def test_the_figures_count_them_answered_and_only_one_waiting(late_app, old_comments):
    with late_app.app_context():
        months = compute(utcnow(), months=2).blog  # 20 hours ago may be last month
    counts = [sum(getattr(m, key) for m in months) for key in ("answered", "no_answer_needed")]
    assert counts == [2, 1] and sum(m.waiting for m in months) == 1
    (oldest,) = [m.oldest_waiting for m in months if m.oldest_waiting]
    assert oldest.id == old_comments["Still Waiting"]
    client = late_app.test_client()
    sign_in(client, "morgan@porch.test")
    html = client.get("/moderation/figures?months=2").get_data(as_text=True)
    assert not LATE.search(html)


def test_one_rule_in_python_and_sql_says_an_answered_comment_is_not_overdue(late_app, old_comments):
    now = utcnow()
    with late_app.app_context():
        comments = db.session.scalars(db.select(Comment).where(Comment.staff_id.is_(None))).all()
        in_python = {c.author_name for c in comments if c.is_overdue(now, WITHIN)}
        in_sql = set(
            db.session.scalars(
                db.select(Comment.author_name).where(Comment.is_overdue(now, WITHIN))
            )
        )
    assert in_python == in_sql == {"Still Waiting"}
