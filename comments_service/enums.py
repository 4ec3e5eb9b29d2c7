"""The service's closed vocabularies. Stored ones keep their values: migrations depend on them."""

import enum


class Role(enum.StrEnum):
    AUTHOR = "author"
    ADMIN = "admin"


class CommentStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    SPAM = "spam"
    DELETED = "deleted"


class ModerationPolicy(enum.StrEnum):
    """What happens to a new reader comment the spam guard lets through."""

    PUBLISH = "publish"  # it appears at once
    FIRST_TIME = "first-time"  # held until its email address has one approved comment
    QUEUE = "queue"  # it waits for a staff member to approve it


class SpamVerdict(enum.StrEnum):
    """The spam guard's word on a new reader comment."""

    PUBLISH = "publish"
    HOLD = "hold"  # a person must look at it first
    SPAM = "spam"


class SpamCheck(enum.StrEnum):
    """What Akismet said about a reader comment; NULL on comments it never saw."""

    PASSED = "passed"
    SPAM = "spam"
    DISCARDED = "discarded"  # blatant spam ("discard"): purged after PORCH_SPAM_PURGE_DAYS
    FAILED = "failed"  # Akismet could not be asked: the comment is held


class Decision(enum.StrEnum):
    """What was done to a comment, as the audit trail (moderation_actions) records it."""

    HOLD = "hold"  # the spam guard held it for approval
    SPAM = "spam"
    APPROVE = "approve"
    ANSWER = "answer"
    DISMISS = "dismiss"
    DELETE = "delete"
    NOT_SPAM = "not_spam"  # a person took it out of the spam folder
    RESTORE = "restore"  # a person brought back a deleted comment
    EDIT = "edit"  # a staff member changed their own answer


class View(enum.StrEnum):
    """The tabs of the moderation page; each is a select() builder in queries.VIEWS."""

    WAITING = "waiting"
    HELD = "held"
    SPAM = "spam"
    REMOVED = "removed"
    ANSWERED = "answered"
    ALL = "all"
