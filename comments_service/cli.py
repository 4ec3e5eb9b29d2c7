"""Operator commands: ``flask --app comments_service staff|posts|comments ...``."""

import json
import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .extensions import db
from .models import Role, Staff, utcnow
from .queries import flagged_staff, is_overdue, staff_by_name, unanswered, unanswered_for
from .services.manifest import ManifestError, load_manifest, sync_posts
from .services.passwords import MIN_LENGTH, hash_password
from .services.threads import count_nodes, export_document, iso

staff_cli = AppGroup("staff", help="Staff accounts (authors and admins).")
posts_cli = AppGroup("posts", help="Posts the blog has published.")
comments_cli = AppGroup("comments", help="Reader comments.")


def register(app) -> None:
    for group in (staff_cli, posts_cli, comments_cli):
        app.cli.add_command(group)


@staff_cli.command("add")
@click.argument("name")
@click.option("--email", required=True, help="Sign-in address; never shown publicly.")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.AUTHOR.value)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def add_staff(name: str, email: str, role: str, password_stdin: bool) -> None:
    """Create a staff account. NAME must match the Pelican author name exactly."""
    staff = Staff(name=name.strip(), email=email.strip().lower(), role=Role(role))
    staff.password_hash = hash_password(_new_password(password_stdin))
    db.session.add(staff)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise click.ClickException(f"A staff account named {name!r} or {email!r} exists.") from None
    click.echo(f"Added {role} {staff.name} <{staff.email}>.")


@staff_cli.command("set-password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def set_password(name: str, password_stdin: bool) -> None:
    """Give a staff account a new password."""
    staff = _staff_or_fail(name)
    staff.password_hash = hash_password(_new_password(password_stdin))
    db.session.commit()
    click.echo(f"New password set for {staff.name}.")


@staff_cli.command("deactivate")
@click.argument("name")
def deactivate(name: str) -> None:
    """Stop an account from signing in; its answers stay published under its name."""
    staff = _staff_or_fail(name)
    staff.active = False
    db.session.commit()
    click.echo(f"{staff.name} can no longer sign in.")


def _new_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_LENGTH:
        raise click.ClickException(f"The password needs at least {MIN_LENGTH} characters.")
    return password


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
        click.echo(f"{staff.name}\t{staff.email}\t{staff.role.value}{state}")


@posts_cli.command("sync")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def sync(path: Path) -> None:
    """Load the posts manifest the blog build wrote (e.g. output/porch-manifest.json)."""
    try:
        report = sync_posts(load_manifest(path))
    except ManifestError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"{len(report.created)} new, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged posts."
    )
    if report.not_in_manifest:
        names = ", ".join(report.not_in_manifest)
        click.echo(f"Kept (no longer in the manifest, comments preserved): {names}")


@comments_cli.command("waiting")
@click.option("--author", help="Only what is waiting for this staff member.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of lines.")
def waiting(author: str | None, as_json: bool) -> None:
    """Reader comments waiting for an answer, oldest first."""
    query = unanswered()
    if author:
        query = unanswered_for(_staff_or_fail(author))
    now = utcnow()
    within = timedelta(hours=current_app.config["PORCH_ANSWER_WITHIN_HOURS"])
    rows = [_waiting_row(comment, now, within) for comment in db.session.scalars(query)]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        mark = " OVERDUE" if row["overdue"] else ""
        click.echo(
            f"#{row['id']}\t{row['age_hours']}h{mark}\t{row['post']}\t{row['author_name']}\t"
            f"for: {', '.join(row['flagged_for']) or '-'}"
        )
    click.echo(f"{len(rows)} waiting.")


def _waiting_row(comment, now, within) -> dict:
    age = now - comment.created_at
    return {
        "id": comment.id,
        "post": comment.post.slug,
        "author_name": comment.author_name,
        "created_at": iso(comment.created_at),
        "age_hours": round(age.total_seconds() / 3600, 1),
        "overdue": is_overdue(comment, now, within),
        "flagged_for": [staff.name for staff in flagged_staff(comment.post)],
    }


@comments_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def export(path: Path) -> None:
    """Write approved comments as JSON for the blog build to bake into pages."""
    document = export_document(utcnow())
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write beside the target and rename, so a build never reads half a file.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".export-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(document, handle, ensure_ascii=False, indent=1)
    os.replace(temporary, path)
    total = sum(count_nodes(nodes) for nodes in document["posts"].values())
    click.echo(f"Exported {total} comments on {len(document['posts'])} posts to {path}.")
