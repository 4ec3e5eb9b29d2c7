"""Operator commands for mail: ``flask --app comments_service mail ...``."""

import logging
import time

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext
from sqlalchemy import func, select

from comments_service.cli.inbound import fetch, receive_replies
from comments_service.cli.worker import queue_daily, queue_monthly_report
from comments_service.config import (
    report_recipients,
)
from comments_service.enums import MailStatus
from comments_service.extensions import db
from comments_service.models import OutboxMessage, utcnow
from comments_service.services.mail import outbox
from comments_service.services.mail.sender import SenderSettings, send_due
from comments_service.services.report.build import last_full_month
from comments_service.words.characters import for_terminal
from comments_service.words.times import utc_label

mail_cli = AppGroup("mail", help="The mail outbox: notifications to staff.")


def _show_mail_log() -> None:
    """Messages kept for want of an SMTP host are shown in the log: let it reach stderr."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")


@mail_cli.command("send")
@click.option("--loop", is_flag=True, help="Keep sending; `flask worker` also runs the other jobs.")
@click.option("--passes", type=click.IntRange(min=1), help="With --loop: stop after this many.")
def send(loop: bool, passes: int | None) -> None:
    """Send the messages that are due (one pass, at most PORCH_MAIL_BATCH_SIZE)."""
    _show_mail_log()
    config = current_app.config
    settings = SenderSettings.for_app(current_app)
    done = 0
    while True:
        report = send_due(settings)
        if not loop or report.sent or report.failed or report.logged:  # a quiet loop is quiet
            click.echo(
                gettext(
                    "%(sent)s sent, %(failed)s failed, %(logged)s logged.",
                    sent=report.sent,
                    failed=report.failed,
                    logged=report.logged,
                )
            )
        done += 1
        if not loop or (passes and done >= passes):
            return
        time.sleep(config["PORCH_MAIL_LOOP_SECONDS"])


@mail_cli.command("digest")
def digest() -> None:
    """Queue today's digests and overdue reminders (each at most once a day per person)."""
    digests, reminders = queue_daily(current_app, utcnow())
    db.session.commit()
    click.echo(
        gettext(
            "%(digests)s digests and %(reminders)s reminders queued; `mail send` delivers them.",
            digests=digests,
            reminders=reminders,
        )
    )


@mail_cli.command("report")
def report() -> None:
    """Queue the last full month's report to PORCH_REPORT_TO (at most once per month)."""
    config = current_app.config
    if not report_recipients(config):
        raise click.ClickException(
            gettext("PORCH_REPORT_TO is empty: there is no one to mail it to.")
        )
    now = utcnow()
    queued = queue_monthly_report(current_app, now)
    label = last_full_month(now).label
    if queued:
        click.echo(
            gettext(
                "The report of %(period)s queued: %(count)s messages; `mail send` sends them.",
                period=label,
                count=queued,
            )
        )
    else:
        click.echo(
            gettext("The report of %(period)s was queued before; nothing queued.", period=label)
        )


@mail_cli.command("list")
@click.option("--status", type=click.Choice([s.value for s in MailStatus]), help="Only these.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
def list_mail(status: str | None, limit: int) -> None:
    """Messages in the outbox, newest first, with their attempts and last error; a chat
    message shows its channel's name (never its URL)."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if status:
        query = query.where(OutboxMessage.status == MailStatus(status))
    for message in db.session.scalars(query):
        columns = (
            f"#{message.id}",
            message.status.value,
            gettext("%(count)s attempts", count=message.attempts),
            utc_label(message.created_at),
            message.destination,
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
        label = gettext("oldest queued")
        click.echo(f"{label}\t{utc_label(oldest)}")


@mail_cli.command("retry")
@click.option("--logged", is_flag=True, help="Also queue messages only written to the log.")
def retry(logged: bool) -> None:
    """Queue failed messages again with fresh attempts, e.g. once SMTP works again."""
    statuses = [MailStatus.FAILED] + ([MailStatus.LOGGED] if logged else [])
    count = outbox.requeue(statuses, utcnow())
    db.session.commit()
    click.echo(gettext("%(count)s messages queued again.", count=count))


mail_cli.add_command(receive_replies)
mail_cli.add_command(fetch)
