"""What the operator commands share: columns, and finding comments and staff or failing."""

import json
import os
import tempfile
from pathlib import Path

import click
from flask_babel import gettext
from sqlalchemy import select

from comments_service.extensions import db
from comments_service.models import Comment, Staff
from comments_service.services.accounts import staff as accounts
from comments_service.words.characters import for_terminal


def staff_or_fail(who: str) -> Staff:
    """The staff account with this email address (in any case) or exact name."""
    found = accounts.staff_known_as(who)
    if not found:
        raise click.ClickException(
            gettext(
                "No staff account with the email address or name %(who)s (see: staff list).",
                who=repr(who),
            )
        )
    if len(found) > 1:
        raise click.ClickException(
            gettext("%(who)s names more than one staff account: use the email.", who=repr(who))
        )
    return found[0]


def acting_staff_or_fail(who: str) -> Staff:
    """The staff member a command acts for (``--by``): known, and able to sign in."""
    staff = staff_or_fail(who)
    if not staff.active:
        raise click.ClickException(
            gettext(
                "%(name)s (%(who)s) is deactivated and acts no more (see: staff reactivate).",
                name=staff.name,
                who=repr(who),
            )
        )
    return staff


def by_option(command):
    """``--by``: who does what a command does, kept in the audit trail; the same for every
    command."""
    return click.option(
        "--by",
        "by",
        required=True,
        metavar="EMAIL|NAME",
        help="The staff member doing it: their email address, or their exact name.",
    )(command)


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
        numbers = ", ".join(map(str, missing))
        raise click.ClickException(gettext("No comment numbered %(numbers)s.", numbers=numbers))
    return sorted(comments, key=lambda comment: comment.id)
