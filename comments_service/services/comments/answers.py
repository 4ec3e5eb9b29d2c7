"""When a reader comment counts as answered.

A reader comment is answered from the first staff reply anywhere beneath it in
its thread, or from the answer a staff member gave privately (by phone, email or
in person, see services.listening), whichever came first. That time is stored on
the reader comment, so the queue needs no tree walk and the time to answer is exact.
Threads have no depth limit, so neither function here costs more for a long chain
than for a wide thread.
"""

import hashlib
from collections import defaultdict

from sqlalchemy import select, update
from sqlalchemy.orm import load_only

from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus, Post
from comments_service.services.comments.threads import ancestors_of

# What recompute_answers reads and writes of each comment.
ANSWER_STATE = (
    Comment.parent_id,
    Comment.staff_id,
    Comment.status,
    Comment.created_at,
    Comment.answered_at,
    Comment.answered_by_id,
    Comment.private_answered_at,
    Comment.private_answered_by_id,
)


def lock_thread(post_id: int) -> None:
    """Hold the post's thread until the commit: its answers and readers' changes take turns.

    A staff answer checks that the comment still reads as the answerer saw it; a
    reader's edit or deletion checks that nobody answered it yet. Each takes this lock
    first and checks after it, in the transaction that writes, so neither writes on
    what it read before the other's commit. Nothing changes: on PostgreSQL the UPDATE
    locks the post's row (new comments can still be inserted, their foreign key needs
    a weaker lock), on SQLite it takes the database's write lock. Both take it before
    they write any comment, so they never wait for each other in a circle.
    """
    db.session.execute(
        update(Post.__table__)
        .where(Post.id == post_id)
        .values(comments_version=Post.comments_version)
    )


def words_seen(comment: Comment) -> str:
    """What an answer form carries of the words it answers, so that an answer is stored
    only under the words its writer read (services.comments.add_staff_answer)."""
    return hashlib.sha256(comment.body_markdown.encode("utf-8", "surrogatepass")).hexdigest()


def ancestors(comment: Comment) -> list[Comment]:
    """The comments above this one, nearest first, loaded in one query."""
    parent = comment.parent  # set even before the comment is flushed
    if parent is None:
        return []
    return [parent, *db.session.scalars(ancestors_of(parent.id))]


def record_answer(answer: Comment) -> list[Comment]:
    """Mark every still-waiting reader comment above a staff answer as answered by it."""
    answered = []
    for ancestor in ancestors(answer):
        if ancestor.is_reader and ancestor.answered_at is None:
            ancestor.answered_at = answer.created_at
            ancestor.answered_by = answer.staff
            answered.append(ancestor)
    return answered


def recompute_answers(post_id: int) -> None:
    """Re-derive answered_at for a post's reader comments after a staff answer went away.

    One pass from the deepest replies up: each comment hands its parent the first
    staff answer at or beneath it, so every comment learns its own in one step. Only
    the columns the rule reads are loaded, not the text: a post may have thousands
    of long comments (an import recomputes every post it touched).
    """
    query = select(Comment).where(Comment.post_id == post_id).options(load_only(*ANSWER_STATE))
    comments = db.session.scalars(query).all()
    first_below: dict[int | None, Comment | None] = defaultdict(lambda: None)
    for comment in _replies_before_parents(comments):
        own = comment if _is_published_answer(comment) else None
        first = _earliest(own, first_below[comment.id])
        first_below[comment.parent_id] = _earliest(first_below[comment.parent_id], first)
    for comment in comments:
        if comment.is_reader:
            first = first_below[comment.id]
            comment.answered_at, comment.answered_by_id = first_answer(
                comment, first and first.created_at, first and first.staff_id
            )


def first_answer(comment: Comment, public_at, public_by_id) -> tuple:
    """When and by whom a reader comment was first answered: its first published staff
    answer beneath it (``public_at``, ``public_by_id``) or its private answer, the
    earlier; (None, None) with neither.

    Taking a public answer down never undoes an answer given privately.
    """
    answers = [(public_at, public_by_id)] if public_at else []
    if comment.private_answered_at is not None:
        answers.append((comment.private_answered_at, comment.private_answered_by_id))
    return min(answers, key=lambda answer: answer[0], default=(None, None))


def _replies_before_parents(comments: list[Comment]) -> list[Comment]:
    """The comments breadth first from the top of the thread, reversed."""
    replies: dict[int | None, list[Comment]] = defaultdict(list)
    for comment in comments:
        replies[comment.parent_id].append(comment)
    order = list(replies[None])
    for comment in order:  # the list grows as it is read: one level after another
        order.extend(replies[comment.id])
    return order[::-1]


def _is_published_answer(comment: Comment) -> bool:
    return not comment.is_reader and comment.status == CommentStatus.APPROVED


def _earliest(first: Comment | None, second: Comment | None) -> Comment | None:
    if first is None or (second is not None and second.created_at < first.created_at):
        return second
    return first
