"""Staff decisions on a comment; each leaves a ModerationAction behind.

Each decision first asks the rules (services.moderation.rules) whether this staff
member may take it on this comment now. Nothing here commits: the request or command
that decides commits once.
"""

from datetime import datetime
from functools import partial

from comments_service.enums import Action, Decision, SpamCheck
from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus, ModerationAction, Staff, utcnow
from comments_service.services.comments.answers import lock_thread, recompute_answers, words_seen
from comments_service.services.mail.subscriptions import ReaderMail, tell_subscriber
from comments_service.services.moderation.rules import (
    ModerationError as ModerationError,  # callers catch it from here
)
from comments_service.services.moderation.rules import Moderator, NotAllowed, check
from comments_service.words.rendering import render_comment


def edit_answer(answer: Comment, staff: Staff, body: str) -> None:
    """Change a published staff answer; the audit row keeps the words it replaced."""
    check(Action.EDIT_ANSWER, answer, staff)
    previous = answer.body_markdown
    answer.body_markdown = body
    answer.body_html = render_comment(body)
    answer.edited_at = utcnow()
    _record(answer, staff, Decision.EDIT, f"Before the edit:\n{previous}")


def edit_comment(
    comment: Comment, staff: Staff, body: str, reason: str, seen: str | None = None
) -> None:
    """Change a reader's words (a typo, personal data pasted by mistake); readers see the
    comment marked "edited by the team".

    The audit row keeps the reason, not the words replaced: the usual reason to change
    them is something that must not stay. Like an answer, the edit waits its turn on the
    thread (answers.lock_thread) and, with ``seen`` (answers.words_seen of the words the
    editor read), is refused when the reader changed them meanwhile.
    """
    check(Action.EDIT_COMMENT, comment, staff)
    lock_thread(comment.post_id)
    db.session.refresh(comment)
    check(Action.EDIT_COMMENT, comment, staff)
    if seen is not None and seen != words_seen(comment):
        raise ModerationError(
            f"{comment.author_name} changed their comment while you were editing it:"
            " read it again before you change it."
        )
    comment.body_markdown = body
    comment.body_html = render_comment(body)
    comment.edited_at = comment.team_edited_at = utcnow()
    _record(comment, staff, Decision.EDIT_COMMENT, reason)


def approve(
    comment: Comment,
    staff: Staff,
    readers: ReaderMail | None = None,
    now: datetime | None = None,
) -> None:
    """Publish a held comment; with ``readers``, the reader it replies to hears of it.

    Answering a held comment approves it through here too (services.comments).
    """
    check(Action.APPROVE, comment, staff)
    comment.status = CommentStatus.APPROVED
    comment.published_at = now or utcnow()
    _record(comment, staff, Decision.APPROVE)
    if readers is not None:
        tell_subscriber(comment, readers, comment.published_at)


def mark_spam(comment: Comment, staff: Staff, reason: str | None = None) -> None:
    check(Action.SPAM, comment, staff)
    _take_down(comment, staff, CommentStatus.SPAM, Decision.SPAM, reason)


def delete(
    comment: Comment, staff: Staff, reason: str | None = None, via: str | None = None
) -> None:
    check(Action.DELETE, comment, staff)
    _take_down(comment, staff, CommentStatus.DELETED, Decision.DELETE, reason, via)


def mark_not_spam(comment: Comment, staff: Staff) -> None:
    """Take a comment out of the spam folder, back to where it was (see restore).

    Blatant spam Akismet asked to discard is hidden from every list and purged;
    once a person says it is not spam, it is only what Akismet thought.
    """
    check(Action.NOT_SPAM, comment, staff)
    _bring_back(comment, staff, Decision.NOT_SPAM)
    if comment.spam_check == SpamCheck.DISCARDED:
        comment.spam_check = SpamCheck.SPAM


def restore(comment: Comment, staff: Staff) -> None:
    """Undo a delete: the comment returns published if it had been, else held for approval.

    A comment that was ever published keeps ``published_at``; one the guard held or
    binned at once never had it, so a person still has to approve it.
    """
    check(Action.RESTORE, comment, staff)
    _bring_back(comment, staff, Decision.RESTORE)


BY_ACTION = {
    Action.APPROVE: approve,
    Action.SPAM: mark_spam,
    Action.NOT_SPAM: mark_not_spam,
    Action.DELETE: delete,
    Action.RESTORE: restore,
}
UNDO = {Action.SPAM: Action.NOT_SPAM, Action.DELETE: Action.RESTORE}


def decide_all(
    action: Action, comments: list[Comment], staff: Staff, readers: ReaderMail | None = None
) -> None:
    """Take one decision on many comments, all or none: one refusal stops the lot.

    Every comment is checked before anything changes; a comment the staff member may
    not act on is named before one whose state does not fit. Approvals mail
    subscribed readers when ``readers`` is given (see ``approve``).
    """
    moderator = Moderator(staff)
    refused = [(c, error) for c in comments if (error := moderator.refusal(action, c))]
    refused.sort(key=lambda pair: not isinstance(pair[1], NotAllowed))
    if refused:
        comment, error = refused[0]
        raise type(error)(f"Comment by {comment.author_name}: {error}")
    act = BY_ACTION[action]
    if action == Action.APPROVE:
        act = partial(approve, readers=readers)
    for comment in comments:
        act(comment, staff)


def dismiss(comment: Comment, staff: Staff, reason: str) -> None:
    """Mark a reader comment "no answer needed": it leaves every queue, with the reason kept."""
    check(Action.DISMISS, comment, staff)
    comment.dismissed_at = utcnow()
    comment.dismissed_by = staff
    comment.dismiss_reason = reason
    _record(comment, staff, Decision.DISMISS, reason)


def _take_down(comment, staff, status, action, reason=None, via=None) -> None:
    comment.status = status
    if not comment.is_reader:
        db.session.flush()
        recompute_answers(comment.post_id)
    _record(comment, staff, action, reason, via)


def _bring_back(comment, staff, action) -> None:
    was_published = comment.published_at is not None
    comment.status = CommentStatus.APPROVED if was_published else CommentStatus.PENDING
    if not comment.is_reader:
        db.session.flush()
        recompute_answers(comment.post_id)
    _record(comment, staff, action)


def _record(comment: Comment, staff: Staff, action: Decision, reason=None, via=None) -> None:
    db.session.add(
        ModerationAction(comment=comment, staff=staff, action=action, reason=reason, via=via)
    )
