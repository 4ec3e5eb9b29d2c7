"""Which actions a staff member may take on a comment now: the moderation state machine.

One table, ``RULES``, says for each action what must hold of the comment and of the
person. ``allowed`` reads it to offer buttons on the page; ``check`` reads it to
refuse, with the reason. Every service that acts checks first, so the page, the bulk
form and the command line refuse the same things in the same words: ``NotAllowed``
(the page answers 403) when the person may not, ``ModerationError`` when the comment's
state does not fit (someone else acted first). Nothing here changes anything.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext, lazy_gettext
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from comments_service.enums import Action, CommentStatus, Decision, FollowUp, View
from comments_service.extensions import db
from comments_service.models import Comment, Staff, utcnow
from comments_service.queries.care import looks_after, waiting_for


class ModerationError(ValueError):
    """A decision that does not fit the comment's current state."""


class NotAllowed(ModerationError):
    """This staff member may not take this decision on this comment."""


APPROVED, PENDING = CommentStatus.APPROVED, CommentStatus.PENDING
SPAM, DELETED = CommentStatus.SPAM, CommentStatus.DELETED
TAKEN_DOWN = frozenset({SPAM, DELETED})
# Acted on and declined end a follow-up; passed on may be passed on again.
FINAL_STEPS = frozenset({FollowUp.ACTED_ON, FollowUp.DECLINED})

# The statuses each action applies to. The tabs' bulk buttons are read from it too.
STATUSES: dict[Action, frozenset[CommentStatus]] = {
    Action.APPROVE: frozenset({PENDING}),
    Action.SPAM: frozenset({PENDING, APPROVED}),
    Action.NOT_SPAM: frozenset({SPAM}),
    Action.DELETE: frozenset({PENDING, APPROVED}),
    Action.RESTORE: frozenset({DELETED}),
    Action.ANSWER: frozenset({PENDING, APPROVED}),
    Action.EDIT_ANSWER: frozenset({APPROVED}),
    Action.DISMISS: frozenset({APPROVED}),
    Action.REASSIGN: frozenset({APPROVED}),
    Action.TAG: frozenset({PENDING, APPROVED}),
    Action.ANSWER_PRIVATELY: frozenset({APPROVED}),
    Action.FOLLOW_UP: frozenset({PENDING, APPROVED}),
    Action.EDIT_COMMENT: frozenset({PENDING, APPROVED}),
}


class Moderator:
    """A staff member deciding now.

    Whether a comment is in their own queue (``queries.waiting_for``) is read from the
    database: once for a whole page with ``look_at``, else once per comment asked about.
    """

    def __init__(self, staff: Staff, now: datetime | None = None):
        # The Staff object itself: Flask-Login's current_user is a proxy, and a page of
        # cards asks about its person hundreds of times.
        self.staff = getattr(staff, "_get_current_object", lambda: staff)()
        self.now = now or utcnow()
        self._queued: dict[int, bool] = {}
        self._looked_after: dict[int, bool] = {}

    def look_at(self, comments: Iterable[Comment]) -> "Moderator":
        """Learn in one query which of these comments are in this person's queue."""
        ids = [comment.id for comment in comments if comment.id not in self._queued]
        if ids and not self.staff.is_admin:
            mine = waiting_for(select(Comment.id).where(Comment.id.in_(ids)), self.staff, self.now)
            queued = set(db.session.scalars(mine))
            self._queued.update({comment_id: comment_id in queued for comment_id in ids})
        return self

    def in_queue(self, comment: Comment) -> bool:
        if self.staff.is_admin:
            return True
        return self.look_at([comment])._queued[comment.id]

    def looks_after(self, comment: Comment) -> bool:
        """queries.care.looks_after, asked once per comment: most actions' first rule."""
        if comment.id not in self._looked_after:
            self._looked_after[comment.id] = looks_after(self.staff, comment)
        return self._looked_after[comment.id]

    def allowed(self, comment: Comment) -> frozenset[Action]:
        """Every action's rules include its status (``_in``): asked first, the status
        leaves a few actions of thirteen, and a page of fifty cards asks for each card."""
        return frozenset(
            action
            for action in _FOR_STATUS[comment.status]
            if all(rule.holds(comment, self) for rule in RULES[action])
        )

    def refusal(self, action: Action, comment: Comment) -> ModerationError | None:
        """Why this person may not take this action on this comment now; None if they may."""
        for rule in RULES[action]:
            if not rule.holds(comment, self):
                return rule.refusal(rule.reason(comment))
        return None

    def check(self, action: Action, comment: Comment) -> None:
        if (error := self.refusal(action, comment)) is not None:
            raise error


