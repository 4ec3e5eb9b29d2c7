"""What the operator commands share: columns, and finding comments and staff or failing."""

import json
import os
import tempfile
from pathlib import Path

import click
from sqlalchemy import select

from comments_service.extensions import db
from comments_service.models import Comment, Staff
from comments_service.queries.care import staff_by_name
from comments_service.services.accounts import staff as accounts
from comments_service.words.characters import for_terminal


def staff_or_fail(name: str) -> Staff:
    staff = staff_by_name(name)
    if staff is None:
        raise click.ClickException(f"No staff account named {name!r} (see: staff list).")
    return staff


def echo_columns(*columns: str) -> None:
    """One tab-separated line; what readers wrote cannot recolour or rewrite the terminal."""
    click.echo("\t".join(for_terminal(column) for column in columns))


def write_json(path: Path, document: dict) -> None:
    """Write beside the target and rename, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".export-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(document, handle, ensure_ascii=False, indent=1)
    os.replace(temporary, path)


def comments_or_fail(ids: tuple[int, ...]) -> list[Comment]:
    comments = db.session.scalars(select(Comment).where(Comment.id.in_(ids))).all()
    missing = sorted(set(ids) - {comment.id for comment in comments})
    if missing:
        raise click.ClickException(f"No comment numbered {', '.join(map(str, missing))}.")
    return sorted(comments, key=lambda comment: comment.id)


def staff_by_email_or_fail(email: str) -> Staff:
    staff = accounts.staff_by_email(email)
    if staff is None:
        raise click.ClickException(
            f"No staff account with the address {email!r} (see: staff list)."
        )
    return staff
