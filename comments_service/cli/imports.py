"""``flask --app comments_service import wordpress|disqus|isso|porch FILE``.

Each command is one transaction: everything is stored, or (on any error, or with
``--dry-run``) nothing is.
"""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext, ngettext
from sqlalchemy import select

from comments_service.enums import ImportSource
from comments_service.extensions import db
from comments_service.models import Staff
from comments_service.services.imports import full_export
from comments_service.services.imports.common import (
    Export,
    ImportFileError,
    ImportReport,
    StaffFinder,
    plan_import,
    store_planned,
)
from comments_service.services.imports.disqus import DisqusExport
from comments_service.services.imports.fields import DONE
from comments_service.services.imports.isso import IssoDatabase
from comments_service.services.imports.placement import MappingError, Placer, read_mapping
from comments_service.services.imports.wordpress import WordPressExport
from comments_service.words.characters import for_terminal
from comments_service.words.fields import Limits, Rule

import_cli = AppGroup("import", help="Bring comments from WordPress, Disqus, Isso or Porch.")
FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _common(command: Callable) -> Callable:
    command = click.option(
        "--dry-run", is_flag=True, help="Show what would be imported; change nothing."
    )(command)
    return click.option(
        "--map",
        "mapping",
        type=FILE,
        help="CSV of old slug, URL or path, and the Porch slug it moved to.",
    )(command)


@import_cli.command("wordpress")
@click.argument("path", type=FILE)
@click.option("--keep-pingbacks", is_flag=True, help="Import pingbacks and trackbacks too.")
@_common
def wordpress(path: Path, keep_pingbacks: bool, mapping: Path | None, dry_run: bool) -> None:
    """Import the comments of a WordPress export (WXR file)."""
    export = WordPressExport(_opener(path), _staff(), keep_pingbacks)
    _import(ImportSource.WORDPRESS, export, mapping, dry_run)


@import_cli.command("disqus")
@click.argument("path", type=FILE)
@_common
def disqus(path: Path, mapping: Path | None, dry_run: bool) -> None:
    """Import the comments of a Disqus export (XML file)."""
    _import(ImportSource.DISQUS, DisqusExport(_opener(path), _staff()), mapping, dry_run)


@import_cli.command("isso")
@click.argument("path", type=FILE)
@_common
def isso(path: Path, mapping: Path | None, dry_run: bool) -> None:
    """Import the comments of an Isso database (its comments.db)."""
    _import(ImportSource.ISSO, IssoDatabase(path, _staff()), mapping, dry_run)


@import_cli.command("porch")
@click.argument("path", type=FILE)
@click.option("--dry-run", is_flag=True, help="Check the file and count; change nothing.")
def porch(path: Path, dry_run: bool) -> None:
    """Restore a full Porch export (comments export --format json) into an empty database."""
    try:
        with open(path, "rb") as handle:
            document = full_export.load(handle)
        with _ticks(len(document["comments"]), gettext("Storing")) as tick:
            counts = full_export.restore(document, tick)
    except ImportFileError as error:
        db.session.rollback()
        raise click.ClickException(gettext("Nothing was imported. %(why)s", why=error)) from None
    summary = ", ".join(_restored(name, number) for name, number in counts.items())
    if dry_run:
        _finish(dry_run, gettext("Would import %(summary)s.", summary=summary))
    else:
        _finish(dry_run, gettext("Imported %(summary)s.", summary=summary))


# How many of each part of a full export were restored, in words.
RESTORED: dict[str, Callable[[int], str]] = {
    "staff accounts": lambda n: gettext("%(count)s staff accounts", count=n),
    "posts": lambda n: gettext("%(count)s posts", count=n),
    "comments": lambda n: gettext("%(count)s comments", count=n),
    "moderation actions": lambda n: gettext("%(count)s moderation actions", count=n),
    "subscriptions": lambda n: gettext("%(count)s subscriptions", count=n),
    "blocklist entries": lambda n: gettext("%(count)s blocklist entries", count=n),
    "saved replies": lambda n: gettext("%(count)s saved replies", count=n),
}


def _restored(name: str, number: int) -> str:
    said = RESTORED.get(name)
    return said(number) if said else f"{number} {name}"


def _staff() -> StaffFinder:
    return StaffFinder(db.session.scalars(select(Staff)).all())


def _import(source: ImportSource, export: Export, mapping: Path | None, dry_run: bool) -> None:
    """Two passes over the file: what to store (``Reading``), then storing it."""
    try:
        placer = Placer(read_mapping(mapping) if mapping else None)
        plan = plan_import(export, source, placer, _limits(export.staff))
        with _ticks(len(plan), gettext("Storing")) as tick:
            store_planned(export, plan, source, tick)
    except (ImportFileError, MappingError) as error:
        db.session.rollback()
        raise click.ClickException(gettext("Nothing was imported. %(why)s", why=error)) from None
    report = plan.report
    for note in export.notes:
        click.echo(for_terminal(note))
    if dry_run:
        _details(report)
    else:
        _refusals(report)
    _changes(report)
    _finish(dry_run, " ".join(filter(None, [_summary(report, dry_run), export.assumed])))