def allowed(comment: Comment, staff: Staff, now: datetime | None = None) -> frozenset[Action]:
    """The actions ``staff`` may take on ``comment`` now."""
    return Moderator(staff, now).allowed(comment)


def check(action: Action, comment: Comment, staff: Staff, now: datetime | None = None) -> None:
    """Refuse (``NotAllowed`` or ``ModerationError``, saying why) an action not allowed."""
    Moderator(staff, now).check(action, comment)


@dataclass(frozen=True)
class Rule:
    """What must hold for an action, and what a refusal says when it does not."""

    holds: Callable[[Comment, Moderator], bool]
    refusal: type[ModerationError]
    why: LazyString | Callable[[Comment], str]

    def reason(self, comment: Comment) -> str:
        """The refusal in the words of the language spoken now (a lazy message, or one
        the comment decides)."""
        return str(self.why) if isinstance(self.why, LazyString) else self.why(comment)


Why = LazyString | Callable[[Comment], str]


def _who(holds: Callable[[Comment, Moderator], bool], why: LazyString) -> Rule:
    return Rule(holds, NotAllowed, why)


def _state(holds: Callable[[Comment], bool], why: Why) -> Rule:
    return Rule(lambda comment, _: holds(comment), ModerationError, why)


def _in(action: Action, why: Why) -> Rule:
    """The comment's status is one ``action`` applies to (``STATUSES``)."""
    return _state(lambda comment: comment.status in STATUSES[action], why)


def _writer_or_admin(comment: Comment, moderator: Moderator) -> bool:
    """A reader comment, or a staff answer of this person's, or this person is an admin.

    A staff answer speaks in its writer's name: an author must not take down (or bring
    back) what a colleague or an admin said, even under the author's own post.
    """
    staff = moderator.staff
    return comment.is_reader or staff.is_admin or comment.staff_id == staff.id


def _taken_down_or(otherwise: LazyString) -> Callable[[Comment], str]:
    return lambda c: (
        gettext("This comment was taken down.") if c.status in TAKEN_DOWN else str(otherwise)
    )


def _waits_for_whom(comment: Comment) -> str:
    if comment.status in TAKEN_DOWN:
        return gettext("This comment was taken down; it waits for nobody.")
    return gettext("A held comment waits for approval, not for an answer: approve it first.")


def _already_followed_up(comment: Comment) -> str:
    """A follow-up that ended (FINAL_STEPS) takes no further step."""
    if comment.follow_up == FollowUp.ACTED_ON:
        return gettext("This comment was already acted on.")
    return gettext("This comment was already declined.")


NO_LONGER_WAITING = lazy_gettext("This comment is no longer waiting for an answer.")
LOOKS_AFTER = _who(
    lambda c, m: m.looks_after(c),
    lazy_gettext("This comment is on a post you are not an author of."),
)


def _take_down(action: Action) -> tuple[Rule, ...]:
    return (
        LOOKS_AFTER,
        _who(
            _writer_or_admin, lazy_gettext("Only its writer or an admin can remove a staff answer.")
        ),
        _in(action, lazy_gettext("This comment has already been taken down.")),
    )


