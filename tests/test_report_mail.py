"""The monthly report by mail: queued once per period to PORCH_REPORT_TO, even with two job
runners at once, and sent as text and HTML through the outbox to a real SMTP server."""

import subprocess
import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from comments_service.cli.worker import queue_monthly_report
from comments_service.config import OpenKinds
from comments_service.extensions import db
from comments_service.models import ReportSend
from comments_service.services.report import mail as report_mail
from comments_service.services.report.build import last_full_month

from .browser_support import BIN, COMMAND_TIMEOUT, ROOT, clean_environment
from .conftest import service_urls
from .mail_helpers import outbox_rows
from .smtp_support import SmtpServer

TO = "product@example.com, lead@example.com"
RECIPIENTS = ["product@example.com", "lead@example.com"]
DEC_1 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


def queue_at(app, now: datetime) -> int:
    with app.app_context():
        queued = queue_monthly_report(app, now)
        db.session.remove()
    return queued


def report_messages(app) -> list[tuple[str, str, str]]:
    return [
        (row.recipient, row.subject, row.headers["X-Porch-Report"])
        for row in outbox_rows(app)
        if "X-Porch-Report" in row.headers
    ]


def sends(app) -> list[tuple[date, date, int]]:
    with app.app_context():
        rows = db.session.scalars(select(ReportSend).order_by(ReportSend.period_start)).all()
        return [(row.period_start, row.period_until, row.recipients) for row in rows]


def test_the_report_is_queued_once_per_period(app_with):
    app = app_with(PORCH_REPORT_TO=TO)
    assert queue_at(app, DEC_1) == 2
    assert queue_at(app, DEC_1) == 0
    assert queue_at(app, datetime(2026, 12, 2, 9, 0, tzinfo=UTC)) == 0  # the next day
    assert queue_at(app, datetime(2026, 12, 31, 23, 59, tzinfo=UTC)) == 0
    november = [(to, "What readers told us: November 2026", "2026-11-01") for to in RECIPIENTS]
    assert report_messages(app) == november
    assert queue_at(app, datetime(2027, 1, 1, 0, 5, tzinfo=UTC)) == 2  # the next period
    december = [(to, "What readers told us: December 2026", "2026-12-01") for to in RECIPIENTS]
    assert report_messages(app) == november + december
    assert sends(app) == [
        (date(2026, 11, 1), date(2026, 12, 1), 2),
        (date(2026, 12, 1), date(2027, 1, 1), 2),
    ]


def test_nothing_is_queued_or_recorded_when_no_one_is_to_get_it(app):
    assert app.config["PORCH_REPORT_TO"] == ""
    assert queue_at(app, DEC_1) == 0
    assert report_messages(app) == []
    assert sends(app) == []


def test_two_job_runners_at_once_queue_one_set_of_messages(app_with):
    """Both runners pass the "not queued yet" check at once; the database lets one claim it."""
    app = app_with(PORCH_REPORT_TO=TO)
    periods = [last_full_month(datetime(2026, month, 1, tzinfo=UTC)) for month in range(2, 8)]
    start = threading.Barrier(2, timeout=10)
    queued, errors = [], []

    def runner():
        try:
            for period in periods:
                with app.app_context():
                    start.wait()
                    queued.append(
                        report_mail.queue_report(
                            period,
                            tuple(RECIPIENTS),
                            now=DEC_1,
                            kinds=("question",),
                            open_kinds=OpenKinds(("question",), ()),
                            urls=service_urls("http://porch.test"),
                        )
                    )
                    db.session.commit()
                    db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(queued) == [0] * len(periods) + [2] * len(periods)
    starts = [period.since.isoformat() for period in periods]
    assert sorted(header for _, _, header in report_messages(app)) == sorted(starts * 2)
    assert [row[0] for row in sends(app)] == [period.since for period in periods]


def test_the_mail_command_queues_the_last_full_month_once(app_with):
    app = app_with(PORCH_REPORT_TO=TO)
    runner = app.test_cli_runner()
    label = last_full_month(datetime.now(UTC)).label
    first = runner.invoke(args=["mail", "report"])
    assert first.exit_code == 0, first.output
    assert first.output == f"The report of {label} queued: 2 messages; `mail send` sends them.\n"
    again = runner.invoke(args=["mail", "report"])
    assert again.output == f"The report of {label} was queued before; nothing queued.\n"
    assert len(report_messages(app)) == 2


def test_the_mail_command_says_when_no_one_is_to_get_it(app):
    result = app.test_cli_runner().invoke(args=["mail", "report"])
    assert result.exit_code == 1
    assert "PORCH_REPORT_TO is empty" in result.output
    assert report_messages(app) == []


def test_the_worker_queues_the_report_and_sends_text_and_html(app_with, smtp):
    app = app_with(PORCH_REPORT_TO=TO, PORCH_MAIL_DIGEST_HOUR=0, **smtp.settings())
    result = app.test_cli_runner().invoke(args=["worker", "--passes", "1"])
    assert result.exit_code == 0, result.output
    label = last_full_month(datetime.now(UTC)).label
    assert result.output.splitlines() == [
        f"monthly-report: The report of {label} queued: 2 messages.",
        "send-mail: 2 sent, 0 failed, 0 logged.",
    ]
    received = sorted(smtp.sink.received, key=lambda message: message.recipients)
    assert [message.recipients for message in received] == [[to] for to in sorted(RECIPIENTS)]
    email = received[0].message
    assert email["Subject"] == f"What readers told us: {label}"
    assert email.get_content_type() == "multipart/alternative"
    text = email.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = email.get_body(("html",)).get_content()
    assert text.startswith(f"WHAT READERS TOLD US: {label}\nCovers ")  # never ">From"
    assert "<h1>What readers told us: " in html and html.count("<svg") == 2
    second = app.test_cli_runner().invoke(args=["worker", "--passes", "1"])
    assert second.output == ""  # a quiet pass: nothing queued again, nothing sent
    assert len(smtp.sink.received) == 2


def test_a_bad_address_in_the_setting_stops_the_service_at_start(app_with):
    with pytest.raises(ValueError, match="PORCH_REPORT_TO must list email addresses"):
        app_with(PORCH_REPORT_TO="product@example.com, the product team")


def test_two_mail_report_processes_at_once_queue_one_set_of_messages(app, database_url):
    env = clean_environment(DATABASE_URL=database_url, SECRET_KEY="report-race", REPORT_TO=TO)
    command = [str(BIN / "flask"), "--app", "comments_service", "mail", "report"]
    runners = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = sorted(runner.communicate(timeout=COMMAND_TIMEOUT)[0] for runner in runners)
    assert [runner.returncode for runner in runners] == [0, 0]
    label = last_full_month(datetime.now(UTC)).label
    assert outputs == [
        f"The report of {label} queued: 2 messages; `mail send` sends them.\n",
        f"The report of {label} was queued before; nothing queued.\n",
    ]
    assert sorted(to for to, _, _ in report_messages(app)) == sorted(RECIPIENTS)
