"""What every reader's post is checked against and staff seldom change, kept per process:
the staff's name skeletons and the blocklists' entries.

A copy is read again only when its revision moved: a row of ``revisions`` that database
triggers raise with every write to the staff's names or to the blocklists (migration
0032), in the writer's transaction, whichever process or command wrote. A post reads
the revisions instead of the tables, once in its transaction, with the post itself
(``with_revisions``). The revision is read before the table, so a copy is
never older than the revision it is kept under: a write in between makes it newer, and
the next read finds the revision moved and reads again.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import Connection, Select, event, select
from sqlalchemy.orm import Session

from comments_service.extensions import db
from comments_service.models import BlocklistEntry, Revision, Staff
from comments_service.words.names import readings

# Built once: asked on every post.
REVISIONS = select(Revision.name, Revision.value)
STAFF_SKELETONS = select(Staff.name_skeleton).where(Staff.name_skeleton != "")
BLOCKLIST = select(BlocklistEntry.kind, BlocklistEntry.value, BlocklistEntry.sends_to).order_by(
    BlocklistEntry.kind, BlocklistEntry.value
)
REVISION_NAMES = (Revision.STAFF_NAMES, Revision.BLOCKLISTS)
KEPT = "porch_seldom_changed"
READ_IN_TRANSACTION = "porch_revisions"


@dataclass(frozen=True)
class _Copy:
    revision: int
    value: Any


def reads_as_staff(name: str) -> bool:
    """Whether any reading of a name (words/names.py) is a staff member's skeleton.

    A name that reads as nothing (only punctuation) reserves nothing.
    """
    skeletons = _current(Revision.STAFF_NAMES, _skeletons)
    return not skeletons.isdisjoint(readings(name))


def blocklist_rows() -> tuple:
    """Every blocklist entry as (kind, value, sends_to), by kind then value."""
    return _current(Revision.BLOCKLISTS, lambda connection: tuple(connection.execute(BLOCKLIST)))


def _skeletons(connection: Connection) -> frozenset[str]:
    return frozenset(connection.scalars(STAFF_SKELETONS))


def _current(name: str, read: Callable[[Connection], Any]):
    """This process's copy, read again if its revision moved, in the session's
    transaction. Kept per app (each app has its own database); threads that read at
    once each read, the last one kept."""
    revision = _revisions(db.session).get(name, 0)
    copies = current_app.extensions.setdefault(KEPT, {})
    copy = copies.get(name)
    if copy is None or copy.revision != revision:
        copy = copies[name] = _Copy(revision, read(db.session.connection()))
    return copy.value


def with_revisions(query: Select) -> Select:
    """``query`` with every revision as a column of its own, named as the revision: a
    request's first read brings them, and ``keep_revisions`` spares the statement."""
    return query.add_columns(
        *(
            select(Revision.value).where(Revision.name == name).scalar_subquery().label(name)
            for name in REVISION_NAMES
        )
    )


def keep_revisions(session: Session, row) -> None:
    """The revisions a ``with_revisions`` row brought, for the rest of the transaction."""
    session.info[READ_IN_TRANSACTION] = {name: row._mapping[name] or 0 for name in REVISION_NAMES}


def _revisions(session: Session) -> dict[str, int]:
    """Every revision by name, read once in a transaction (a post asks for two)."""
    if READ_IN_TRANSACTION not in session.info:
        rows = session.connection().execute(REVISIONS).all()
        session.info[READ_IN_TRANSACTION] = dict(rows)
    return session.info[READ_IN_TRANSACTION]


@event.listens_for(Session, "after_transaction_end")
def _read_again_in_the_next(session: Session, transaction) -> None:
    session.info.pop(READ_IN_TRANSACTION, None)
