"""``flask comments tag/answer-privately/follow-up``: what readers told us, from a terminal."""

from contextlib import contextmanager
from datetime import UTC, datetime

import click
from flask import current_app
from flask_babel import gettext

from comments_service.cli.comments import comments_cli
from comments_service.cli.common import (
    acting_staff_or_fail,
    by_option,
    comments_or_fail,
    echo_columns,
)
from comments_service.config import comment_kinds
from comments_service.enums import FollowUp, PrivateChannel
from comments_service.extensions import db
from comments_service.models import utcnow
from comments_service.services.mail.subscriptions import ReaderMail
from comments_service.services.moderation import listening
from comments_service.services.moderation.decisions import ModerationError

STEPS = {
    "passed-on": FollowUp.PASSED_ON,
    "acted-on": FollowUp.ACTED_ON,
    "declined": FollowUp.DECLINED,
}
CHANNELS = {
    "phone": PrivateChannel.PHONE,
    "email": PrivateChannel.EMAIL,
    "in-person": PrivateChannel.IN_PERSON,
}


def _iso_time(context, parameter, value: str | None) -> datetime | None:
    """An ISO 8601 time; one without a zone is UTC."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            gettext("%(value)s is not an ISO time such as 2026-11-30T14:05Z.", value=repr(value))
        ) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


@comments_cli.command("tag")
@click.argument("comment_id", type=click.IntRange(1))
@click.argument("kind", required=False)
@click.option("--clear", is_flag=True, help="Take the kind off the comment.")
@by_option
def tag(comment_id: int, kind: str | None, clear: bool, by: str) -> None:
    """Say what kind of reader comment this is (see PORCH_COMMENT_KINDS), or --clear it."""
    kinds = comment_kinds(current_app.config)
    if clear == (kind is not None):
        raise click.UsageError(
            gettext("Give a KIND (%(kinds)s) or --clear, not both.", kinds=", ".join(kinds))
        )
    (comment,) = comments_or_fail((comment_id,))
    with _refusals():
        listening.tag(comment, acting_staff_or_fail(by), kind, kinds)
    db.session.commit()
    said = gettext("kind: %(kind)s", kind=kind or gettext("none"))
    echo_columns(f"#{comment.id}", comment.author_name, said)


@comments_cli.command("answer-privately")
@click.argument("comment_id", type=click.IntRange(1))
@by_option
@click.option("--how", required=True, type=click.Choice(list(CHANNELS)))
@click.option("--note", required=True, help="What you told the reader; only staff see it.")
@click.option(
    "--at",
    "at",
    callback=_iso_time,
    help="When you answered: an ISO time, UTC unless it has a zone; default now.",
)
@click.option("--show-on-blog", is_flag=True, help='The post says "NAME got in touch privately".')
def answer_privately(comment_id, by, how, note, at, show_on_blog) -> None:
    """Record that a reader was answered away from the blog: their comment counts as answered."""
    now = utcnow()
    when = at or now
    (comment,) = comments_or_fail((comment_id,))
    with _refusals():
        listening.answer_privately(
            comment, acting_staff_or_fail(by), CHANNELS[how], note, when, now, show_on_blog
        )
    db.session.commit()
    said = gettext("answered privately (%(how)s)", how=how)
    echo_columns(f"#{comment.id}", comment.author_name, said)


@comments_cli.command("follow-up")
@click.argument("comment_id", type=click.IntRange(1))
@click.argument("step", type=click.Choice(list(STEPS)))
@by_option
@click.option("--team", help="passed-on: the team it goes to.")
@click.option("--note", default="", help="acted-on: what was done (public); else for staff only.")
def follow_up(comment_id: int, step: str, by: str, team: str | None, note: str) -> None:
    """Follow an idea or a problem up: passed on to a team, then acted on or declined."""
    (comment,) = comments_or_fail((comment_id,))
    with _refusals():
        listening.follow_up(
            comment,
            acting_staff_or_fail(by),
            STEPS[step],
            note,
            utcnow(),
            ReaderMail.for_app(current_app),
            team=team,
        )
    db.session.commit()
    echo_columns(f"#{comment.id}", comment.author_name, step)


@contextmanager
def _refusals():
    """A refused step changes nothing and says why."""
    try:
        yield
    except ModerationError as error:
        raise click.ClickException(gettext("Nothing was changed. %(why)s", why=error)) from None
