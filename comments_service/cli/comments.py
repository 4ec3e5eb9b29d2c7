"""flask comments waiting|list|export|purge-discarded|approve|spam|ham|delete|restore|reassign."""

import json
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext
from sqlalchemy import select

from comments_service.cli.common import (
    acting_staff_or_fail,
    by_option,
    comments_or_fail,
    echo_columns,
    staff_or_fail,
    write_json,
)
from comments_service.config import answer_within, escalate_after
from comments_service.enums import Action, CommentStatus
from comments_service.extensions import db
from comments_service.models import Comment, Staff, utcnow
from comments_service.queries.care import flagged_by_comment, unanswered_for
from comments_service.queries.listings import on_post
from comments_service.queries.states import unanswered
from comments_service.service_urls import ServiceUrls
from comments_service.services.comments.threads import iso
from comments_service.services.imports.full_export import export_full
from comments_service.services.inbound.reply_address import ReplyAddresses
from comments_service.services.mail.subscriptions import ReaderMail
from comments_service.services.moderation import assignment
from comments_service.services.moderation import decisions as moderation
from comments_service.services.moderation.rules import DONE, RECORDED_AS
from comments_service.services.site.export import export_document
from comments_service.services.spam import akismet
from comments_service.services.spam import guard as spam_guard
from comments_service.words.times import duration, utc_label

comments_cli = AppGroup("comments", help="Reader comments.")


@comments_cli.command("waiting")
@click.option(
    "--author",
    metavar="EMAIL|NAME",
    help="Only what is waiting for this staff member (email address or exact name).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of lines.")
def waiting(author: str | None, as_json: bool) -> None:
    """Reader comments waiting for an answer, oldest first."""
    now = utcnow()
    query = unanswered_for(staff_or_fail(author), now) if author else unanswered()
    comments = db.session.scalars(query).all()
    flagged = flagged_by_comment(
        [comment.id for comment in comments], now, escalate_after(current_app.config)
    )
    within = answer_within(current_app.config)
    rows = [_waiting_row(comment, now, within, flagged.get(comment.id, [])) for comment in comments]
    if as_json:
        # ensure_ascii writes every control or invisible character in a name as \uXXXX.
        click.echo(json.dumps(rows, indent=2, ensure_ascii=True))
        return
    for comment, row in zip(comments, rows, strict=True):
        waited = duration(now - comment.created_at)
        if row["overdue"]:
            age = gettext("waiting %(time)s OVERDUE", time=waited)
        else:
            age = gettext("waiting %(time)s", time=waited)
        flagged = ", ".join(row["flagged_for"]) or "-"
        echo_columns(
            f"#{row['id']}",
            age,
            row["post"],
            row["author_name"],
            gettext("for: %(names)s", names=flagged),
        )
    click.echo(gettext("%(count)s waiting.", count=len(rows)))


def _waiting_row(comment, now, within, flagged_for: list[Staff]) -> dict:
    age = now - comment.created_at
    return {
        "id": comment.id,
        "post": comment.post.slug,
        "author_name": comment.author_name,
        "created_at": iso(comment.created_at),
        "age_hours": round(age.total_seconds() / 3600, 1),
        "overdue": comment.is_overdue(now, within),
        "flagged_for": [staff.name for staff in flagged_for],
    }


@comments_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "kind",
    type=click.Choice(["threads", "json"]),
    default="threads",
    show_default=True,
    help="threads: approved comments for the blog build to bake into pages."
    " json: everything (posts, comments in every state, staff, decisions), to restore"
    " with `import porch`; it holds email addresses.",
)
def export(path: Path, kind: str) -> None:
    """Write comments as JSON: for the blog build, or a full export."""
    if kind == "json":
        document = export_full(utcnow())
        write_json(path, document)
        click.echo(
            gettext(
                "Exported %(count)s comments (full export) to %(path)s.",
                count=len(document["comments"]),
                path=path,
            )
        )
        return
    document = export_document(utcnow())
    db.session.commit()  # the answer-time percentiles its figures kept
    write_json(path, document)
    total = sum(thread["count"] for thread in document["posts"].values())
    click.echo(
        gettext(
            "Exported %(count)s comments on %(posts)s posts to %(path)s.",
            count=total,
            posts=len(document["posts"]),
            path=path,
        )
    )


