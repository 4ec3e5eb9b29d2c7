"""A reader's new comment written with one ``INSERT ... RETURNING``, not the ORM's flush.

The unit of work (ordering the session's objects, their history, the flush hooks'
look through them) cost a post more CPU than anything else it did, for one row whose
every value is known beforehand. Written here, the comment then stands in the session
as if it had been loaded, so what refers to it afterwards (the audit entry, its
writer's subscription, mails) is flushed as before; and what the flush hooks do for a
new comment is done here, in the same transaction: its post's comments version
(services.comments.freshness) and its reader's rows
(services.moderation.reader_summaries). The figures' counts are the database's
triggers, which see any insert.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from comments_service.models import Comment
from comments_service.services.comments.freshness import changes_public_thread, mark_changed
from comments_service.services.moderation.reader_summaries import count_new_comment

COMMENTS = Comment.__table__
# What the database works out itself, sent back with the id.
COMPUTED = [column for column in COMMENTS.c if column.computed is not None]


def _default_of(column) -> Callable[[], Any]:
    """The column's default as a Python value (a callable one is called each time)."""
    default = column.default
    if default is None:
        return lambda: None
    if default.is_callable:
        return lambda: default.arg(None)
    return lambda: default.arg


# Every column the insert writes (all but the id and the computed): its attribute's
# name, its own name and its default.
WRITTEN = [
    (attribute.key, attribute.columns[0].key, _default_of(attribute.columns[0]))
    for attribute in inspect(Comment).column_attrs
    if COMMENTS.c.contains_column(attribute.columns[0])
    and not attribute.columns[0].primary_key
    and attribute.columns[0].computed is None
]
INSERT_COMMENT = insert(COMMENTS).returning(COMMENTS.c.id, *COMPUTED)
INSERTED_IN_TRANSACTION = "porch_inserted_comments"


def insert_comment(session: Session, comment: Comment) -> None:
    """Write a new comment's row in the session's transaction; the comment is then in
    the session with its id, as if loaded. Raises IntegrityError (an idempotency key
    taken meanwhile) as a flush would."""
    given = comment.__dict__
    for key, _, default in WRITTEN:
        if key not in given:  # its default, on the comment too: nothing left to load
            set_committed_value(comment, key, default())
    values = {name: given[key] for key, name, _ in WRITTEN}
    connection = session.connection()
    row = connection.execute(INSERT_COMMENT, values).one()
    comment.id = row.id
    for column in COMPUTED:
        setattr(comment, column.key, row._mapping[column])
    make_transient_to_detached(comment)
    session.add(comment)
    session.info.setdefault(INSERTED_IN_TRANSACTION, []).append(comment)
    if changes_public_thread(comment, is_new=True):
        mark_changed(session, {comment.post_id})
    count_new_comment(connection, comment)


@event.listens_for(Session, "after_commit")
def _keep_inserted(session) -> None:
    session.info.pop(INSERTED_IN_TRANSACTION, None)


@event.listens_for(Session, "after_rollback")
def _forget_inserted(session) -> None:
    """A rolled-back comment's row is gone: out of the session, as the flush's pending
    objects go (else its id, given again on SQLite, would name two objects)."""
    for comment in session.info.pop(INSERTED_IN_TRANSACTION, ()):
        if comment in session:
            session.expunge(comment)
