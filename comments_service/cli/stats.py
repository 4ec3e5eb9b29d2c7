"""``flask --app comments_service stats``: the answer-time figures in a terminal."""

import json

import click
from flask.cli import with_appcontext
from flask_babel import gettext, lazy_gettext

from comments_service.extensions import db
from comments_service.models import utcnow
from comments_service.services.report import figures
from comments_service.words.characters import for_terminal
from comments_service.words.times import duration, month_label

# "privately": of those answered, how many were answered away from the blog.
COLUMNS = (
    lazy_gettext("month"),
    lazy_gettext("received"),
    lazy_gettext("answered"),
    lazy_gettext("share"),
    lazy_gettext("median"),
    lazy_gettext("p90"),
    lazy_gettext("waiting"),
    lazy_gettext("oldest"),
    lazy_gettext("privately"),
)


@click.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@click.option(
    "--months",
    type=click.IntRange(1, 120),
    default=figures.DEFAULT_MONTHS,
    show_default=True,
    help="Calendar months (UTC) to show, this one included.",
)
@click.option("--author", help="Only this post author's figures, besides the blog's.")
@with_appcontext
def stats(as_json: bool, months: int, author: str | None) -> None:
    """Reader comments received, share answered, median and 90th-percentile time to answer."""
    result = figures.compute(utcnow(), months, author)
    db.session.commit()  # the finished months' percentiles it kept
    if author and author not in result.authors:
        raise click.ClickException(
            gettext("No post names an author called %(name)s.", name=repr(author))
        )
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=True))
        return
    _table(gettext("Blog"), result.blog)
    for name, per_month in result.authors.items():
        _table(name, per_month)


def _table(title: str, per_month: list[figures.MonthFigures]) -> None:
    """A heading and one tab-separated line per month, oldest first."""
    click.echo(for_terminal(title))
    click.echo("\t".join(str(column) for column in COLUMNS))
    for month in per_month:
        click.echo("\t".join(_cells(month)))
    click.echo()


def _cells(month: figures.MonthFigures) -> list[str]:
    oldest = month.oldest_waiting
    waited = oldest and f"#{oldest.id} {duration(oldest.waited_seconds)}"
    return [
        month_label(month.month),
        str(month.received),
        str(month.answered),
        figures.share_text(month.share_answered),
        duration(month.median_seconds),
        duration(month.p90_seconds),
        str(month.waiting),
        waited or "-",
        str(month.answered_privately),
    ]
