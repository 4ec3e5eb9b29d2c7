"""flask posts sync: load the blog's posts manifest."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext

from comments_service.config import comment_paging
from comments_service.extensions import db
from comments_service.services.site.manifest import (
    ManifestError,
    accountless_authors,
    load_manifest,
    sync_posts,
)
from comments_service.words.characters import for_terminal

posts_cli = AppGroup("posts", help="Posts the blog has published.")


@posts_cli.command("sync")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def sync(path: Path) -> None:
    """Load the posts manifest the blog build wrote (e.g. output/porch-manifest.json)."""
    try:
        entries = load_manifest(path, *comment_paging(current_app.config))
    except ManifestError as error:
        raise click.ClickException(str(error)) from None
    report = sync_posts(entries)
    db.session.commit()
    for warning in accountless_authors(entries):
        click.echo(for_terminal(gettext("Warning: %(warning)s", warning=warning)), err=True)
    click.echo(
        gettext(
            "%(new)s new, %(updated)s updated, %(unchanged)s unchanged posts.",
            new=len(report.created),
            updated=len(report.updated),
            unchanged=len(report.unchanged),
        )
    )
    if report.not_in_manifest:
        names = ", ".join(report.not_in_manifest)
        kept = gettext(
            "Kept (no longer in the manifest, comments preserved): %(slugs)s", slugs=names
        )
        click.echo(for_terminal(kept))