BRING_BACK = _who(
    _writer_or_admin, lazy_gettext("Only its writer or an admin can bring back a staff answer.")
)
# Kinds, private answers and follow-ups: what readers told us.
TOLD_US = (
    LOOKS_AFTER,
    _state(
        lambda c: c.is_reader,
        lazy_gettext("Only reader comments are tagged, answered privately or followed up."),
    ),
)

RULES: dict[Action, tuple[Rule, ...]] = {
    Action.APPROVE: (
        LOOKS_AFTER,
        _in(Action.APPROVE, lazy_gettext("Only a comment waiting for approval can be approved.")),
    ),
    Action.SPAM: _take_down(Action.SPAM),
    Action.NOT_SPAM: (
        LOOKS_AFTER,
        BRING_BACK,
        _in(Action.NOT_SPAM, lazy_gettext("This comment is not in Spam.")),
    ),
    Action.DELETE: _take_down(Action.DELETE),
    Action.RESTORE: (
        LOOKS_AFTER,
        BRING_BACK,
        _in(Action.RESTORE, lazy_gettext("This comment is not in Removed.")),
    ),
    # Answering a held comment approves it first; one already answered may be answered again.
    Action.ANSWER: (
        LOOKS_AFTER,
        _in(
            Action.ANSWER,
            lazy_gettext("This comment was taken down; answers to it would never show."),
        ),
        _state(
            lambda c: c.is_reader,
            lazy_gettext("Staff answers wait for nobody; answer a reader comment."),
        ),
    ),
    Action.EDIT_ANSWER: (
        LOOKS_AFTER,
        _who(
            lambda c, m: not c.is_reader,
            lazy_gettext("This is for staff answers; change a reader comment with Edit comment."),
        ),
        # Not even an admin: an admin who disagrees takes it down or answers beneath it.
        _who(
            lambda c, m: c.staff_id == m.staff.id,
            lazy_gettext("Only its writer can edit an answer."),
        ),
        _in(
            Action.EDIT_ANSWER,
            lazy_gettext("This answer was taken down; restore it before editing it."),
        ),
    ),
    Action.DISMISS: (
        LOOKS_AFTER,
        _state(lambda c: c.is_reader, lazy_gettext("Only reader comments wait for an answer.")),
        _in(Action.DISMISS, _waits_for_whom),
        _state(lambda c: c.is_waiting, NO_LONGER_WAITING),
    ),
    Action.REASSIGN: (
        # An admin may hand on any comment; an author only one in their own queue.
        _who(
            lambda c, m: m.in_queue(c),
            lazy_gettext("You can hand on only comments waiting for you."),
        ),
        _state(
            lambda c: c.is_reader,
            lazy_gettext("Staff answers wait for nobody; only reader comments can be handed on."),
        ),
        _in(
            Action.REASSIGN,
            lazy_gettext("Only a published comment waiting for an answer can be handed on."),
        ),
        _state(lambda c: c.is_waiting, NO_LONGER_WAITING),
    ),
    Action.TAG: (*TOLD_US, _in(Action.TAG, lazy_gettext("This comment was taken down."))),
    Action.ANSWER_PRIVATELY: (
        *TOLD_US,
        _in(
            Action.ANSWER_PRIVATELY,
            _taken_down_or(lazy_gettext("Only a published comment can be answered.")),
        ),
        _state(
            lambda c: c.private_answered_at is None,
            lazy_gettext("A private answer to this comment is already recorded."),
        ),
    ),
    Action.FOLLOW_UP: (
        *TOLD_US,
        _in(Action.FOLLOW_UP, lazy_gettext("This comment was taken down.")),
        _state(
            lambda c: c.follow_up not in FINAL_STEPS,
            _already_followed_up,
        ),
    ),
    # A typo, or personal data pasted by mistake: whoever may moderate the comment.
    Action.EDIT_COMMENT: (
        LOOKS_AFTER,
        _who(
            lambda c, m: c.is_reader,
            lazy_gettext("Staff answers are changed by their writer, with Edit your answer."),
        ),
        _in(Action.EDIT_COMMENT, _taken_down_or(lazy_gettext("This comment cannot be edited."))),
        _state(lambda c: c.erased_at is None, lazy_gettext("Its writer had this comment erased.")),
    ),
}

