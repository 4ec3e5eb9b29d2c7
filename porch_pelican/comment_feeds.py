"""Each article's comments as an Atom feed, like a WordPress post's ``/feed/``.

The feed sits next to the article's page, at the article's address plus
``PORCH_COMMENTS_FEED_URL`` (``2026/10/offline-mode-explained/comments.atom``), as
comment pages do. It lists what the pages show, the ``NEWEST`` published reader
comments and staff answers, newest first, each with its writer's name (never an
email address), its time, the HTML the service sanitised, and a link to it on the
page that shows it. Removed and erased comments are placeholders in the baked thread
and are left out. The build writes every published article's feed, and a re-bake
writes the post's again with the page, through the same function.
"""

import logging
import os
from datetime import UTC, datetime
from itertools import chain

from feedgenerator import Atom1Feed
from markupsafe import Markup

from .comments import write_file

logger = logging.getLogger(__name__)
# How many comments a feed lists, the newest: a feed reader polls the file, and a thread
# of thousands would make each poll (and each re-bake) megabytes.
NEWEST = 50


class CommentsFeed(Atom1Feed):
    """An Atom feed whose ``updated`` is given (an empty thread's is the post's date)
    rather than the time of writing, so the same thread always makes the same file."""

    def __init__(self, *args, updated, **kwargs):
        super().__init__(*args, **kwargs)
        self.updated = updated

    def latest_post_date(self):
        return super().latest_post_date() if self.items else self.updated


def write_feeds(generator, writer):
    """Write the comments feed of each published article (and translation)."""
    for article in chain(generator.articles, generator.translations):
        write_feed(generator.settings, article, article.save_as, write_file)


def write_feed(settings: dict, article, article_file: str, write) -> None:
    """Write the article's comments feed with ``write(path, text)``."""
    path = os.path.join(os.path.dirname(article_file), settings["PORCH_COMMENTS_FEED_URL"])
    feed = comments_feed(settings, article)
    write(os.path.join(settings["OUTPUT_PATH"], path), feed.writeString("utf-8"))


def comments_feed(settings: dict, article) -> CommentsFeed:
    page = f"{settings['PORCH_ABSOLUTE_SITEURL']}/{article.url}"
    title = Markup(article.title).striptags()
    feed_url = page + settings["PORCH_COMMENTS_FEED_URL"]
    feed = CommentsFeed(
        title=f"Comments on {title}",
        link=page,
        description=f"Readers' comments on {title} and the answers of the people who wrote it.",
        feed_url=feed_url,
        feed_guid=feed_url,
        updated=getattr(article, "date", None) or datetime.now(UTC),
    )
    for created, node, link in entries(settings, article):
        feed.add_item(
            title=entry_title(node),
            link=link,
            description=None,
            author_name=node.author_name,
            pubdate=created,
            updateddate=moment(getattr(node, "edited_at", None)),  # older exports have none
            unique_id=f"{page}#comment-{node.id}",
            content=node.html,
        )
    return feed


def entries(settings: dict, article) -> list:
    """(time, comment, link) of the NEWEST comments shown, newest first. A comment whose
    time is not one (an export is data from elsewhere) is left out, not the build stopped."""
    found = []
    for node, link in linked_comments(settings, article):
        if node.removed:
            continue
        created = moment(node.created_at)
        if created is None:
            logger.warning("Porch: comment %s has no readable time; left out of its feed", node.id)
            continue
        found.append((created, node, link))
    found.sort(key=lambda entry: (entry[0], entry[1].id), reverse=True)
    return found[:NEWEST]


def linked_comments(settings: dict, article):
    """Every node of the baked thread, with the absolute link to it on the page showing it."""
    base = f"{settings['PORCH_ABSOLUTE_SITEURL']}/{article.url}"
    page_url = settings["PORCH_COMMENTS_PAGE_URL"]
    for number, page in enumerate(article.porch_comment_pages or [], start=1):
        here = base if number == 1 else base + page_url.format(number=number)
        for node in page:
            yield node, f"{here}#comment-{node.id}"


def entry_title(node) -> str:
    """Who wrote it, and whom it answers: "Ana Lima answered Jo Reader"."""
    if not node.in_reply_to:
        return f"{node.author_name} commented"
    verb = "answered" if node.staff else "replied to"
    return f"{node.author_name} {verb} {node.in_reply_to}"


def moment(iso: str | None) -> datetime | None:
    """The service's UTC times ("2026-11-20T10:00:00Z") as aware datetimes; None for none."""
    try:
        return datetime.fromisoformat(iso) if iso else None
    except ValueError:
        return None
