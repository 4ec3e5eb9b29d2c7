"""Why a comment was held or marked spam, in the words a person uses on the card.

The spam guard and the moderation policy write their reason into the audit trail
(``ModerationAction.reason``, services.spam.guard and services.comments.posting);
this turns the latest one into plain words: "Akismet said spam", "5 links", "first
comment from this address", in the language spoken now. A reason it does not know is
shown as it was stored. Reads what the comment has loaded (``Comment.actions``); no
query, no writes.
"""

import re
from collections.abc import Callable

from flask_babel import gettext, ngettext

from comments_service.enums import CommentStatus, Decision, SpamCheck
from comments_service.models import Comment

# Each stored reason the guard or the policy writes, and what a person reads for it.
PLAIN_WORDS: tuple[tuple[re.Pattern, Callable[[re.Match], str]], ...] = (
    (re.compile(r"Akismet: blatant spam.*"), lambda m: gettext("Akismet said blatant spam")),
    (re.compile(r"Akismet: spam"), lambda m: gettext("Akismet said spam")),
    (
        re.compile(r"spam check failed: (?P<why>.+)"),
        # The reason Akismet's failure gave is stored as it came, in English.
        lambda m: gettext("the spam guard could not reach Akismet (%(why)s)", why=m["why"]),
    ),
    (
        re.compile(r"(?P<n>\d+) links \(more than \d+\)"),
        lambda m: ngettext("%(num)s link", "%(num)s links", int(m["n"])),
    ),
    (re.compile(r"sent [\d.]+ s after the page opened.*"), lambda m: gettext("sent too fast")),
    (
        re.compile(r"honeypot field was filled in"),
        lambda m: gettext("filled in a field only robots see"),
    ),
    (
        re.compile(r"first comment from this email address.*"),
        lambda m: gettext("first comment from this address"),
    ),
    (
        re.compile(r"no email address to recognise the reader by.*"),
        lambda m: gettext(
            "moderation policy: first comments are held, and no email address was given"
        ),
    ),
    (
        re.compile(r"every reader comment is approved first.*"),
        lambda m: gettext("moderation policy: every comment is held"),
    ),
)
# The statuses a decision put a comment in, and which decision: what the cards say why of.
HELD_BY_DECISION = {CommentStatus.PENDING: Decision.HOLD, CommentStatus.SPAM: Decision.SPAM}


def plain_words(reason: str) -> list[str]:
    """One stored reason (several joined by "; ") as the words a person reads."""
    return [_plain(part.strip()) for part in reason.split(";") if part.strip()]


def why_held(comment: Comment) -> list[str]:
    """Why this held or spam comment is where it is; empty for any other comment.

    The latest hold or spam decision says it: a person's own ("Ana Lima marked it
    spam") or the guard's reasons. With no reason stored, Akismet's word on it.
    """
    decision = HELD_BY_DECISION.get(comment.status)
    if decision is None:
        return []
    last = next((a for a in reversed(comment.actions) if a.action == decision), None)
    if last is not None and last.staff is not None:
        return [gettext("%(name)s marked it spam", name=last.staff.name)]
    if last is not None and last.reason:
        return plain_words(last.reason)
    if comment.spam_check == SpamCheck.FAILED:
        return [gettext("the spam guard could not reach Akismet")]
    if comment.spam_check in (SpamCheck.SPAM, SpamCheck.DISCARDED):
        return [gettext("Akismet said spam")]
    return []


def _plain(reason: str) -> str:
    for pattern, words in PLAIN_WORDS:
        if match := pattern.fullmatch(reason):
            return words(match)
    return reason
