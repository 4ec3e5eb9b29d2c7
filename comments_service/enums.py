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


class PublicStatus(enum.StrEnum):
    """What a comment's writer is told about it: published, or waiting for a check.

    Spam reads as pending too, so a spammer learns nothing from the answer.
    """

    APPROVED = "approved"
    PENDING = "pending"

    @classmethod
    def of(cls, status: CommentStatus) -> "PublicStatus":
        return cls.APPROVED if status == CommentStatus.APPROVED else cls.PENDING


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
    EDIT = "edit"  # a staff member changed their own answer, or a reader their comment
    REASSIGN = "reassign"  # a staff member handed the comment to a colleague
    FORGET = "forget"  # its writer asked for their data to be erased (services.people)
    TAG = "tag"  # a staff member said what kind of comment it is (or cleared it)
    ANSWER_PRIVATELY = "answer_privately"  # the reader was answered by phone, email or in person
    PASS_ON = "pass_on"  # an idea or problem was passed on to a team
    ACT_ON = "act_on"  # the team acted on it; the public note says what was done
    DECLINE = "decline"  # the team decided not to act on it
    EMPTY_SPAM = "empty_spam"  # an admin deleted the spam for good; no comment, the count in reason
    EDIT_COMMENT = "edit_comment"  # a staff member changed a reader's words (reason kept)


class BlockKind(enum.StrEnum):
    """What a blocklist entry matches in a new reader comment (services.spam.blocklist)."""

    EMAIL = "email"  # the address, in any letter case
    DOMAIN = "domain"  # the address's domain or the website's host, subdomains too
    IP = "ip"  # the address the comment came from, in a network (CIDR)
    WORD = "word"  # a whole word or phrase in the name, address, website or text


class BlockList(enum.StrEnum):
    """Where a comment an entry matches goes: to Held for a person, or straight to Spam."""

    HELD = "held"
    SPAM = "spam"


class Action(enum.StrEnum):
    """What a staff member may do to one comment (services.moderation.rules.allowed).

    Not stored: the audit trail records a Decision. The five decisions a tab can take
    on many comments at once keep the Decision's word, which the bulk form sends.
    """

    APPROVE = "approve"
    SPAM = "spam"
    NOT_SPAM = "not_spam"
    DELETE = "delete"
    RESTORE = "restore"
    ANSWER = "answer"  # publish an answer beneath it (a held comment is approved first)
    EDIT_ANSWER = "edit_answer"  # change the words of one's own answer
    DISMISS = "dismiss"  # "no answer needed"
    REASSIGN = "reassign"  # hand it on to a colleague
    TAG = "tag"
    ANSWER_PRIVATELY = "answer_privately"
    FOLLOW_UP = "follow_up"  # the next step of an idea's or a problem's follow-up
    EDIT_COMMENT = "edit_comment"  # change a reader's words: a typo, personal data pasted


class View(enum.StrEnum):
    """The tabs of the moderation page, in order; each is a select() builder in queries.VIEWS."""

    WAITING = "waiting"
    ESCALATED = "escalated"  # waiting so long that the admins look after it too
    HELD = "held"
    SPAM = "spam"
    REMOVED = "removed"
    ANSWERED = "answered"
    ALL = "all"


class ImportSource(enum.StrEnum):
    """The system an imported comment came from (``comments.import_source``)."""

    WORDPRESS = "wordpress"
    DISQUS = "disqus"
    ISSO = "isso"


class SmtpSecurity(enum.StrEnum):
    """How the sender protects its connection to the SMTP server."""

    NONE = "none"  # plain SMTP: only for a relay on the same host or a local sink
    STARTTLS = "starttls"  # plain connection upgraded with STARTTLS (port 587)
    SSL = "ssl"  # TLS from the first byte (port 465)


class MailStatus(enum.StrEnum):
    """Where a message in the outbox stands."""

    QUEUED = "queued"  # waiting for its next attempt
    SENT = "sent"  # the SMTP server accepted it
    FAILED = "failed"  # every attempt failed; `mail retry` queues it again
    LOGGED = "logged"  # no SMTP server was set up: written to the log only


class Notify(enum.StrEnum):
    """How a staff member hears about new reader comments on their posts."""

    EACH = "each"  # one email per comment
    DIGEST = "digest"  # one email a day listing them
    OFF = "off"


class DigestKind(enum.StrEnum):
    """The daily messages a staff member gets at most once a day each."""

    NEW_COMMENTS = "new_comments"  # the digest of new reader comments
    OVERDUE = "overdue"  # the reminder of readers waiting too long


class CommentEventKind(enum.StrEnum):
    """What happened to a comment that the outbox's sender turns into messages."""

    NEW_COMMENT = "new_comment"  # a reader comment was published or held


class SubscriptionScope(enum.StrEnum):
    """Which replies to their comment a reader who left an email address hears about."""

    TEAM = "team"  # a staff member's answer
    ANYONE = "anyone"  # any published reply, a reader's too


class SubscriptionState(enum.StrEnum):
    """What a reader who asked for email is told: confirm it by mail first, or it is on."""

    CONFIRM = "confirm"
    ACTIVE = "active"


class PrivateChannel(enum.StrEnum):
    """How a staff member answered a reader away from the blog."""

    PHONE = "phone"
    EMAIL = "email"
    IN_PERSON = "in_person"


class FollowUp(enum.StrEnum):
    """Where an idea or a problem a reader raised stands: "you said, we did"."""

    PASSED_ON = "passed_on"  # handed to a named team
    ACTED_ON = "acted_on"  # done; readers see what was done
    DECLINED = "declined"  # the team will not do it