# The actions whose status rule a comment of each status passes, in the order of Action.
_FOR_STATUS: dict[CommentStatus, tuple[Action, ...]] = {
    status: tuple(action for action in Action if status in STATUSES[action])
    for status in CommentStatus
}


# The statuses of the comments each tab lists (its rule is in queries.VIEWS).
LISTED: dict[View, frozenset[CommentStatus]] = {
    View.WAITING: frozenset({APPROVED}),
    View.ESCALATED: frozenset({APPROVED}),
    View.HELD: frozenset({PENDING}),
    View.SPAM: frozenset({SPAM}),
    View.REMOVED: frozenset({DELETED}),
    View.ANSWERED: frozenset({APPROVED}),
    View.ALL: frozenset(CommentStatus),
}
# The decisions a tab can take on many ticked comments at once (services.moderation).
BULK = (Action.APPROVE, Action.SPAM, Action.NOT_SPAM, Action.DELETE, Action.RESTORE)


def tab_actions(view: View) -> tuple[Action, ...]:
    """The actions that fit some comment a tab lists, in the order of ``Action``."""
    return tuple(action for action in Action if STATUSES[action] & LISTED[view])


def bulk_actions(view: View) -> tuple[Action, ...]:
    """The bulk buttons of a tab: the decisions that fit the comments it lists."""
    return tuple(action for action in tab_actions(view) if action in BULK)


# What each decision is recorded as in the audit trail.
RECORDED_AS: dict[Action, Decision] = {
    Action.APPROVE: Decision.APPROVE,
    Action.SPAM: Decision.SPAM,
    Action.NOT_SPAM: Decision.NOT_SPAM,
    Action.DELETE: Decision.DELETE,
    Action.RESTORE: Decision.RESTORE,
    Action.ANSWER: Decision.ANSWER,
    Action.EDIT_ANSWER: Decision.EDIT,
    Action.DISMISS: Decision.DISMISS,
    Action.REASSIGN: Decision.REASSIGN,
    Action.TAG: Decision.TAG,
    Action.ANSWER_PRIVATELY: Decision.ANSWER_PRIVATELY,
    Action.EDIT_COMMENT: Decision.EDIT_COMMENT,
}
# What was done, in words: "Comment by Jo approved.", "Ana Lima · approved" in a history.
DONE: dict[Decision, LazyString] = {
    Decision.HOLD: lazy_gettext("held for approval"),
    Decision.SPAM: lazy_gettext("marked as spam"),
    Decision.APPROVE: lazy_gettext("approved"),
    Decision.ANSWER: lazy_gettext("answered"),
    Decision.DISMISS: lazy_gettext("marked no answer needed"),
    Decision.DELETE: lazy_gettext("deleted"),
    Decision.NOT_SPAM: lazy_gettext("taken out of spam"),
    Decision.RESTORE: lazy_gettext("restored"),
    Decision.EDIT: lazy_gettext("edited"),
    Decision.REASSIGN: lazy_gettext("handed on"),
    Decision.FORGET: lazy_gettext("erased at the author's request"),
    Decision.TAG: lazy_gettext("tagged"),
    Decision.ANSWER_PRIVATELY: lazy_gettext("answered privately"),
    Decision.PASS_ON: lazy_gettext("passed on"),
    Decision.ACT_ON: lazy_gettext("acted on"),
    Decision.DECLINE: lazy_gettext("declined"),
    Decision.EMPTY_SPAM: lazy_gettext("deleted for good (Empty spam)"),
    Decision.EDIT_COMMENT: lazy_gettext("edited by the team"),
}
