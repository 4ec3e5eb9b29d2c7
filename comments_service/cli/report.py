"""``flask --app comments_service report``: "What readers told us" as text, JSON or HTML."""

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from comments_service.config import comment_kinds, open_kinds
from comments_service.extensions import db
from comments_service.models import utcnow
from comments_service.service_urls import ServiceUrls
from comments_service.services.report import documents as report_documents
from comments_service.services.report.build import PeriodError, build, period_of
from comments_service.words.characters import for_terminal

DAY = click.DateTime(formats=["%Y-%m-%d"])


@click.command("report")
@click.option("--since", type=DAY, help="First day (UTC), YYYY-MM-DD.")
@click.option("--until", type=DAY, help="First day left out; default a month after --since.")
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "json", "html"]),
    default="text",
    show_default=True,
    help="Text for a terminal or a mail, JSON, or a standalone HTML document.",
)
@with_appcontext
def report(since, until, output: str) -> None:
    """The report of a period, by default the last full calendar month (UTC)."""
    now = utcnow()
    try:
        period = period_of(since and since.date(), until and until.date(), now)
    except PeriodError as error:
        raise click.BadParameter(str(error)) from None
    config = current_app.config
    result = build(
        period,
        now,
        comment_kinds(config),
        ServiceUrls.of(current_app),
        open_kinds=open_kinds(config),
        every_open_item=output == "json",
    )
    db.session.commit()  # the finished month's percentiles it kept
    if output == "json":
        click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=True))
    elif output == "html":
        click.echo(report_documents.html(result), nl=False)
    else:
        text = report_documents.text(result)
        click.echo("\n".join(for_terminal(line) for line in text.splitlines()))
