"""Operator commands for mail: ``flask --app comments_service mail ...``."""

import logging
import time
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from comments_service.config import (
    address_retention,
    answer_within,
    comment_kinds,
    escalate_after,
    report_recipients,
)
from comments_service.enums import MailStatus
from comments_service.extensions import db
from comments_service.models import OutboxMessage, utcnow
from comments_service.services.accounts.staff import purge_expired_sessions
from comments_service.services.comments.threads import iso
from comments_service.services.mail import outbox
from comments_service.services.mail.notifications import queue_digests, queue_overdue_reminders
from comments_service.services.mail.sender import SenderSettings, send_due
from comments_service.services.privacy import retention
from comments_service.services.report import mail as report_mail
from comments_service.services.report.build import last_full_month
from comments_service.text.characters import for_terminal

mail_cli = AppGroup("mail", help="The mail outbox: notifications to staff.")


def _show_mail_log() -> None:
    """Messages kept for want of an SMTP host are shown in the log: let it reach stderr."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")


@mail_cli.command("send")
@click.option(
    "--loop", is_flag=True, help="Keep sending; also queue the daily digests, purge old sessions."
)
@click.option("--passes", type=click.IntRange(min=1), help="With --loop: stop after this many.")
def send(loop: bool, passes: int | None) -> None:
    """Send the messages that are due (one pass, at most PORCH_MAIL_BATCH_SIZE)."""
    _show_mail_log()
    config = current_app.config
    settings = SenderSettings.from_config(config)
    done = 0
    pruned_at = None
    while True:
        if loop:
            _queue_digests_if_time(config)
            _purge_expired_sessions()
            pruned_at = _prune_addresses_hourly(config, pruned_at)
        report = send_due(settings)
        if not loop or report.sent or report.failed or report.logged:  # a quiet loop is quiet
            click.echo(f"{report.sent} sent, {report.failed} failed, {report.logged} logged.")
        done += 1
        if not loop or (passes and done >= passes):
            return
        time.sleep(config["PORCH_MAIL_LOOP_SECONDS"])


def _queue_digests_if_time(config) -> None:
    """From PORCH_MAIL_DIGEST_HOUR (UTC) on, the loop queues the day's messages once,
    and the last full month's report once (PORCH_REPORT_TO)."""
    now = utcnow()
    if now.hour >= config["PORCH_MAIL_DIGEST_HOUR"]:
        _queue_daily(config, now)
        db.session.commit()
        queue_monthly_report(config, now)


def queue_monthly_report(config, now) -> int:
    """The last full month's report to PORCH_REPORT_TO, once per month; returns how many
    messages were queued. Commits: the check and the claim are transactions of their own."""
    period = last_full_month(now)
    recipients = report_recipients(config)
    done = not recipients or report_mail.already_queued(period)
    db.session.commit()  # ends the read, so that the claim starts with its write
    if done:
        return 0
    queued = report_mail.queue_report(
        period,
        recipients,
        now=now,
        kinds=comment_kinds(config),
        public_url=config["PORCH_PUBLIC_URL"],
    )
    db.session.commit()
    return queued


def _purge_expired_sessions() -> None:
    """The loop runs on every deployment, so it also sweeps out expired staff sessions."""
    purge_expired_sessions(utcnow())
    db.session.commit()


PRUNE_EVERY = timedelta(hours=1)


def _prune_addresses_hourly(config, pruned_at):
    """The loop also keeps comments' addresses no longer than PORCH_ADDRESS_RETENTION_DAYS."""
    now = utcnow()
    if pruned_at is not None and now - pruned_at < PRUNE_EVERY:
        return pruned_at
    retention.prune_addresses(now - address_retention(config))
    db.session.commit()
    return now


def _queue_daily(config, now) -> tuple[int, int]:
    """Today's digests and overdue reminders (escalated comments included in the admins').

    Each goes to a person at most once a day.
    """
    public_url = config["PORCH_PUBLIC_URL"]
    digests = queue_digests(public_url=public_url, now=now)
    reminders = queue_overdue_reminders(
        public_url=public_url,
        now=now,
        answer_within=answer_within(config),
        escalate_after=escalate_after(config),
    )
    return digests, reminders


@mail_cli.command("digest")
def digest() -> None:
    """Queue today's digests and overdue reminders (each at most once a day per person)."""
    digests, reminders = _queue_daily(current_app.config, utcnow())
    db.session.commit()
    click.echo(f"{digests} digests and {reminders} reminders queued; `mail send` delivers them.")


@mail_cli.command("report")
def report() -> None:
    """Queue the last full month's report to PORCH_REPORT_TO (at most once per month)."""
    config = current_app.config
    if not report_recipients(config):
        raise click.ClickException("PORCH_REPORT_TO is empty: there is no one to mail it to.")
    now = utcnow()
    queued = queue_monthly_report(config, now)
    label = last_full_month(now).label
    if queued:
        click.echo(f"The report of {label} queued: {queued} messages; `mail send` sends them.")
    else:
        click.echo(f"The report of {label} was queued before; nothing queued.")


@mail_cli.command("list")
@click.option("--status", type=click.Choice([s.value for s in MailStatus]), help="Only these.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
def list_mail(status: str | None, limit: int) -> None:
    """Messages in the outbox, newest first, with their attempts and last error."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if status:
        query = query.where(OutboxMessage.status == MailStatus(status))
    for message in db.session.scalars(query):
        columns = (
            f"#{message.id}",
            message.status.value,
            f"{message.attempts} attempts",
            iso(message.created_at),
            message.recipient,
            message.subject,
            message.last_error or "",
        )
        click.echo("\t".join(for_terminal(column) for column in columns))


@mail_cli.command("status")
def status() -> None:
    """How many messages are in each state, and how long the oldest queued one has waited."""
    counts = dict(
        db.session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    for state in MailStatus:
        click.echo(f"{state.value}\t{counts.get(state, 0)}")
    oldest = db.session.scalar(
        select(func.min(OutboxMessage.created_at)).where(OutboxMessage.status == MailStatus.QUEUED)
    )
    if oldest is not None:
        click.echo(f"oldest queued\t{iso(oldest)}")


@mail_cli.command("retry")
@click.option("--logged", is_flag=True, help="Also queue messages only written to the log.")
def retry(logged: bool) -> None:
    """Queue failed messages again with fresh attempts, e.g. once SMTP works again."""
    statuses = [MailStatus.FAILED] + ([MailStatus.LOGGED] if logged else [])
    count = outbox.requeue(statuses, utcnow())
    db.session.commit()
    click.echo(f"{count} messages queued again.")
