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

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session, make_transient_to_detached

from comments_service.models import Comment
from comments_service.services.comments.freshness import changes_public_thread, mark_changed
from comments_service.services.moderation.reader_summaries import count_new_comment

COMMENTS = Comment.__table__
# What the database works out itself, sent back with the id.
COMPUTED = [column for column in COMMENTS.c if column.computed is not None]
# The mapped attribute of every column the insert writes (all but the id and the computed).
WRITTEN = [
    (attribute.key, attribute.columns[0])
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
    values = {column.key: _value(comment, key, column) for key, column in WRITTEN}
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


def _value(comment: Comment, key: str, column):
    """The attribute as set, else its column's default (set on the comment too, so
    nothing of it is left to load)."""
    if key not in comment.__dict__:
        default = column.default
        if default is None:
            value = None
        elif default.is_callable:
            value = default.arg(None)
        else:
            value = default.arg
        setattr(comment, key, value)
    return getattr(comment, key)


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
