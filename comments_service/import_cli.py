"""``flask --app comments_service import wordpress|disqus|isso|porch FILE``.

Each command is one transaction: everything is stored, or (on any error, or with
``--dry-run``) nothing is.
"""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from .extensions import db
from .models import Staff
from .services import full_export
from .services.import_disqus import read_disqus
from .services.import_isso import read_isso
from .services.import_wordpress import read_wordpress
from .services.importing import ImportFileError, ImportReport, StaffFinder, import_records
from .services.placement import MappingError, Placer, read_mapping
from .services.text import for_terminal

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

    def read(staff):
        with _progress(path) as stream:
            return read_wordpress(stream, staff, keep_pingbacks), []

    _import("wordpress", read, mapping, dry_run)


@import_cli.command("disqus")
@click.argument("path", type=FILE)
@_common
def disqus(path: Path, mapping: Path | None, dry_run: bool) -> None:
    """Import the comments of a Disqus export (XML file)."""

    def read(staff):
        with _progress(path) as stream:
            reading = read_disqus(stream, staff)
        return reading.records, reading.notes

    _import("disqus", read, mapping, dry_run)


@import_cli.command("isso")
@click.argument("path", type=FILE)
@_common
def isso(path: Path, mapping: Path | None, dry_run: bool) -> None:
    """Import the comments of an Isso database (its comments.db)."""
    _import("isso", lambda staff: (read_isso(path, staff), []), mapping, dry_run)


@import_cli.command("porch")
@click.argument("path", type=FILE)
@click.option("--dry-run", is_flag=True, help="Check the file and count; change nothing.")
def porch(path: Path, dry_run: bool) -> None:
    """Restore a full Porch export (comments export --format json) into an empty database."""
    try:
        with open(path, "rb") as handle:
            document = full_export.load(handle)
        with _ticks(len(document["comments"]), "Storing") as tick:
            counts = full_export.restore(document, tick)
    except ImportFileError as error:
        db.session.rollback()
        raise click.ClickException(f"Nothing was imported. {error}") from None
    summary = ", ".join(f"{number} {name}" for name, number in counts.items())
    _finish(dry_run, f"{'Would import' if dry_run else 'Imported'} {summary}.")


def _import(source: str, read, mapping: Path | None, dry_run: bool) -> None:
    try:
        placer = Placer(read_mapping(mapping) if mapping else None)
        records, notes = read(StaffFinder(db.session.scalars(select(Staff)).all()))
        with _ticks(len(records), "Storing") as tick:
            report = import_records(records, source, placer, tick)
    except (ImportFileError, MappingError) as error:
        db.session.rollback()
        raise click.ClickException(f"Nothing was imported. {error}") from None
    for note in notes:
        click.echo(for_terminal(note))
    if dry_run:
        _details(report)
    _finish(dry_run, _summary(report, dry_run))


def _finish(dry_run: bool, summary: str) -> None:
    if dry_run:
        db.session.rollback()
        click.echo(f"Dry run, nothing was changed. {summary}")
    else:
        db.session.commit()
        click.echo(summary)


def _details(report: ImportReport) -> None:
    for slug, number in sorted(report.per_post.items()):
        click.echo(for_terminal(f"  {slug}: {_comments(number)}"))
    for source_id, old_post, reason in report.unplaced:
        where = f" ({old_post})" if old_post else ""
        click.echo(for_terminal(f"  not placed: comment {source_id}{where}: {reason}"))


def _summary(report: ImportReport, dry_run: bool) -> str:
    placed = sum(report.placed.values())
    statuses = ", ".join(f"{n} {status}" for status, n in sorted(report.placed.items()))
    verb = "Would place" if dry_run else "Placed"
    text = f"{verb} {_comments(placed)} ({statuses or 'none'}) on {len(report.per_post)} posts."
    skipped = sum(report.skipped.values())
    reasons = "; ".join(f"{n} {why}" for why, n in report.skipped.most_common())
    return f"{text} Skipped {skipped}" + (f": {reasons}." if reasons else ".")


def _comments(number: int) -> str:
    return f"{number} comment" if number == 1 else f"{number} comments"


@contextmanager
def _progress(path: Path) -> Iterator:
    """The file, with a progress bar by bytes read when a person watches a terminal."""
    with open(path, "rb") as handle:
        if not sys.stdout.isatty():
            yield handle
            return
        with click.progressbar(length=path.stat().st_size, label="Reading") as bar:
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
