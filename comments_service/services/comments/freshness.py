"""Which posts' public threads a transaction changes: their comments version goes up.

Every path that changes what readers see (a published reader comment, a staff
answer, an approval, an edit, a removal, a restore, a reader's data erased, a
published comment answered privately, dismissed or followed up; from the API, the
moderation page, bulk decisions or the CLI) goes through the ORM, so one flush hook
marks the post in the same transaction as the change; a reader's new comment, written
without the flush (services.comments.inserting), is marked there. A held or binned comment
changes nothing readers see and marks nothing. The API's cached threads
(services/comments/thread_cache.py) are keyed by this version, so what it does not mark is
not read again.

The version only ever goes up, by one SQL ``UPDATE ... SET comments_version =
comments_version + 1`` per transaction, so two transactions on one post never lose a
raise, and a re-baker that bakes version N into a page knows the page is behind
while the post says more than N.
"""

from sqlalchemy import bindparam, event, inspect, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from comments_service.enums import CommentStatus
from comments_service.models import Comment, Post

# What the baked thread shows of a comment: a change to any of these is a change readers see.
SHOWN_FIELDS = (
    "status",
    "body_html",
    "edited_at",
    "team_edited_at",
    "erased_at",
    "author_name",
    "author_website",
    "parent_id",
    # The answer line under a reader comment: who answered and how fast, that someone
    # got in touch privately, that it still waits; and the follow-up's public note.
    "answered_at",
    "answered_by_id",
    "dismissed_at",
    "private_answered_at",
    "private_answer_shown",
    "follow_up",
    "follow_up_note",
)
CHANGED_POSTS = "porch_changed_posts"
POSTS = Post.__table__
# Built once: every post, every comment on it, raises its posts with this one statement.
RAISE_VERSIONS = (
    update(POSTS)
    .where(POSTS.c.id.in_(bindparam("post_ids", expanding=True)))
    .values(comments_version=POSTS.c.comments_version + 1)
)
# One post's (a new comment's), without the list: an expanding list is written into the
# statement anew at every run.
RAISE_VERSION = (
    update(POSTS)
    .where(POSTS.c.id == bindparam("post_id"))
    .values(comments_version=POSTS.c.comments_version + 1)
)
RAISED_IN_TRANSACTION = "porch_raised_posts"


def changes_public_thread(comment: Comment, is_new: bool) -> bool:
    """A new published comment, or a shown field changed on one that is or was published."""
    if is_new:
        return comment.status == CommentStatus.APPROVED
    state = inspect(comment)
    status = state.attrs.status.history
    was_public = CommentStatus.APPROVED in (*status.deleted, *status.unchanged)
    if not (was_public or comment.status == CommentStatus.APPROVED):
        return False
    return any(state.attrs[name].history.has_changes() for name in SHOWN_FIELDS)


def mark_changed(session: Session, post_ids: set[int]) -> None:
    """Raise these posts' comments versions once in this transaction; remember them for
    after the commit."""
    to_raise = post_ids - raised_in(session)
    if len(to_raise) == 1:
        session.connection().execute(RAISE_VERSION, {"post_id": next(iter(to_raise))})
    elif to_raise:
        session.connection().execute(RAISE_VERSIONS, {"post_ids": sorted(to_raise)})
    note_raised(session, post_ids)


def raised_in(session: Session) -> set[int]:
    """The posts whose versions this transaction has raised already."""
    return session.info.get(RAISED_IN_TRANSACTION, set())


def note_raised(session: Session, post_ids: set[int]) -> None:
    """Remember posts whose versions the caller raised in this transaction (``RAISE_VERSION``
    or a statement that holds it), for the rest of it and for after the commit."""
    for post_id in post_ids - raised_in(session):
        if (post := session.identity_map.get(identity_key(Post, post_id))) is not None:
            session.expire(post, ["comments_version"])
    session.info.setdefault(RAISED_IN_TRANSACTION, set()).update(post_ids)
    session.info.setdefault(CHANGED_POSTS, set()).update(post_ids)


def changed_posts(session: Session) -> set[int]:
    """The posts this session's committed work changed, once: the set is emptied."""
    return session.info.pop(CHANGED_POSTS, set())


@event.listens_for(Session, "after_flush")
def _mark_posts_of_changed_comments(session, flush_context) -> None:
    """After the comments are written (so the post's row is the last one a flush locks),
    while the session still knows what the flush changed."""
    new = set(session.new)
    post_ids = {
        comment.post_id
        for comment in (*new, *session.dirty)
        if isinstance(comment, Comment) and changes_public_thread(comment, comment in new)
    }
    post_ids |= {
        comment.post_id
        for comment in session.deleted
        if isinstance(comment, Comment) and _was_published(comment)
    }
    if post_ids:
        mark_changed(session, post_ids)


def _was_published(comment: Comment) -> bool:
    """A comment being deleted (a reader's data erased) leaves its thread if it was shown."""
    status = inspect(comment).attrs.status.history
    return CommentStatus.APPROVED in (*status.deleted, *status.unchanged)


@event.listens_for(Session, "after_commit")
def _start_counting_anew(session) -> None:
    session.info.pop(RAISED_IN_TRANSACTION, None)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_changes(session) -> None:
    session.info.pop(RAISED_IN_TRANSACTION, None)
    session.info.pop(CHANGED_POSTS, None)
