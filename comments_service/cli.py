"""Operator commands: ``flask --app comments_service staff|posts|comments|mail ...``."""

import json
import os
import sys
import tempfile
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from .config import answer_within, escalate_after
from .enums import CommentStatus, Decision
from .extensions import db
from .models import Comment, Role, Staff, utcnow
from .queries import flagged_by_comment, on_post, staff_by_name, unanswered, unanswered_for
from .services import akismet, assignment, moderation
from .services import spam as spam_guard
from .services import staff as accounts
from .services.full_export import export_full
from .services.manifest import ManifestError, accountless_authors, load_manifest, sync_posts
from .services.subscriptions import ReaderMail
from .services.text import for_terminal
from .services.threads import export_document, iso

staff_cli = AppGroup("staff", help="Staff accounts (authors and admins).")
posts_cli = AppGroup("posts", help="Posts the blog has published.")
comments_cli = AppGroup("comments", help="Reader comments.")


def register(app) -> None:
    from . import listening_cli  # noqa: F401  (adds its commands to the comments group)
    from .import_cli import import_cli
    from .mail_cli import mail_cli
    from .people_cli import people_cli
    from .rebaking import rebake_command
    from .report_cli import report
    from .stats_cli import stats

    groups = (staff_cli, posts_cli, comments_cli, mail_cli, import_cli, people_cli, stats, report)
    for group in (*groups, rebake_command):
        app.cli.add_command(group)


@staff_cli.command("add")
@click.argument("name")
@click.option("--email", required=True, help="Sign-in address; never shown publicly.")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.AUTHOR.value)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def add_staff(name: str, email: str, role: str, password_stdin: bool) -> None:
    """Create a staff account. NAME must match the Pelican author name exactly."""
    with _staff_errors():
        staff = accounts.add_staff(name, email, Role(role), _new_password(password_stdin))
    db.session.commit()
    click.echo(for_terminal(f"Added {role} {staff.name} <{staff.email}>."))


@staff_cli.command("set-password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def set_password(name: str, password_stdin: bool) -> None:
    """Give a staff account a new password; its open sessions end."""
    staff = _staff_or_fail(name)
    with _staff_errors():
        accounts.set_password(staff, _new_password(password_stdin))
    db.session.commit()
    click.echo(for_terminal(f"New password set for {staff.name}."))


@staff_cli.command("deactivate")
@click.argument("name")
def deactivate(name: str) -> None:
    """Stop an account from signing in and end its sessions; its answers stay published."""
    staff = _staff_or_fail(name)
    accounts.deactivate(staff)
    db.session.commit()
    click.echo(for_terminal(f"{staff.name} can no longer sign in."))


@staff_cli.command("reactivate")
@click.argument("name")
def reactivate(name: str) -> None:
    """Let a deactivated account sign in again."""
    staff = _staff_or_fail(name)
    accounts.reactivate(staff)
    db.session.commit()
    click.echo(for_terminal(f"{staff.name} can sign in again."))


def _new_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@contextmanager
def _staff_errors():
    try:
        yield
    except accounts.StaffError as error:
        raise click.ClickException(str(error)) from None


def _staff_or_fail(name: str) -> Staff:
    staff = staff_by_name(name)
    if staff is None:
        raise click.ClickException(f"No staff account named {name!r} (see: staff list).")
    return staff


@staff_cli.command("list")
def list_staff() -> None:
    """List staff accounts."""
    for staff in db.session.scalars(select(Staff).order_by(Staff.name)):
        state = "" if staff.active else " (inactive)"
        echo_columns(staff.name, staff.email, f"{staff.role.value}{state}")


@posts_cli.command("sync")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def sync(path: Path) -> None:
    """Load the posts manifest the blog build wrote (e.g. output/porch-manifest.json)."""
    try:
        entries = load_manifest(path)
    except ManifestError as error:
        raise click.ClickException(str(error)) from None
    report = sync_posts(entries)
    db.session.commit()
    for warning in accountless_authors(entries):
        click.echo(for_terminal(f"Warning: {warning}"), err=True)
    click.echo(
        f"{len(report.created)} new, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged posts."
    )
    if report.not_in_manifest:
        names = ", ".join(report.not_in_manifest)
        click.echo(for_terminal(f"Kept (no longer in the manifest, comments preserved): {names}"))


@comments_cli.command("waiting")
@click.option("--author", help="Only what is waiting for this staff member.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of lines.")
def waiting(author: str | None, as_json: bool) -> None:
    """Reader comments waiting for an answer, oldest first."""
    now = utcnow()
    query = unanswered_for(_staff_or_fail(author), now) if author else unanswered()
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
    for row in rows:
        mark = " OVERDUE" if row["overdue"] else ""
        flagged = ", ".join(row["flagged_for"]) or "-"
        echo_columns(
            f"#{row['id']}",
            f"{row['age_hours']}h{mark}",
            row["post"],
            row["author_name"],
            f"for: {flagged}",
        )
    click.echo(f"{len(rows)} waiting.")


def echo_columns(*columns: str) -> None:
    """One tab-separated line; what readers wrote cannot recolour or rewrite the terminal."""
    click.echo("\t".join(for_terminal(column) for column in columns))


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
        _write_json(path, document)
        click.echo(f"Exported {len(document['comments'])} comments (full export) to {path}.")
        return
    document = export_document(utcnow())
    _write_json(path, document)
    total = sum(thread["count"] for thread in document["posts"].values())
    click.echo(f"Exported {total} comments on {len(document['posts'])} posts to {path}.")


def _write_json(path: Path, document: dict) -> None:
    """Write beside the target and rename, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".export-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(document, handle, ensure_ascii=False, indent=1)
    os.replace(temporary, path)


@comments_cli.command("purge-discarded")
@click.option("--days", type=click.IntRange(min=0), help="Default: PORCH_SPAM_PURGE_DAYS.")
def purge(days: int | None) -> None:
    """Delete blatant spam (Akismet's "discard") older than PORCH_SPAM_PURGE_DAYS; for cron."""
    if days is None:
        days = current_app.config["PORCH_SPAM_PURGE_DAYS"]
    deleted = spam_guard.purge_discarded(utcnow() - timedelta(days=days))
    db.session.commit()
    click.echo(f"Deleted {deleted} discarded spam comments older than {days} days.")


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
    rows = [_listed_row(comment) for comment in db.session.scalars(query)]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=True))
        return
    for row in rows:
        echo_columns(
            f"#{row['id']}", row["created_at"], row["post"], row["author_name"], row["text"]
        )
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


