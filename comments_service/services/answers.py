"""When a reader comment counts as answered.

A reader comment is answered from the first staff reply anywhere beneath it in
its thread. The time of that reply is stored on the reader comment, so the
queue needs no tree walk and the time to answer is exact.
"""

from collections import defaultdict
from collections.abc import Iterator

from sqlalchemy import select

from ..extensions import db
from ..models import Comment, CommentStatus


def ancestors(comment: Comment) -> Iterator[Comment]:
    parent = comment.parent
    while parent is not None:
        yield parent
        parent = parent.parent


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
    """Re-derive answered_at for a post's reader comments after a staff answer went away."""
    comments = db.session.scalars(select(Comment).where(Comment.post_id == post_id)).all()
    children: dict[int | None, list[Comment]] = defaultdict(list)
    for comment in comments:
        children[comment.parent_id].append(comment)
    for comment in comments:
        if comment.is_reader:
            first = _first_staff_answer_below(comment, children)
            comment.answered_at = first.created_at if first else None
            comment.answered_by_id = first.staff_id if first else None


def _first_staff_answer_below(comment: Comment, children) -> Comment | None:
    first = None
    stack = list(children[comment.id])
    while stack:
        node = stack.pop()
        stack.extend(children[node.id])
        is_answer = not node.is_reader and node.status == CommentStatus.APPROVED
        if is_answer and (first is None or node.created_at < first.created_at):
            first = node
    return first
