"""The mails back to a staff member who answered by mail: published (with undo), or why not.

Only ``deciding`` calls these, and only for a sender it trusts (see there).
"""

from datetime import datetime

from comments_service.models import Comment, Staff
from comments_service.service_urls import ServiceUrls
from comments_service.services.mail.notifications import moderation_link, render_mail
from comments_service.services.mail.outbox import Mail, enqueue
from comments_service.services.tokens import UNDO_MAIL_ANSWER

# What is quoted back of a reply that had nothing to publish.
LONGEST_QUOTE = 4000


def tell_published(answer: Comment, inbound, now: datetime) -> None:
    """One short confirmation: where the answer is, and a link that takes it back."""
    reader = answer.parent.author_name
    link = f"{inbound.blog_url}{answer.post.path}#comment-{answer.id}"
    token = inbound.tokens.make(UNDO_MAIL_ANSWER, answer)
    undo = inbound.urls("auth.undo_mail_answer", token=token)
    text, html = render_mail(
        "answered_by_mail",
        inbound.urls,
        answer=answer,
        link=link,
        undo=undo,
        undo_until=now + inbound.undo_within,
    )
    subject = f"Published: your answer to {reader} on “{answer.post.title}”"
    enqueue(Mail(answer.staff.email, subject, text, html, {"X-Porch-Comment": str(answer.id)}), now)


def tell_refused(
    staff: Staff,
    comment: Comment,
    outcome: str,
    reason: str,
    quoted: str,
    urls: ServiceUrls,
    now: datetime,
) -> None:
    """Why nothing was published, with the way to answer on the moderation page."""
    quote = quoted.strip()
    if len(quote) > LONGEST_QUOTE:
        quote = quote[:LONGEST_QUOTE] + "…"
    text, html = render_mail(
        "not_answered_by_mail",
        urls,
        comment=comment,
        reason=reason,
        quoted=quote,
        empty=outcome == "empty",
        link=moderation_link(urls, comment),
    )
    subject = f"Not published: your reply about {comment.author_name}’s comment"
    enqueue(Mail(staff.email, subject, text, html, {"X-Porch-Comment": str(comment.id)}), now)
