"""flask blocklist add|remove|list: what sends new reader comments to Held or Spam."""

import json
from contextlib import contextmanager

import click
from flask.cli import AppGroup
from flask_babel import gettext

from comments_service.cli.common import acting_staff_or_fail, echo_columns
from comments_service.enums import BlockKind, BlockList
from comments_service.extensions import db
from comments_service.models import Staff
from comments_service.services.spam import blocklist
from comments_service.words.characters import for_terminal

blocklist_cli = AppGroup(
    "blocklist", help="Words, emails, domains and IP ranges that send comments to Held or Spam."
)
KINDS = click.Choice([kind.value for kind in BlockKind])
LISTS = click.Choice([to.value for to in BlockList])


@blocklist_cli.command("add")
@click.argument("kind", type=KINDS)
@click.argument("value")
@click.option("--to", "to", type=LISTS, required=True, help="The list: held or spam.")
@click.option(
    "--by",
    metavar="EMAIL|NAME",
    help="The staff member adding it: their email address, or exact name.",
)
def add(kind: str, value: str, to: str, by: str | None) -> None:
    """Send new reader comments matching VALUE to Held or Spam (an entry on the other
    list moves). KIND is email, domain, ip (an address or a range: 203.0.113.0/24,
    2001:db8::/48) or word (a whole word or phrase)."""
    with _refusals():
        added = blocklist.add(BlockKind(kind), value, BlockList(to), _staff(by))
    db.session.commit()
    click.echo(for_terminal(str(added)))


@blocklist_cli.command("remove")
@click.argument("kind", type=KINDS)
@click.argument("value")
def remove(kind: str, value: str) -> None:
    """Take VALUE off whichever list it is on."""
    with _refusals():
        entry = blocklist.remove(BlockKind(kind), value)
    if entry is None:
        raise click.ClickException(
            gettext(
                "No %(kind)s %(value)s on either list (see: blocklist list).",
                kind=kind,
                value=repr(value),
            )
        )
    db.session.commit()
    removed = gettext(
        "Removed %(kind)s %(value)s from the %(list)s list.",
        kind=entry.kind.value,
        value=entry.value,
        list=entry.sends_to.value,
    )
    click.echo(for_terminal(removed))


@blocklist_cli.command("list")
@click.option("--to", "to", type=LISTS, help="Only this list.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of columns.")
def list_entries(to: str | None, as_json: bool) -> None:
    """Every entry: list, kind, value, who added it and when (UTC)."""
    entries = blocklist.entries(BlockList(to) if to else None)
    rows = [_row(entry) for entry in entries]
    if as_json:
        click.echo(json.dumps({"entries": rows}, indent=2, ensure_ascii=True))
        return
    for row in rows:
        echo_columns(row["to"], row["kind"], row["value"], row["added_by"] or "-", row["added_at"])


def _row(entry) -> dict:
    return {
        "to": entry.sends_to.value,
        "kind": entry.kind.value,
        "value": entry.value,
        "added_by": entry.added_by.name if entry.added_by else None,
        "added_at": entry.added_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def _staff(by: str | None) -> Staff | None:
    if by is None:
        return None
    return acting_staff_or_fail(by)


@contextmanager
def _refusals():
    """A value that cannot be an entry ends the command with its reason, nothing stored."""
    try:
        yield
    except blocklist.NotAnEntry as error:
        raise click.ClickException(str(error)) from None