CLI_DECISIONS = {
    "approve": (Decision.APPROVE, "approved"),
    "spam": (Decision.SPAM, "marked as spam"),
    "ham": (Decision.NOT_SPAM, "taken out of spam"),
    "delete": (Decision.DELETE, "deleted"),
    "restore": (Decision.RESTORE, "restored"),
}


def _decision_command(name: str, decision: Decision, done: str) -> None:
    @comments_cli.command(name, help=f"Comments by id {done}, all or none, in one transaction.")
    @click.argument("ids", nargs=-1, required=True, type=click.IntRange(1))
    @click.option("--by", "by", required=True, help="The staff member taking the decision.")
    def decide(ids: tuple[int, ...], by: str) -> None:
        staff = _staff_or_fail(by)
        comments = comments_or_fail(ids)
        try:
            readers = ReaderMail.from_config(current_app.config)
            moderation.decide_all(decision, comments, staff, readers)
        except moderation.ModerationError as error:
            raise click.ClickException(f"Nothing was changed. {error}") from None
        db.session.commit()
        spam_guard.teach(decision, comments, akismet.for_app(current_app))
        for comment in comments:
            echo_columns(f"#{comment.id}", comment.author_name, done)


for _name, (_decision, _done) in CLI_DECISIONS.items():
    _decision_command(_name, _decision, _done)


def comments_or_fail(ids: tuple[int, ...]) -> list[Comment]:
    comments = db.session.scalars(select(Comment).where(Comment.id.in_(ids))).all()
    missing = sorted(set(ids) - {comment.id for comment in comments})
    if missing:
        raise click.ClickException(f"No comment numbered {', '.join(map(str, missing))}.")
    return sorted(comments, key=lambda comment: comment.id)


@comments_cli.command("reassign")
@click.argument("comment_id", type=click.IntRange(1))
@click.option("--to", "to", required=True, help="Email address of the colleague to hand it to.")
@click.option("--by", "by", required=True, help="Email address of the staff member handing it on.")
def reassign(comment_id: int, to: str, by: str) -> None:
    """Hand a waiting comment to a colleague: it becomes theirs, and they get an email."""
    (comment,) = comments_or_fail((comment_id,))
    colleague, giver = staff_by_email_or_fail(to), staff_by_email_or_fail(by)
    try:
        assignment.reassign(
            comment,
            giver,
            colleague,
            public_url=current_app.config["PORCH_PUBLIC_URL"],
            now=utcnow(),
        )
    except moderation.ModerationError as error:
        raise click.ClickException(f"Nothing was changed. {error}") from None
    db.session.commit()
    echo_columns(f"#{comment.id}", comment.author_name, f"handed to {colleague.name}")


def staff_by_email_or_fail(email: str) -> Staff:
    staff = accounts.staff_by_email(email)
    if staff is None:
        raise click.ClickException(
            f"No staff account with the address {email!r} (see: staff list)."
        )
    return staff
