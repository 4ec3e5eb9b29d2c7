"""What readers told us: the kind of a comment, answers given privately, and follow-ups.

Staff tag a reader comment with a kind (the PORCH_COMMENT_KINDS vocabulary), record
that they answered a reader away from the blog, and follow an idea or a problem up:
passed on to a team, then acted on or declined. Every step leaves a ModerationAction.
Only two things here ever reach readers: the "NAME got in touch privately" line, when
its author chose to show it, and the note of an acted-on follow-up ("What we did"), in
a mail in the blog's language. Refusals are said in the language spoken. Nothing here
commits or touches Flask globals but the language spoken.
"""

from datetime import datetime

from flask_babel import format_decimal, gettext, ngettext

from comments_service.enums import Action, Decision, FollowUp, PrivateChannel
from comments_service.extensions import db
from comments_service.models import Comment, ModerationAction, Staff
from comments_service.queries.mail import subscription_to_hear_back
from comments_service.services.comments.answers import first_answer
from comments_service.services.mail.outbox import Mail, enqueue
from comments_service.services.mail.subscriptions import ReaderMail, render_mail
from comments_service.services.moderation.rules import ModerationError, NotAllowed, check
from comments_service.words.characters import (
    body_problem,
    line_problem,
    normalised,
    normalised_body,
)
from comments_service.words.language import speaking

NOTE_CHARS = 500  # a follow-up's note, and the team's name below
TEAM_CHARS = 120
PRIVATE_NOTE_CHARS = 4000

STEP_DECISIONS = {
    FollowUp.PASSED_ON: Decision.PASS_ON,
    FollowUp.ACTED_ON: Decision.ACT_ON,
    FollowUp.DECLINED: Decision.DECLINE,
}


def tag(comment: Comment, staff: Staff, kind: str | None, kinds: tuple[str, ...]) -> None:
    """Say what kind of reader comment this is; ``None`` clears the kind."""
    check(Action.TAG, comment, staff)
    if kind is not None and kind not in kinds:
        raise ModerationError(
            gettext(
                "There is no kind %(kind)s; use one of %(kinds)s.",
                kind=repr(kind),
                kinds=", ".join(kinds),
            )
        )
    comment.kind = kind
    _record(comment, staff, Decision.TAG, kind or "kind cleared")


def tag_all(comments: list[Comment], staff: Staff, kind: str | None, kinds: tuple[str, ...]):
    """Tag many comments at once, all or none: one refusal stops the lot."""
    for comment in comments:
        try:
            tag(comment, staff, kind, kinds)
        except NotAllowed:
            raise
        except ModerationError as error:
            raise ModerationError(
                gettext("Comment by %(name)s: %(error)s", name=comment.author_name, error=error)
            ) from error


def answer_privately(
    comment: Comment,
    staff: Staff,
    channel: PrivateChannel,
    note: str,
    at: datetime,
    now: datetime,
    shown: bool = False,
) -> None:
    """Record that ``staff`` answered the reader by phone, email or in person at ``at``.

    The comment counts as answered from then on (see services.answers), unless a public
    answer came earlier. ``shown``: the blog says "NAME got in touch privately".
    """
    check(Action.ANSWER_PRIVATELY, comment, staff)
    note = _text(note, NOTE, PRIVATE_NOTE_CHARS, body=True)
    if not note:
        raise ModerationError(gettext("Say in the note what you told the reader."))
    if at > now:
        raise ModerationError(gettext("The time of the private answer cannot be in the future."))
    if at < comment.created_at:
        raise ModerationError(gettext("The private answer cannot come before the comment itself."))
    comment.private_answered_at = at
    comment.private_answered_by_id = staff.id
    comment.private_channel = channel
    comment.private_note = note
    comment.private_answer_shown = shown
    # Until now the comment's answer, if any, was its first public one.
    comment.answered_at, comment.answered_by_id = first_answer(
        comment, comment.answered_at, comment.answered_by_id
    )
    _record(comment, staff, Decision.ANSWER_PRIVATELY, f"{channel.value}: {note}", now)


def follow_up(
    comment: Comment,
    staff: Staff,
    step: FollowUp,
    note: str,
    now: datetime,
    readers: ReaderMail,
    team: str | None = None,
) -> None:
    """Take the next step of an idea's or a problem's follow-up.

    Passed on needs the team's name. Acted on makes ``note`` public under the comment
    and tells the reader who asked to hear back, once: acted on is final.
    """
    check(Action.FOLLOW_UP, comment, staff)
    note = _text(note or "", NOTE, NOTE_CHARS)
    team = _text(team or "", TEAM, TEAM_CHARS)
    if step == FollowUp.PASSED_ON and not team:
        raise ModerationError(gettext("Name the team it is passed on to."))
    if step != FollowUp.PASSED_ON and not note:
        raise ModerationError(gettext("Say in a short note what was decided."))
    comment.follow_up = step
    comment.follow_up_at = now
    reason = note
    if step == FollowUp.PASSED_ON:
        comment.follow_up_team = team
        reason = f"to {team}: {note}".removesuffix(": ")
    _record(comment, staff, STEP_DECISIONS[step], reason, now)
    if step == FollowUp.ACTED_ON:
        comment.follow_up_note = note
        _tell_reader(comment, readers, now)


def _tell_reader(comment: Comment, readers: ReaderMail, now: datetime) -> None:
    """The reader who asked to hear back on this comment learns what was done."""
    subscription = db.session.scalar(subscription_to_hear_back(comment))
    if subscription is None:
        return
    unsubscribe_link = readers.unsubscribe_link(subscription)
    with speaking(None):
        text, html = render_mail(
            "acted_on",
            comment=comment,
            link=readers.blog_link(comment),
            unsubscribe=unsubscribe_link,
        )
        subject = gettext("What we did about your comment on “%(title)s”", title=comment.post.title)
    headers = {
        "List-Unsubscribe": f"<{unsubscribe_link}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "X-Porch-Comment": str(comment.id),
    }
    enqueue(Mail(subscription.address.email, subject, text, html, headers), now)


# The staff texts ``_text`` checks: a note, or a team's name.
NOTE, TEAM = "note", "team"


def _text(text: str, what: str, limit: int, body: bool = False) -> str:
    """Staff notes follow the character rules of comments (services.text), trimmed;
    ``what`` is NOTE or TEAM, named in the refusals."""
    text = (normalised_body(text) if body else normalised(text)).strip()
    problem = body_problem(text) if body else line_problem(text)
    if problem:
        if what == TEAM:
            raise ModerationError(gettext("The team's name: %(problem)s", problem=problem))
        raise ModerationError(gettext("The note: %(problem)s", problem=problem))
    if len(text) > limit:
        raise ModerationError(_too_long(what, limit))
    return text


def _too_long(what: str, limit: int) -> str:
    if what == TEAM:
        return ngettext(
            "The team's name is too long: keep it under %(limit)s character.",
            "The team's name is too long: keep it under %(limit)s characters.",
            limit,
            limit=format_decimal(limit),
        )
    return ngettext(
        "The note is too long: keep it under %(limit)s character.",
        "The note is too long: keep it under %(limit)s characters.",
        limit,
        limit=format_decimal(limit),
    )


def _record(comment: Comment, staff: Staff, action: Decision, reason: str, at=None) -> None:
    row = ModerationAction(comment=comment, staff=staff, action=action, reason=reason)
    if at is not None:
        row.created_at = at
    db.session.add(row)