def _limits(staff: StaffFinder) -> Limits:
    """The field rules of the API: the same lengths, the same staff names."""
    config = current_app.config
    return Limits(
        config["PORCH_MAX_COMMENT_CHARS"], config["PORCH_MAX_NAME_CHARS"], staff.reads_as_staff
    )


def _finish(dry_run: bool, summary: str) -> None:
    if dry_run:
        db.session.rollback()
        click.echo(gettext("Dry run, nothing was changed. %(summary)s", summary=summary))
    else:
        db.session.commit()
        click.echo(summary)


def _details(report: ImportReport) -> None:
    for slug, number in sorted(report.per_post.items()):
        click.echo(for_terminal(f"  {slug}: {_comments(number)}"))
    for source_id, old_post, reason in report.unplaced:
        if old_post:
            line = gettext(
                "not placed: comment %(id)s (%(post)s): %(reason)s",
                id=source_id,
                post=old_post,
                reason=reason,
            )
        else:
            line = gettext("not placed: comment %(id)s: %(reason)s", id=source_id, reason=reason)
        click.echo(for_terminal(f"  {line}"))


def _refusals(report: ImportReport) -> None:
    """Comments left out for their text, by id (a dry run lists every one left out)."""
    rules = {rule.value for rule in Rule}
    for source_id, old_post, reason in report.unplaced:
        if reason not in rules:
            continue
        if old_post:
            line = gettext(
                "refused: comment %(id)s (%(post)s): %(reason)s",
                id=source_id,
                post=old_post,
                reason=reason,
            )
        else:
            line = gettext("refused: comment %(id)s: %(reason)s", id=source_id, reason=reason)
        click.echo(for_terminal(f"  {line}"))


def _changes(report: ImportReport) -> None:
    for source_id, rule in report.changes:
        line = gettext(
            "changed: comment %(id)s: %(rule)s, %(done)s",
            id=source_id,
            rule=rule.value,
            done=DONE[rule],
        )
        click.echo(for_terminal(f"  {line}"))


def _summary(report: ImportReport, dry_run: bool) -> str:
    placed = sum(report.placed.values())
    statuses = ", ".join(f"{n} {status}" for status, n in sorted(report.placed.items()))
    values = {"statuses": statuses or gettext("none"), "posts": len(report.per_post)}
    if dry_run:
        text = ngettext(
            "Would place %(num)s comment (%(statuses)s) on %(posts)s posts.",
            "Would place %(num)s comments (%(statuses)s) on %(posts)s posts.",
            placed,
            **values,
        )
    else:
        text = ngettext(
            "Placed %(num)s comment (%(statuses)s) on %(posts)s posts.",
            "Placed %(num)s comments (%(statuses)s) on %(posts)s posts.",
            placed,
            **values,
        )
    sentences = [text]
    skipped = sum(report.skipped.values())
    reasons = "; ".join(f"{n} {why}" for why, n in report.skipped.most_common())
    if reasons:
        sentences.append(gettext("Skipped %(count)s: %(reasons)s.", count=skipped, reasons=reasons))
    else:
        sentences.append(gettext("Skipped %(count)s.", count=skipped))
    if report.mended:
        mends = "; ".join(
            f"{n} {rule.value}, {DONE[rule]}" for rule, n in report.mended.most_common()
        )
        changed = sum(report.mended.values())
        sentences.append(
            gettext("Changed %(count)s fields: %(mends)s.", count=changed, mends=mends)
        )
    return " ".join(sentences)


def _comments(number: int) -> str:
    return ngettext("%(num)s comment", "%(num)s comments", number)


def _opener(path: Path) -> Callable:
    """Opens the file for each pass; the first, which reads it all, shows its progress."""
    passes = iter([_progress])
    return lambda: next(passes, partial(open, mode="rb"))(path)


@contextmanager
def _progress(path: Path) -> Iterator:
    """The file, with a progress bar by bytes read when a person watches a terminal."""
    with open(path, "rb") as handle:
        if not sys.stdout.isatty():
            yield handle
            return
        with click.progressbar(length=path.stat().st_size, label=gettext("Reading")) as bar:
            yield _CountingReader(handle, bar.update)


@contextmanager
def _ticks(length: int, label: str) -> Iterator[Callable[[], None] | None]:
    if not sys.stdout.isatty():
        yield None
        return
    with click.progressbar(length=length, label=label) as bar:
        yield lambda: bar.update(1)


class _CountingReader:
    """A binary file that reports how many bytes each read took."""

    def __init__(self, handle, advance: Callable[[int], None]):
        self.handle, self.advance = handle, advance

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.advance(len(data))
        return data
