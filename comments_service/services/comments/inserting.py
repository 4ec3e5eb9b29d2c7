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

On PostgreSQL the round trips are fewer: the comment and its mails' event are one
data-modifying ``WITH`` statement, and the post's version is raised in the statement
that takes the reader's lock. The version is not raised in the first: the figures'
triggers take their rows' locks at the end of the statement that inserts, so the
post's row would be locked before them, the other way round from a staff member's
flush (a comment's update, its figures, then the post's version), and the two could
wait for each other.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import Boolean, Connection, bindparam, event, insert, inspect, select, text
from sqlalchemy.orm import Session, make_transient_to_detached

from comments_service.models import Comment, CommentEvent, UTCDateTime
from comments_service.services.comments.freshness import (
    changes_public_thread,
    mark_changed,
    note_raised,
    raised_in,
)
from comments_service.services.mail.events import NEW_EVENT
from comments_service.services.moderation.reader_summaries import (
    EVERY_READER_LOCK,
    added_alone,
    count_new_comment,
    identity_of,
)

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
EVENTS = CommentEvent.__table__


def _comment_and_event():
    """PostgreSQL's one statement for the comment and its event (parameters ``event_*``)."""
    inserted = (
        insert(COMMENTS)
        .values({name: bindparam(name, type_=COMMENTS.c[name].type) for _, name, _ in WRITTEN})
        .returning(COMMENTS.c.id, *COMPUTED)
        .cte("inserted")
    )
    event_row = select(
        inserted.c.id,
        bindparam("event_kind", type_=EVENTS.c.kind.type),
        bindparam("event_held", type_=Boolean()),
        bindparam("event_created_at", type_=UTCDateTime()),
    )
    event_written = insert(EVENTS).from_select(
        ["comment_id", "kind", "held", "created_at"], event_row
    )
    return select(inserted.c.id, *(inserted.c[column.key] for column in COMPUTED)).add_cte(
        event_written.cte("event_written")
    )


INSERT_COMMENT_AND_EVENT = _comment_and_event()
# PostgreSQL: the post's version raised, then the reader's lock taken as
# reader_summaries._lock takes one reader's (the shared lock first, each lock once
# the row before it is there): in the order of the flush hooks (freshness first).
RAISE_VERSION_THEN_LOCK = text(
    "WITH raised AS (UPDATE posts SET comments_version = comments_version + 1"
    " WHERE posts.id = :post_id RETURNING posts.id)"
    " SELECT pg_advisory_xact_lock(hashtextextended(:reader, 0))"
    " FROM (SELECT pg_advisory_xact_lock_shared(:every) FROM raised OFFSET 0) AS shared"
)
INSERTED_IN_TRANSACTION = "porch_inserted_comments"


def insert_comment(session: Session, comment: Comment, event: dict | None = None) -> None:
    """Write a new comment's row in the session's transaction, with its mails' event row
    when given (services.mail.events.new_comment_event); the comment is then in the
    session with its id, as if loaded. Raises IntegrityError (an idempotency key taken
    meanwhile) as a flush would."""
    # Values go straight into the comment's dict: make_transient_to_detached then takes
    # every one as loaded, as the stored row's.
    given = comment.__dict__
    for key, _, default in WRITTEN:
        if key not in given:  # its default, on the comment too: nothing left to load
            given[key] = default()
    values = {name: given[key] for key, name, _ in WRITTEN}
    connection = session.connection()
    row = _write(connection, values, event)
    given["id"] = row.id
    for column in COMPUTED:
        given[column.key] = row._mapping[column.key]
    make_transient_to_detached(comment)
    session.add(comment)
    session.info.setdefault(INSERTED_IN_TRANSACTION, []).append(comment)
    if changes_public_thread(comment, is_new=True):  # held or spam: neither counts
        _count_published(session, connection, comment)


def _write(connection: Connection, values: dict, event: dict | None):
    """The comment's row (and its event's): its id and computed columns."""
    if event is None:
        return connection.execute(INSERT_COMMENT, values).one()
    if connection.dialect.name == "postgresql":
        named = {f"event_{key}": value for key, value in event.items()}
        return connection.execute(INSERT_COMMENT_AND_EVENT, {**values, **named}).one()
    row = connection.execute(INSERT_COMMENT, values).one()
    connection.execute(NEW_EVENT, {"comment_id": row.id, **event})
    return row


def _count_published(session: Session, connection: Connection, comment: Comment) -> None:
    """A published comment raises its post's version and joins its reader's rows."""
    post_id = comment.post_id
    one_trip = (
        connection.dialect.name == "postgresql"
        and post_id not in raised_in(session)
        and added_alone(comment)
    )
    if not one_trip:
        mark_changed(session, {post_id})
        count_new_comment(connection, comment)
        return
    reader = identity_of(connection, comment)
    params = {"post_id": post_id, "reader": reader, "every": EVERY_READER_LOCK}
    connection.execute(RAISE_VERSION_THEN_LOCK, params)
    note_raised(session, {post_id})
    count_new_comment(connection, comment, locked_reader=reader)


def inserted_now(session: Session, comment: Comment) -> bool:
    """Whether ``insert_comment`` wrote this comment in the session's transaction."""
    return any(each is comment for each in session.info.get(INSERTED_IN_TRANSACTION, ()))


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
