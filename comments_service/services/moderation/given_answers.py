"""The answers a reader comment was given, as staff see them on the moderation page.

Each published staff answer right beneath it ("on the blog"), the answer given away
from the blog ("privately by phone"...) and "no answer needed": who, when, how and
what was said, oldest first. Read from what the comment has loaded (the page loads
``Comment.staff_answers`` and the people for all its comments at once); nothing here
queries or writes.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext

from comments_service.enums import PrivateChannel
from comments_service.models import Comment

ON_THE_BLOG = lazy_gettext("on the blog")
NO_ANSWER_NEEDED = lazy_gettext("no answer needed")
PRIVATELY = {
    PrivateChannel.PHONE: lazy_gettext("privately by phone"),
    PrivateChannel.EMAIL: lazy_gettext("privately by email"),
    PrivateChannel.IN_PERSON: lazy_gettext("privately in person"),
}
PRIVATELY_SOMEHOW = lazy_gettext("privately")


@dataclass(frozen=True)
class GivenAnswer:
    """One answer: ``reply`` is the staff comment of an answer on the blog (its text;
    its writer may edit it); ``note`` the team's note on a private answer, or why no
    answer is needed (plain text, for staff eyes only)."""

    how: str
    by: str | None
    at: datetime
    note: str | None = None
    reply: Comment | None = None
    shown_on_blog: bool = False  # a private answer the blog names ("got in touch privately")


def given_answers(comment: Comment) -> list[GivenAnswer]:
    """Every answer the comment has, oldest first; none for a staff answer itself."""
    if not comment.is_reader:
        return []
    given = [_on_the_blog(reply) for reply in comment.staff_answers]
    if comment.private_answered_at is not None:
        given.append(
            GivenAnswer(
                PRIVATELY.get(comment.private_channel, PRIVATELY_SOMEHOW),
                _name(comment.private_answered_by),
                comment.private_answered_at,
                comment.private_note,
                shown_on_blog=comment.private_answer_shown,
            )
        )
    if comment.dismissed_at is not None:
        given.append(
            GivenAnswer(
                NO_ANSWER_NEEDED,
                _name(comment.dismissed_by),
                comment.dismissed_at,
                comment.dismiss_reason,
            )
        )
    return sorted(given, key=lambda answer: answer.at)


def _on_the_blog(reply: Comment) -> GivenAnswer:
    return GivenAnswer(ON_THE_BLOG, reply.author_name, reply.created_at, reply=reply)


def _name(staff) -> str | None:
    return staff.name if staff is not None else None
