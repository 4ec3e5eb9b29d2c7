"""``flask --app comments_service people export|forget EMAIL``: readers' data requests;
``people prune-addresses``: what comments came with is kept in full only so long.

Each command is one transaction; ``forget --dry-run`` shows what would go and
changes nothing.
"""

import json

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext

from comments_service.config import address_retention
from comments_service.extensions import db
from comments_service.models import utcnow
from comments_service.services.privacy import people, retention
from comments_service.words.characters import for_terminal

people_cli = AppGroup("people", help="What is kept about a reader's address; erase it.")


@people_cli.command("export")
@click.argument("email")
def export(email: str) -> None:
    """Print, as JSON, everything stored about EMAIL (any case)."""
    document = people.export_person(email, utcnow())
    click.echo(json.dumps(document, indent=2, ensure_ascii=True))


@people_cli.command("forget")
@click.argument("email")
@click.option("--dry-run", is_flag=True, help="Show what would be erased; change nothing.")
def forget(email: str, dry_run: bool) -> None:
    """Erase EMAIL's comments, subscriptions and unsent mail (any case)."""
    try:
        erasure = people.plan_erasure(email)
    except people.StaffAddress as error:
        raise click.ClickException(str(error)) from None
    for line in _summary(erasure):
        click.echo(line)
    if dry_run:
        db.session.rollback()
        click.echo(gettext("Dry run: nothing was changed."))
        return
    people.apply_erasure(erasure, utcnow())
    db.session.commit()
    if erasure.is_empty:
        click.echo(gettext("Nothing is kept under that address."))
    else:
        click.echo(gettext("Erased."))


def _summary(erasure: people.Erasure) -> list[str]:
    def ids(comments):
        numbers = ", ".join(str(c.id) for c in sorted(comments, key=lambda c: c.id))
        return numbers or gettext("none")

    address = gettext("yes") if erasure.address else gettext("no")
    return [
        gettext("Address: %(email)s", email=for_terminal(erasure.email)),
        gettext("Comments kept as placeholders for their replies: %(ids)s", ids=ids(erasure.kept)),
        gettext("Comments deleted (nothing beneath them): %(ids)s", ids=ids(erasure.gone)),
        gettext(
            "Subscriptions deleted: %(count)s; address row deleted: %(address)s",
            count=len(erasure.subscriptions),
            address=address,
        ),
        gettext("Unsent mail to the address deleted: %(count)s", count=len(erasure.mail_deleted)),
        gettext("Other mail about them blanked: %(count)s", count=len(erasure.mail_blanked)),
    ]


@people_cli.command("prune-addresses")
def prune_addresses() -> None:
    """Cut comments' addresses to networks and drop their user agents, and forget who
    sent mail that published nothing, after PORCH_ADDRESS_RETENTION_DAYS (`flask worker`
    does it too, hourly)."""
    before = utcnow() - address_retention(current_app.config)
    changed = retention.prune_addresses(before)
    forgotten = retention.forget_unpublished_senders(before)
    db.session.commit()
    click.echo(
        gettext(
            "%(count)s comments kept their address's network only, and no user agent.",
            count=changed,
        )
    )
    click.echo(
        gettext(
            "%(count)s received messages that published nothing forgot their sender.",
            count=forgotten,
        )
    )
