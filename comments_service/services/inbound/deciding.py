"""What becomes of one message received at the inbound address.

Both ways in (``flask mail receive`` and ``flask mail fetch``) hand the raw message to
``decide``. A reply from the staff member its address was made for becomes their
answer through the same code as an answer from the moderation page
(``add_staff_answer``: renderer, sanitiser, rules, readers' mail, audit). Everything
else is refused or dropped with its reason kept in ``inbound_mail`` and the log.

A mail back about a refusal goes only to a staff member whose reply address was
genuine and whose From matched it (and passed DKIM when required): a forged From
never causes a mail, so nobody can make the service send mail to a third party.
The reasons such a mail gives are lazy texts: kept in ``inbound_mail`` and the log in
the language spoken when the message is decided (the blog's), told in the staff
member's own. Refusals that cause no mail keep their reason in English, for the log.
Like every service, this adds to the session and never commits.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from flask_babel import format_decimal, lazy_gettext, ngettext
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from comments_service.enums import Action, CommentStatus
from comments_service.extensions import db
from comments_service.models import Comment, InboundMail, Staff
from comments_service.service_urls import ServiceUrls
from comments_service.services.comments.posting import add_staff_answer
from comments_service.services.inbound.message import (
    Incoming,
    dkim_passes,
    message_key,
    read_message,
)
from comments_service.services.inbound.reply_address import ReplyAddresses, ReplyToken
from comments_service.services.inbound.telling import (
    tell_published,
    tell_refused,
)
from comments_service.services.mail.subscriptions import ReaderMail
from comments_service.services.moderation.rules import ModerationError, check
from comments_service.services.tokens import Tokens
from comments_service.words.characters import body_problem, has_visible_text, normalised_body
from comments_service.words.rendering import render_comment

log = logging.getLogger(__name__)
VIA_EMAIL = "email"


class Outcome(StrEnum):
    PUBLISHED = "published"
    DUPLICATE = "duplicate"  # this Message-ID was received before
    AUTOMATIC = "automatic"  # an auto-reply, an out-of-office or a bounce: dropped
    REFUSED = "refused"
    EMPTY = "empty"  # nothing was left once the quote and signature were taken off
    REPEATED = "repeated"  # the same words were already published as an answer to it


# Why a reply was not published: a text, or a lazy one said in the language spoken.
Reason = str | LazyString


@dataclass(frozen=True)
class Receipt:
    outcome: Outcome
    reason: str
    answer_id: int | None = None


@dataclass(frozen=True)
class Inbound:
    """What deciding needs besides the message: addresses, links, limits."""

    replies: ReplyAddresses
    readers: ReaderMail
    urls: ServiceUrls
    tokens: Tokens
    blog_url: str
    max_chars: int
    require_dkim: bool
    undo_within: timedelta = timedelta(minutes=15)

    @classmethod
    def for_app(cls, app) -> "Inbound | None":
        """None when no inbound address is set: nothing is received."""
        replies = ReplyAddresses.from_config(app.config)
        if replies is None:
            return None
        config = app.config
        return cls(
            replies=replies,
            readers=ReaderMail.for_app(app),
            urls=ServiceUrls.of(app),
            tokens=Tokens(config["PORCH_SECRET_KEY"]),
            blog_url=config["PORCH_BLOG_URL"],
            max_chars=config["PORCH_MAX_COMMENT_CHARS"],
            require_dkim=config["PORCH_REPLY_REQUIRE_DKIM"],
        )


@dataclass
class _Verdict:
    """A decision before anything is written; ``tell`` when a mail back is safe."""

    outcome: Outcome
    reason: Reason
    staff: Staff | None = None
    comment: Comment | None = None
    tell: bool = False
    body: str = ""
    quoted: str = field(default="", repr=False)


def decide(
    raw: bytes, envelope_recipients: Sequence[str], inbound: Inbound, now: datetime
) -> Receipt:
    """Decide one message and write the outcome (and the answer) to the session.

    The ``inbound_mail`` row is keyed by the message: a second receiver deciding the
    same message at the same moment fails on its unique key when it flushes, and the
    caller (comments_service/inbox.py) rolls back and reports a duplicate.
    """
    incoming = read_message(raw)
    key = message_key(raw, incoming)
    if db.session.scalar(select(InboundMail.id).where(InboundMail.message_key == key)):
        return Receipt(Outcome.DUPLICATE, "this message was received before")
    verdict = _judge(raw, incoming, envelope_recipients, inbound, now)
    record = InboundMail(
        message_key=key,
        received_at=now,
        sender=incoming.sender[:254],
        outcome=verdict.outcome,
        reason=str(verdict.reason),
        staff_id=verdict.staff and verdict.staff.id,
        comment_id=verdict.comment and verdict.comment.id,
    )
    db.session.add(record)
    db.session.flush()
    if verdict.outcome is Outcome.PUBLISHED:
        _publish(verdict, record, inbound, now)
    elif verdict.tell:
        tell_refused(
            verdict.staff,
            verdict.comment,
            verdict.outcome,
            verdict.reason,
            verdict.quoted,
            inbound.urls,
            now,
        )
    log.info("Mail from %s: %s (%s)", incoming.sender or "nobody", record.outcome, record.reason)
    return Receipt(Outcome(record.outcome), record.reason or "", record.answer_id)


def _publish(verdict: _Verdict, record: InboundMail, inbound: Inbound, now: datetime) -> None:
    """The answer, through the moderation page's own code; a refusal found under the
    thread's lock (the comment was taken down meanwhile) is recorded instead."""
    try:
        answer = add_staff_answer(
            verdict.comment, verdict.staff, verdict.body, inbound.readers, via=VIA_EMAIL
        )
    except ModerationError as error:
        record.outcome, record.reason = Outcome.REFUSED, str(error)
        tell_refused(
            verdict.staff, verdict.comment, Outcome.REFUSED, str(error), "", inbound.urls, now
        )
        return
    record.answer = answer
    db.session.flush()
    tell_published(answer, inbound, now)


