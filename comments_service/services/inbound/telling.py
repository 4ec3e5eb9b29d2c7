"""The mails back to a staff member who answered by mail: published (with undo), or why not.

Only ``deciding`` calls these, and only for a sender it trusts (see there). Each mail
is written in the staff member's language (``Staff.language``, else the blog's).
"""

from datetime import datetime

from flask_babel import gettext

from comments_service.models import Comment, Staff
from comments_service.service_urls import ServiceUrls
from comments_service.services.mail.notifications import moderation_link, render_mail
from comments_service.services.mail.outbox import Mail, enqueue
from comments_service.services.tokens import UNDO_MAIL_ANSWER
from comments_service.words.language import speaking

# What is quoted back of a reply that had nothing to publish.
LONGEST_QUOTE = 4000


def tell_published(answer: Comment, inbound, now: datetime) -> None:
    """One short confirmation: where the answer is, and a link that takes it back."""
    reader = answer.parent.author_name
    link = f"{inbound.blog_url}{answer.post.path}#comment-{answer.id}"
    token = inbound.tokens.make(UNDO_MAIL_ANSWER, answer)
    undo = inbound.urls("auth.undo_mail_answer", token=token)
    with speaking(answer.staff.language):
        text, html = render_mail(
            "answered_by_mail",
            inbound.urls,
            answer=answer,
            link=link,
            undo=undo,
            undo_until=now + inbound.undo_within,
        )
        subject = gettext(
            "Published: your answer to %(reader)s on “%(title)s”",
            reader=reader,
            title=answer.post.title,
        )
    enqueue(Mail(answer.staff.email, subject, text, html, {"X-Porch-Comment": str(answer.id)}), now)


def tell_refused(
    staff: Staff,
    comment: Comment,
    outcome: str,
    reason,
    quoted: str,
    urls: ServiceUrls,
    now: datetime,
) -> None:
    """Why nothing was published, with the way to answer on the moderation page.

    ``reason``: a text, or a lazy one (deciding's own reasons), said here in the staff
    member's language."""
    quote = quoted.strip()
    if len(quote) > LONGEST_QUOTE:
        quote = quote[:LONGEST_QUOTE] + "…"
    with speaking(staff.language):
        text, html = render_mail(
            "not_answered_by_mail",
            urls,
            comment=comment,
            reason=str(reason),  # a plain text: the HTML part escapes it
            quoted=quote,
            empty=outcome == "empty",
            link=moderation_link(urls, comment),
        )
        subject = gettext(
            "Not published: your reply about %(name)s’s comment", name=comment.author_name
        )
    enqueue(Mail(staff.email, subject, text, html, {"X-Porch-Comment": str(comment.id)}), now)
