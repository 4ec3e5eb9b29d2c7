"""``flask worker``: the service's timed jobs, each by name, in one process beside the web.

Every deployment runs one or more workers (`make run` starts one). A job runs when its
interval has passed since it last ran in this process; each is one transaction, and a
job that fails is logged and tried again at its next turn while the others go on. The
jobs are safe to run on several hosts at once: mail is claimed message by message,
digests and reminders go to a person at most once a day, the report once a month.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import gettext

from comments_service.config import (
    address_retention,
    answer_within,
    comment_kinds,
    escalate_after,
    open_kinds,
    report_recipients,
)
from comments_service.extensions import db
from comments_service.models import utcnow
from comments_service.service_urls import ServiceUrls
from comments_service.services.accounts.staff import purge_expired_sessions
from comments_service.services.inbound.reply_address import ReplyAddresses
from comments_service.services.mail.channels import Channels
from comments_service.services.mail.notifications import queue_digests, queue_overdue_reminders
from comments_service.services.mail.sender import SenderSettings, send_due
from comments_service.services.privacy import retention
from comments_service.services.report import mail as report_mail
from comments_service.services.report.build import last_full_month

logger = logging.getLogger(__name__)


def send_mail(app, now: datetime) -> str | None:
    """Send what is due in the outbox (the sender commits each message itself)."""
    report = send_due(SenderSettings.for_app(app))
    if report.sent or report.failed or report.logged:  # a quiet worker is quiet
        return gettext(
            "%(sent)s sent, %(failed)s failed, %(logged)s logged.",
            sent=report.sent,
            failed=report.failed,
            logged=report.logged,
        )
    return None


def queue_daily(app, now: datetime) -> tuple[int, int]:
    """Today's digests and overdue reminders (escalated comments in the admins'), once a
    day per person and per chat channel; not committed."""
    urls = ServiceUrls.of(app)
    replies = ReplyAddresses.from_config(app.config)
    channels = Channels.for_app(app)
    digests = queue_digests(urls=urls, now=now, replies=replies, channels=channels)
    reminders = queue_overdue_reminders(
        urls=urls,
        now=now,
        replies=replies,
        answer_within=answer_within(app.config),
        escalate_after=escalate_after(app.config),
        channels=channels,
    )
    return digests, reminders


def daily_mail(app, now: datetime) -> str | None:
    """From PORCH_MAIL_DIGEST_HOUR (UTC) on, the day's digests and reminders."""
    if now.hour < app.config["PORCH_MAIL_DIGEST_HOUR"]:
        return None
    digests, reminders = queue_daily(app, now)
    db.session.commit()
    if not digests and not reminders:
        return None
    return gettext(
        "%(digests)s digests and %(reminders)s reminders queued.",
        digests=digests,
        reminders=reminders,
    )


def queue_monthly_report(app, now: datetime) -> int:
    """The last full month's report to PORCH_REPORT_TO, once per month; returns how many
    messages were queued. Commits: the check and the claim are transactions of their own."""
    period = last_full_month(now)
    recipients = report_recipients(app.config)
    done = not recipients or report_mail.already_queued(period)
    db.session.commit()  # ends the read, so that the claim starts with its write
    if done:
        return 0
    queued = report_mail.queue_report(
        period,
        recipients,
        now=now,
        kinds=comment_kinds(app.config),
        open_kinds=open_kinds(app.config),
        urls=ServiceUrls.of(app),
    )
    db.session.commit()
    return queued


def monthly_report(app, now: datetime) -> str | None:
    """From PORCH_MAIL_DIGEST_HOUR (UTC) on, the last full month's report, once."""
    if now.hour < app.config["PORCH_MAIL_DIGEST_HOUR"]:
        return None
    if not (queued := queue_monthly_report(app, now)):
        return None
    return gettext(
        "The report of %(period)s queued: %(count)s messages.",
        period=last_full_month(now).label,
        count=queued,
    )


def purge_sessions(app, now: datetime) -> str | None:
    """Staff sessions past their end are deleted."""
    purged = purge_expired_sessions(now)
    db.session.commit()
    return gettext("%(count)s expired sessions purged.", count=purged) if purged else None


def prune_addresses(app, now: datetime) -> str | None:
    """Comments' addresses, and the senders of mail that published nothing, are kept no
    longer than PORCH_ADDRESS_RETENTION_DAYS."""
    before = now - address_retention(app.config)
    pruned = retention.prune_addresses(before)
    forgotten = retention.forget_unpublished_senders(before)
    db.session.commit()
    if not pruned and not forgotten:
        return None
    return gettext(
        "%(pruned)s addresses cut to their networks, %(forgotten)s senders of mail forgotten.",
        pruned=pruned,
        forgotten=forgotten,
    )


@dataclass(frozen=True)
class Job:
    run: Callable[[Flask, datetime], str | None]
    every: Callable[[dict], timedelta]


def _tick(config) -> timedelta:
    return timedelta(seconds=config["PORCH_MAIL_LOOP_SECONDS"])


def _hourly(config) -> timedelta:
    return timedelta(hours=1)


# In the order a pass runs them: mail queued in a pass is sent in the same pass.
JOBS = {
    "daily-mail": Job(daily_mail, _tick),
    "monthly-report": Job(monthly_report, _tick),
    "purge-sessions": Job(purge_sessions, _hourly),
    "prune-addresses": Job(prune_addresses, _hourly),
    "send-mail": Job(send_mail, _tick),
}


def run_due(names, last_runs: dict, app) -> None:
    """One pass: each named job whose interval has passed runs, in its own transaction."""
    for name in names:
        job, now = JOBS[name], utcnow()
        if name in last_runs and now - last_runs[name] < job.every(app.config):
            continue
        last_runs[name] = now
        try:
            said = job.run(app, now)
        except Exception:
            db.session.rollback()
            logger.exception("The job %s failed; it runs again at its next turn.", name)
            continue
        if said:
            click.echo(f"{name}: {said}")


@click.command("worker")
@click.option(
    "--job",
    "names",
    multiple=True,
    type=click.Choice(list(JOBS)),
    help="Run only this job (repeatable). Default: every job.",
)
@click.option("--passes", type=click.IntRange(min=1), help="Stop after this many passes.")
@with_appcontext
def worker(names: tuple[str, ...], passes: int | None) -> None:
    """Run the timed jobs: send mail, daily digests and reminders, the monthly report,
    purge expired sessions, prune old addresses. A pass every PORCH_MAIL_LOOP_SECONDS."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    app = current_app._get_current_object()
    names = names or tuple(JOBS)
    last_runs: dict[str, datetime] = {}
    done = 0
    while True:
        run_due(names, last_runs, app)
        done += 1
        if passes and done >= passes:
            return
        time.sleep(app.config["PORCH_MAIL_LOOP_SECONDS"])
