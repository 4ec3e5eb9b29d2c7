"""Read the comments of an Isso database (Isso has no export; its SQLite file is it).

Threads are placed by their URI with the mapping rule of ``placement``. Isso's modes:
1 accepted, 2 waiting for moderation, 4 deleted (kept only as a "removed"
placeholder above replies). Isso stores Markdown, as Porch does.
"""

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask_babel import gettext

from comments_service.models import CommentStatus
from comments_service.services.imports.common import ImportFileError, Place, Source, StaffFinder

MODES = {1: CommentStatus.APPROVED, 2: CommentStatus.PENDING, 4: CommentStatus.DELETED}
QUERY = (
    "SELECT comments.id, comments.parent, comments.created, comments.mode,"
    " comments.remote_addr, comments.text, comments.author, comments.email,"
    " comments.website, threads.uri"
    " FROM comments JOIN threads ON threads.id = comments.tid ORDER BY comments.id"
)


@dataclass
class IssoDatabase:
    """An Isso database; each pass is a query of its own."""

    path: Path
    staff: StaffFinder
    notes: tuple = ()
    assumed: str = ""

    def comments(self) -> Iterator[Source]:
        return read_isso(self.path, self.staff)

    def settle(self, place: Place) -> tuple[Place, None]:
        return place, None


def read_isso(path: Path, staff: StaffFinder) -> Iterator[Source]:
    """Every comment of the database, opened read-only, one row at a time."""
    try:
        connection = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise ImportFileError(
            gettext("%(path)s cannot be opened as SQLite (%(why)s).", path=path, why=error)
        ) from None
    try:
        for row in connection.execute(QUERY):
            yield _record(row, staff)
    except sqlite3.DatabaseError as error:
        raise ImportFileError(
            gettext(
                "%(path)s is not an Isso database (%(why)s); give the comments.db Isso's"
                " [general] dbpath names.",
                path=path,
                why=error,
            )
        ) from None
    finally:
        connection.close()


def _record(row, staff: StaffFinder) -> Source:
    number, parent, created, mode, address, text, author, email, website, uri = row
    record = Source(
        id=str(number),
        parent_id=None if parent is None else str(parent),
        status=MODES.get(mode),
        created_at=datetime.fromtimestamp(created, UTC),
        author_name=author or "",
        body=text or "",
        url=uri,
        author_email=email,
        author_website=website,
        remote_addr=address,
        staff=staff.find(email) if email else None,
    )
    if record.status is None:
        record.skip = gettext("unknown mode %(mode)s", mode=mode)
    return record
