"""One fixture, the same words for its times everywhere: the moderation pages, the blog's
API, a reminder and the report by mail (through a real SMTP server), the CLI's text
output and the report as text, page and standalone HTML (comments_service/words/times.py).

A reader has waited 47 days; another was answered 26 hours after writing; the report
covers the days from the first one's to today's. Each expected word is written here from
the calendar, not from the module under test.
"""

import html as html_text
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from comments_service.config import comment_kinds, open_kinds
from comments_service.extensions import db
from comments_service.models import Comment, Staff
from comments_service.service_urls import ServiceUrls
from comments_service.services.comments.answers import record_answer
from comments_service.services.report.build import Period
from comments_service.services.report.mail import queue_report
from comments_service.words import times
from porch_pelican.filters import time_label

from .conftest import PASSWORD, context_of, csrf_token
from .smtp_support import SmtpServer

WAIT = "47 days"
ANSWER_TIME = "26 hours"


def moment_words(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


def day_words(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def words(page: str) -> str:
    """A page's text: tags dropped, entities read, whitespace folded."""
    return " ".join(html_text.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def told(app_with, smtp, make_staff, make_post, make_comment):
    """The waiting question, the answered comment and the report's period."""
    app = app_with(**smtp.settings())
    now = datetime.now(UTC).replace(microsecond=0)
    ana = make_staff("Ana Lima")
    post = make_post("hello", title="Hello Porch")
    waiting = make_comment(
        post, name="Priya", kind="question", created_at=now - timedelta(days=47, hours=2)
    )
    answered = make_comment(post, name="Tomasz", created_at=now - timedelta(days=3))
    with context_of(app):
        reply = Comment(
            post_id=post.id,
            parent=db.session.get(Comment, answered.id),
            staff=db.session.get(Staff, ana.id),
            author_name=ana.name,
            body_markdown="An answer",
            body_html="<p>An answer</p>",
            status=answered.status,
            created_at=answered.created_at + timedelta(hours=26),
            published_at=answered.created_at + timedelta(hours=26),
        )
        db.session.add(reply)
        record_answer(reply)
        db.session.commit()
    period = Period(waiting.created_at.date(), now.date() + timedelta(days=1))
    return {"app": app, "ana": ana, "waiting": waiting, "period": period, "smtp": smtp}


def signed_in(app, staff):
    client = app.test_client()
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    fields = {"email": staff.email, "password": PASSWORD, "csrf_token": token}
    assert client.post("/auth/login", data=fields).status_code == 303
    return client


def sent_mails(told, *mails_to_queue) -> list:
    """Queue, send through the SMTP server, and give back each message received."""
    app = told["app"]
    for queue in mails_to_queue:
        queue()
    sending = app.test_cli_runner().invoke(args=["mail", "send"])
    assert sending.exit_code == 0, sending.output
    return [item.message for item in told["smtp"].sink.received]


def bodies(message) -> tuple[str, str]:
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    return text, words(message.get_body(("html",)).get_content())


def test_the_wait_and_the_answer_time_read_the_same_everywhere(told):
    app, waiting = told["app"], told["waiting"]
    client = signed_in(app, told["ana"])
    queue = client.get("/moderation/").get_data(as_text=True)
    figures = words(client.get("/moderation/figures").get_data(as_text=True))
    blog = client.get("/api/posts/hello/comments").get_json()
    runner = app.test_cli_runner()
    waiting_cli = runner.invoke(args=["comments", "waiting"]).output
    stats_cli = runner.invoke(args=["stats"]).output
    period = told["period"]
    report_text = runner.invoke(
        args=["report", "--since", str(period.since), "--until", str(period.until)]
    ).output
    digest = lambda: runner.invoke(args=["mail", "digest"])  # noqa: E731 - a step of sent_mails
    (reminder,) = sent_mails(told, digest)
    reminder_text, reminder_html = bodies(reminder)

    assert re.search(rf'<time datetime="{times.iso(waiting.created_at)}"[^>]*>{WAIT}</time>', queue)
    assert re.search(rf"#{waiting.id} ?, {WAIT}", figures)  # the month's oldest waiting
    assert f"{ANSWER_TIME} {ANSWER_TIME}" in figures  # its median and 90th percentile
    assert "Answered by Ana Lima in 26 hours" in [c["answer_line"] for c in blog["comments"]]
    assert f"#{waiting.id}\twaiting {WAIT} OVERDUE\thello\tPriya" in waiting_cli
    assert f"#{waiting.id} {WAIT}" in stats_cli and f"\t{ANSWER_TIME}\t" in stats_cli
    assert f"median {ANSWER_TIME}, 90th percentile {ANSWER_TIME}." in report_text
    assert reminder["Subject"] == f"1 reader is waiting for you, for {WAIT}"
    assert f'* Priya on "Hello Porch", waiting {WAIT}\n' in reminder_text
    assert f"Priya on “Hello Porch”, waiting {WAIT}" in reminder_html
    for said in (figures, waiting_cli, stats_cli, report_text, reminder_text, reminder_html):
        assert not re.search(r"\d(\.\d)? ?h\b|\d min\b", said)  # "581.5 h", "24h", "12 min"


def test_the_days_and_moments_read_the_same_everywhere(told):
    app, waiting, period = told["app"], told["waiting"], told["period"]
    created = waiting.created_at.astimezone(UTC)
    first, last = day_words(period.since), day_words(period.until - timedelta(days=1))
    label = f"{first} to {last}"
    client = signed_in(app, told["ana"])
    queue = client.get("/moderation/").get_data(as_text=True)
    thread = words(client.get(f"/moderation/comments/{waiting.id}/thread").get_data(as_text=True))
    asked = f"/moderation/report?since={period.since}&until={period.until}"
    report_page = words(client.get(asked).get_data(as_text=True))
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["comments", "list", "--status", "approved"]).output
    span = ["--since", str(period.since), "--until", str(period.until)]
    report_text = runner.invoke(args=["report", *span]).output
    standalone = words(runner.invoke(args=["report", *span, "--format", "html"]).output)
    (report_mail,) = sent_mails(told, lambda: _queue_report(app, period))
    mail_text, mail_html = bodies(report_mail)

    assert f'title="{moment_words(created)}"' in queue
    assert moment_words(created) in thread
    assert f"#{waiting.id}\t{moment_words(created)}\thello\tPriya" in listed
    assert report_mail["Subject"] == f"What readers told us: {label}"
    until = day_words(period.until)
    covers = f"Covers {first} up to, not including, {until}"
    for report in (report_text, report_page, standalone, mail_text, mail_html):
        assert f"What readers told us: {label}".upper() in report.upper()
        assert covers in report
        assert not re.search(r"\d{4}-\d\d-\d\d", report)  # no ISO days, no ISO moments
    for report in (report_page, standalone, mail_html):
        assert f"question · Priya on “Hello Porch” · {first}" in report
    for report in (report_text, mail_text):
        assert f'question from Priya on "Hello Porch", {first}\n' in report
    assert 'datetime="' + times.iso(created) + '"' in queue


def _queue_report(app, period: Period) -> None:
    with context_of(app):
        config = app.config
        queue_report(
            period,
            ("editor@blog.test",),
            now=datetime.now(UTC),
            kinds=comment_kinds(config),
            open_kinds=open_kinds(config),
            urls=ServiceUrls.of(app),
        )
        db.session.commit()


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (None, "-"),
        (-5, "under a minute"),
        (29, "under a minute"),
        (30, "1 minute"),
        (3569, "59 minutes"),
        (3570, "1 hour"),
        (26 * 3600, "26 hours"),
        (47 * 3600 + 29 * 60, "47 hours"),
        (47 * 3600 + 30 * 60, "2 days"),
        (47 * 86400 + 11 * 3600, "47 days"),
        (47 * 86400 + 12 * 3600, "48 days"),
        (400 * 86400, "400 days"),
    ],
)
def test_a_duration_is_one_unit_rounded_to_the_nearest(seconds, said):
    assert times.duration(seconds) == said
    if seconds is not None:
        assert times.duration(timedelta(seconds=seconds)) == said


def test_a_moment_reads_as_the_blogs_theme_prints_it():
    for moment in (
        datetime(2026, 11, 1, 14, 5, 59, 123456, tzinfo=UTC),
        datetime(2025, 12, 31, 0, 0, tzinfo=UTC),
        datetime(2026, 3, 5, 1, 30, tzinfo=UTC) + timedelta(hours=22, minutes=29),
    ):
        assert times.utc_label(moment) == time_label(times.iso(moment))
    noon_in_paris = datetime.fromisoformat("2026-11-01T13:05:00+01:00")
    assert times.utc_label(noon_in_paris) == "1 November 2026, 12:05 UTC"
    assert times.iso(noon_in_paris) == "2026-11-01T12:05:00Z"
    assert times.day_label("2026-11-02") == "2 November 2026"
    assert times.month_label("2026-11") == "November 2026"
