"""Staff decisions on a comment; each leaves a ModerationAction behind.

Nothing here commits: the request or command that decides commits once.
"""

from functools import partial

from comments_service.enums import Decision, SpamCheck
from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus, ModerationAction, Staff, utcnow
from comments_service.queries.care import looks_after
from comments_service.services.comments.answers import recompute_answers
from comments_service.services.mail.subscriptions import ReaderMail, tell_subscriber
from comments_service.words.rendering import render_comment


class ModerationError(ValueError):
    """A decision that does not fit the comment's current state."""


class NotAllowed(ModerationError):
    """This staff member may not take this decision on this comment."""


def may_remove(staff: Staff, comment: Comment) -> bool:
    """Who may take a comment down, among those who look after its post.

    Any of them for a reader comment; for a staff answer only its writer or an admin:
    an author must not take down what a colleague (or an admin) said in their own
    name, even under the author's post. The views check ``queries.looks_after`` first.
    """
    return comment.is_reader or staff.is_admin or comment.staff_id == staff.id


def may_edit(staff: Staff, comment: Comment) -> bool:
    """Only the writer of a staff answer may change its words, admins included.

    An answer speaks in its writer's name; an admin who disagrees can take it down
    (``may_remove``) or answer beneath it, but not put words in a colleague's mouth.
    """
    return comment.staff_id is not None and comment.staff_id == staff.id


def edit_answer(answer: Comment, staff: Staff, body: str) -> None:
    """Change a published staff answer; the audit row keeps the words it replaced."""
    if answer.is_reader:
        raise NotAllowed("Reader comments cannot be edited; only staff answers can.")
    if not may_edit(staff, answer):
        raise NotAllowed("Only its writer can edit an answer.")
    if answer.status != CommentStatus.APPROVED:
        raise ModerationError("This answer was taken down; restore it before editing it.")
    previous = answer.body_markdown
    answer.body_markdown = body
    answer.body_html = render_comment(body)
    answer.edited_at = utcnow()
    _record(answer, staff, Decision.EDIT, f"Before the edit:\n{previous}")


def approve(comment: Comment, staff: Staff, readers: ReaderMail | None = None) -> None:
    """Publish a held comment; with ``readers``, the reader it replies to hears of it."""
    if comment.status != CommentStatus.PENDING:
        raise ModerationError("Only a comment waiting for approval can be approved.")
    comment.status = CommentStatus.APPROVED
    comment.published_at = utcnow()
    _record(comment, staff, Decision.APPROVE)
    if readers is not None:
        tell_subscriber(comment, readers, comment.published_at)


def mark_spam(comment: Comment, staff: Staff) -> None:
    _take_down(comment, staff, CommentStatus.SPAM, Decision.SPAM)


def delete(comment: Comment, staff: Staff, reason: str | None = None) -> None:
    _take_down(comment, staff, CommentStatus.DELETED, Decision.DELETE, reason)


def mark_not_spam(comment: Comment, staff: Staff) -> None:
    """Take a comment out of the spam folder, back to where it was (see restore).

    Blatant spam Akismet asked to discard is hidden from every list and purged;
    once a person says it is not spam, it is only what Akismet thought.
    """
    _bring_back(comment, staff, CommentStatus.SPAM, Decision.NOT_SPAM)
    if comment.spam_check == SpamCheck.DISCARDED:
        comment.spam_check = SpamCheck.SPAM


def restore(comment: Comment, staff: Staff) -> None:
    """Undo a delete: the comment returns published if it had been, else held for approval.

    A comment that was ever published keeps ``published_at``; one the guard held or
    binned at once never had it, so a person still has to approve it.
    """
    _bring_back(comment, staff, CommentStatus.DELETED, Decision.RESTORE)


BY_DECISION = {
    Decision.APPROVE: approve,
    Decision.SPAM: mark_spam,
    Decision.NOT_SPAM: mark_not_spam,
    Decision.DELETE: delete,
    Decision.RESTORE: restore,
}
UNDO = {Decision.SPAM: Decision.NOT_SPAM, Decision.DELETE: Decision.RESTORE}


def decide_all(
    decision: Decision, comments: list[Comment], staff: Staff, readers: ReaderMail | None = None
) -> None:
    """Take one decision on many comments, all or none: one refusal stops the lot.

    Every comment is checked against who looks after it before any changes.
    Approvals mail subscribed readers when ``readers`` is given (see ``approve``).
    """
    if any(not looks_after(staff, comment) for comment in comments):
        raise NotAllowed("Some of these comments are on posts you are not an author of.")
    act = BY_DECISION[decision]
    if decision == Decision.APPROVE:
        act = partial(approve, readers=readers)
    for comment in comments:
        try:
            act(comment, staff)
        except NotAllowed:
            raise
        except ModerationError as error:
            raise ModerationError(f"Comment by {comment.author_name}: {error}") from error


def dismiss(comment: Comment, staff: Staff, reason: str) -> None:
    """Mark a reader comment "no answer needed": it leaves every queue, with the reason kept."""
    if not comment.is_reader:
        raise ModerationError("Only reader comments wait for an answer.")
    if comment.status in (CommentStatus.SPAM, CommentStatus.DELETED):
        raise ModerationError("This comment was taken down; it waits for nobody.")
    if comment.answered_at or comment.dismissed_at:
        raise ModerationError("This comment is no longer waiting for an answer.")
    comment.dismissed_at = utcnow()
    comment.dismissed_by = staff
    comment.dismiss_reason = reason
    _record(comment, staff, Decision.DISMISS, reason)


def _take_down(comment, staff, status, action, reason=None) -> None:
    if not may_remove(staff, comment):
        raise NotAllowed("Only its writer or an admin can remove a staff answer.")
    if comment.status in (CommentStatus.SPAM, CommentStatus.DELETED):
        raise ModerationError("This comment has already been taken down.")
    comment.status = status
    if not comment.is_reader:
        db.session.flush()
        recompute_answers(comment.post_id)
    _record(comment, staff, action, reason)


def _bring_back(comment, staff, taken_down_as, action) -> None:
    if not may_remove(staff, comment):
        raise NotAllowed("Only its writer or an admin can bring back a staff answer.")
    if comment.status != taken_down_as:
        raise ModerationError(f"This comment is not in {FOLDERS[taken_down_as]}.")
    was_published = comment.published_at is not None
    comment.status = CommentStatus.APPROVED if was_published else CommentStatus.PENDING
    if not comment.is_reader:
        db.session.flush()
        recompute_answers(comment.post_id)
    _record(comment, staff, action)


FOLDERS = {CommentStatus.SPAM: "Spam", CommentStatus.DELETED: "Removed"}


def _record(comment: Comment, staff: Staff, action: Decision, reason: str | None = None) -> None:
    db.session.add(ModerationAction(comment=comment, staff=staff, action=action, reason=reason))
