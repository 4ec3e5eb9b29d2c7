"""The spam guard: decides whether a new reader comment is published, held or binned.

Cheap checks come first (a honeypot field bots fill in, a form sent faster than
people type, link count); what passes them is asked of Akismet when a key is set.
An Akismet that cannot answer holds the comment for a person: never published
unchecked, never lost. Staff corrections are reported back to Akismet, best-effort.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

import akismet
import httpx
from sqlalchemy import delete

from comments_service.enums import Decision, SpamCheck, SpamVerdict
from comments_service.extensions import db
from comments_service.models import Comment, ModerationAction, Subscription
from comments_service.queries.states import discarded_before
from comments_service.services.privacy.retention import is_full_address
from comments_service.services.spam.akismet import Akismet
from comments_service.words.rendering import count_links

log = logging.getLogger(__name__)

SEVERITY = {SpamVerdict.PUBLISH: 0, SpamVerdict.HOLD: 1, SpamVerdict.SPAM: 2}


@dataclass(frozen=True)
class Assessment:
    """The guard's verdict on one comment, with the reason when it is not ``publish``."""

    verdict: SpamVerdict
    reason: str | None = None
    check: SpamCheck | None = None  # Akismet's word, when it was asked

    def then(self, other: "Assessment") -> "Assessment":
        """Both verdicts together: the stricter wins, both reasons are kept."""
        verdict = max(self.verdict, other.verdict, key=SEVERITY.get)
        reasons = "; ".join(reason for reason in (self.reason, other.reason) if reason)
        return Assessment(verdict, reasons or None, other.check or self.check)


@dataclass(frozen=True)
class Guard:
    """What the guard needs from the settings."""

    max_links: int
    min_fill_seconds: float
    akismet: Akismet | None = None


def assess(
    *,
    html: str,
    honeypot: str,
    max_links: int,
    fill_seconds: float | None = None,
    min_fill_seconds: float = 0,
) -> Assessment:
    """The cheap checks, on the submission alone."""
    if honeypot.strip():
        return Assessment(SpamVerdict.SPAM, "honeypot field was filled in")
    if fill_seconds is not None and fill_seconds < min_fill_seconds:
        return Assessment(
            SpamVerdict.SPAM,
            f"sent {fill_seconds:g} s after the page opened (under {min_fill_seconds:g} s)",
        )
    links = count_links(html)
    if links > max_links:
        return Assessment(SpamVerdict.HOLD, f"{links} links (more than {max_links})")
    return Assessment(SpamVerdict.PUBLISH)


def cheap_checks(
    comment: Comment, *, honeypot: str, fill_seconds: float | None, guard: Guard
) -> Assessment:
    """The checks on the submission alone: no database, no network."""
    return assess(
        html=comment.body_html,
        honeypot=honeypot,
        max_links=guard.max_links,
        fill_seconds=fill_seconds,
        min_fill_seconds=guard.min_fill_seconds,
    )


def then_akismet(cheap: Assessment, comment: Comment, guard: Guard) -> Assessment:
    """Akismet's word added to what the cheap checks let through (bots cost no API call)."""
    if not asks_akismet(cheap, guard):
        return cheap
    return cheap.then(ask_akismet(guard.akismet, comment))


def asks_akismet(cheap: Assessment, guard: Guard) -> bool:
    """Whether Akismet is asked after these cheap checks: with a key, unless they found spam."""
    return cheap.verdict != SpamVerdict.SPAM and guard.akismet is not None


def ask_akismet(checker: Akismet, comment: Comment) -> Assessment:
    """Akismet's verdict; when it cannot give one (down, slow, refusing), a hold."""
    try:
        answer = checker.check(comment)
    except akismet.AkismetError as error:
        log.warning("Akismet check failed, comment held: %s", _why(error))
        return Assessment(SpamVerdict.HOLD, f"spam check failed: {_why(error)}", SpamCheck.FAILED)
    if answer == akismet.CheckResponse.DISCARD:
        return Assessment(SpamVerdict.SPAM, "Akismet: blatant spam (discard)", SpamCheck.DISCARDED)
    if answer == akismet.CheckResponse.SPAM:
        return Assessment(SpamVerdict.SPAM, "Akismet: spam", SpamCheck.SPAM)
    return Assessment(SpamVerdict.PUBLISH, check=SpamCheck.PASSED)


def _why(error: akismet.AkismetError) -> str:
    """A short reason for the audit trail: the library's message, or the HTTP failure."""
    if isinstance(error, akismet.APIKeyError):
        return "Akismet refused the API key"
    if isinstance(error, akismet.ProtocolError):
        return "Akismet gave an unexpected answer"
    cause = error.__cause__
    if isinstance(cause, httpx.HTTPStatusError):
        return f"Akismet answered HTTP {cause.response.status_code}"
    return str(error).strip() or type(error).__name__


def report_spam(comment: Comment, checker: Akismet | None) -> bool:
    """Tell Akismet a reader comment it let through was spam (a staff "Spam" decision).

    Call it after the decision is committed: it is best-effort, and a failing Akismet
    is logged, never raised, so moderation goes on. Returns whether Akismet took it.
    """
    return _report(comment, checker, "submit_spam")


def report_ham(comment: Comment, checker: Akismet | None) -> bool:
    """Tell Akismet a reader comment held or binned as spam was not (a "not spam" decision).

    Same terms as report_spam: after the commit, best-effort, logged on failure; staff
    answers and comments without a stored address (or only its network, once old) are
    not reported. Returns whether
    Akismet took it.
    """
    return _report(comment, checker, "submit_ham")


LESSONS = {Decision.SPAM: report_spam, Decision.NOT_SPAM: report_ham}


def teach(decision: Decision | None, comments: list[Comment], checker: Akismet | None) -> None:
    """Report a committed spam or not-spam decision on each comment; other decisions teach
    nothing. Best-effort, like report_spam and report_ham."""
    lesson = LESSONS.get(decision)
    if lesson:
        for comment in comments:
            lesson(comment, checker)


def _report(comment: Comment, checker: Akismet | None, method: str) -> bool:
    if checker is None or not comment.is_reader or not is_full_address(comment.remote_addr):
        return False
    try:
        getattr(checker, method)(comment)
    except akismet.AkismetError as error:
        log.warning("Akismet %s for comment %s failed: %s", method, comment.id, _why(error))
        return False
    return True


def purge_discarded(before: datetime) -> int:
    """Delete comments Akismet called blatant spam that came in before ``before``."""
    return delete_for_good(list(db.session.scalars(discarded_before(before))))


def delete_for_good(ids: list[int]) -> int:
    """Delete spam comments with their audit rows and subscriptions; none may have replies."""
    if ids:
        db.session.execute(delete(ModerationAction).where(ModerationAction.comment_id.in_(ids)))
        db.session.execute(delete(Subscription).where(Subscription.comment_id.in_(ids)))
        db.session.execute(delete(Comment).where(Comment.id.in_(ids)))
    return len(ids)