def _judge(raw, incoming: Incoming, envelope_recipients, inbound: Inbound, now) -> _Verdict:
    """Every check, in the order that keeps refusals of doubtful senders silent."""
    if incoming.automatic:
        return _Verdict(Outcome.AUTOMATIC, incoming.automatic)
    token = _token(inbound.replies, [*envelope_recipients, *incoming.recipients])
    if token is None:
        return _Verdict(Outcome.REFUSED, "not sent to a reply address")
    comment = db.session.get(Comment, token.comment_id)
    staff = db.session.get(Staff, token.staff_id)
    if not inbound.replies.is_genuine(token, comment, staff):
        return _Verdict(Outcome.REFUSED, "the reply address was changed or names nothing")
    if incoming.sender != staff.email.lower():
        return _Verdict(
            Outcome.REFUSED, f"From is {incoming.sender or 'missing'}, not {staff.name}'s address"
        )
    if inbound.require_dkim and not dkim_passes(raw, incoming.sender_domain):
        return _Verdict(Outcome.REFUSED, f"no passing DKIM signature of {incoming.sender_domain}")
    if not staff.active:
        return _Verdict(Outcome.REFUSED, f"{staff.name}'s account is deactivated")
    verdict = _Verdict(Outcome.REFUSED, "", staff, comment, tell=True)
    verdict.reason = _refusal(token, comment, staff, inbound, now)
    if verdict.reason:
        return verdict
    return _judge_words(verdict, incoming, comment, inbound)


def _token(replies: ReplyAddresses, recipients: Sequence[str]) -> ReplyToken | None:
    for recipient in recipients:
        if (token := replies.token_in(recipient)) is not None:
            return token
    return None


def _refusal(token, comment: Comment, staff: Staff, inbound: Inbound, now) -> Reason:
    """Why a genuine sender may not answer this comment by mail now; "" if they may."""
    if inbound.replies.has_expired(token, now):
        made = inbound.replies.made_on(token).isoformat()
        return lazy_gettext("the reply address of a mail from %(day)s has expired", day=made)
    if comment.status in (CommentStatus.SPAM, CommentStatus.DELETED):
        return lazy_gettext("the comment was taken down; answers to it would never show")
    try:
        check(Action.ANSWER, comment, staff, now)
    except ModerationError as error:
        return str(error)
    return ""


def _judge_words(verdict: _Verdict, incoming: Incoming, comment, inbound: Inbound) -> _Verdict:
    """The reply's own words: something to show, within the limits, not said already."""
    body = normalised_body(incoming.reply).strip()
    if not body or not has_visible_text(render_comment(body)):
        verdict.outcome = Outcome.EMPTY
        verdict.reason = lazy_gettext("nothing was left above the quote")
        verdict.quoted = incoming.received_text
        return verdict
    # Said again, lazily, in the language of whoever reads it.
    problem = body_problem(body) and LazyString(body_problem, body)
    if len(body) > inbound.max_chars:
        problem = LazyString(_too_long, inbound.max_chars)
    if problem:
        verdict.reason = problem
        return verdict
    if _already_said(comment, body):
        verdict.outcome = Outcome.REPEATED
        verdict.reason = lazy_gettext("these words were already published as an answer to it")
        return verdict
    verdict.outcome, verdict.reason, verdict.body = Outcome.PUBLISHED, "", body
    return verdict


def _too_long(limit: int) -> str:
    return ngettext(
        "answers must stay under %(limit)s character",
        "answers must stay under %(limit)s characters",
        limit,
        limit=format_decimal(limit),
    )


def _already_said(comment: Comment, body: str) -> bool:
    """Whether a published staff answer right beneath the comment has these words."""
    return (
        db.session.scalar(
            select(Comment.id).where(
                Comment.parent_id == comment.id,
                Comment.staff_id.is_not(None),
                Comment.status == CommentStatus.APPROVED,
                Comment.body_markdown == body,
            )
        )
        is not None
    )