@comments_cli.command("purge-discarded")
@click.option("--days", type=click.IntRange(min=0), help="Default: PORCH_SPAM_PURGE_DAYS.")
def purge(days: int | None) -> None:
    """Delete blatant spam (Akismet's "discard") older than PORCH_SPAM_PURGE_DAYS; for cron."""
    if days is None:
        days = current_app.config["PORCH_SPAM_PURGE_DAYS"]
    deleted = spam_guard.purge_discarded(utcnow() - timedelta(days=days))
    db.session.commit()
    click.echo(
        gettext(
            "Deleted %(count)s discarded spam comments older than %(days)s days.",
            count=deleted,
            days=days,
        )
    )


@comments_cli.command("list")
@click.option("--status", required=True, type=click.Choice([s.value for s in CommentStatus]))
@click.option("--post", "slug", help="Only comments on the post with this slug.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of lines.")
def list_comments(status: str, slug: str | None, limit: int, as_json: bool) -> None:
    """Comments in one state, newest first."""
    query = select(Comment).where(Comment.status == CommentStatus(status))
    if slug:
        query = on_post(query, slug)
    query = query.order_by(Comment.created_at.desc(), Comment.id.desc()).limit(limit)
    comments = db.session.scalars(query).all()
    rows = [_listed_row(comment) for comment in comments]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=True))
        return
    for comment, row in zip(comments, rows, strict=True):
        when = utc_label(comment.created_at)
        echo_columns(f"#{row['id']}", when, row["post"], row["author_name"], row["text"])
    click.echo(f"{len(rows)} {status}.")


def _listed_row(comment: Comment) -> dict:
    first_line = comment.body_markdown.strip().split("\n")[0]
    return {
        "id": comment.id,
        "post": comment.post.slug,
        "status": comment.status.value,
        "author_name": comment.author_name,
        "staff": comment.staff.name if comment.staff else None,
        "created_at": iso(comment.created_at),
        "text": first_line if len(first_line) <= 80 else first_line[:79] + "…",
    }


# The decision commands; "ham" is not spam.
CLI_DECISIONS = {
    "approve": Action.APPROVE,
    "spam": Action.SPAM,
    "ham": Action.NOT_SPAM,
    "delete": Action.DELETE,
    "restore": Action.RESTORE,
}


def _decision_command(name: str, action: Action) -> None:
    done = DONE[RECORDED_AS[action]]

    @comments_cli.command(name, help=f"Comments by id {done}, all or none, in one transaction.")
    @click.argument("ids", nargs=-1, required=True, type=click.IntRange(1))
    @by_option
    def decide(ids: tuple[int, ...], by: str) -> None:
        staff = acting_staff_or_fail(by)
        comments = comments_or_fail(ids)
        try:
            readers = ReaderMail.for_app(current_app)
            moderation.decide_all(action, comments, staff, readers)
        except moderation.ModerationError as error:
            raise click.ClickException(gettext("Nothing was changed. %(why)s", why=error)) from None
        db.session.commit()
        spam_guard.teach(RECORDED_AS[action], comments, akismet.for_app(current_app))
        said = str(DONE[RECORDED_AS[action]])  # in the blog's language, now the app is here
        for comment in comments:
            echo_columns(f"#{comment.id}", comment.author_name, said)


for _name, _action in CLI_DECISIONS.items():
    _decision_command(_name, _action)


@comments_cli.command("reassign")
@click.argument("comment_id", type=click.IntRange(1))
@click.option(
    "--to",
    "to",
    required=True,
    metavar="EMAIL|NAME",
    help="The colleague to hand it to: their email address, or their exact name.",
)
@by_option
def reassign(comment_id: int, to: str, by: str) -> None:
    """Hand a waiting comment to a colleague: it becomes theirs, and they get an email."""
    (comment,) = comments_or_fail((comment_id,))
    colleague, giver = staff_or_fail(to), acting_staff_or_fail(by)
    try:
        assignment.reassign(
            comment,
            giver,
            colleague,
            urls=ServiceUrls.of(current_app),
            now=utcnow(),
            replies=ReplyAddresses.from_config(current_app.config),
        )
    except moderation.ModerationError as error:
        raise click.ClickException(gettext("Nothing was changed. %(why)s", why=error)) from None
    db.session.commit()
    handed = gettext("handed to %(name)s", name=colleague.name)
    echo_columns(f"#{comment.id}", comment.author_name, handed)
