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
import re
from datetime import UTC, datetime
from itertools import chain
from xml.sax.saxutils import quoteattr

from feedgenerator.django.utils.encoding import iri_to_uri
from feedgenerator.django.utils.feedgenerator import rfc3339_date
from feedgenerator.django.utils.xmlutils import UnserializableContentError
from markupsafe import Markup

from .comments import write_file
from .language import words

logger = logging.getLogger(__name__)
# What XML 1.0 cannot carry (feedgenerator's SimplerXMLGenerator refuses the same).
CONTROL = re.compile(r"[\x00-\x08\x0B-\x0C\x0E-\x1F]")
HTML_TYPE = ' type="html"'
ATTRIBUTE_SPECIALS = re.compile("[&<>\"'\n\r\t]")
# How many comments a feed lists, the newest: a feed reader polls the file, and a thread
# of thousands would make each poll (and each re-bake) megabytes.
NEWEST = 50


def write_feeds(generator, writer):
    """Write the comments feed of each published article (and translation)."""
    for article in chain(generator.articles, generator.translations):
        write_feed(generator.settings, article, article.save_as, write_file)


def write_feed(settings: dict, article, article_file: str, write) -> None:
    """Write the article's comments feed with ``write(path, text)``."""
    path = os.path.join(os.path.dirname(article_file), settings["PORCH_COMMENTS_FEED_URL"])
    write(os.path.join(settings["OUTPUT_PATH"], path), comments_feed(settings, article))


def comments_feed(settings: dict, article) -> str:
    """The feed's text: the Atom document feedgenerator's ``Atom1Feed`` writes for the same
    items (attributes in name order, empty elements closed short, text escaped as
    ``xml.sax.saxutils`` escapes it), put together directly: a build writes one per post,
    and the SAX writer's calls per element cost more than the rest of the feed.

    Its ``updated`` is the newest comment's time, or (an empty thread) the post's date,
    never the time of writing, so the same thread always makes the same file.
    """
    page = f"{settings['PORCH_ABSOLUTE_SITEURL']}/{article.url}"
    title = Markup(article.title).striptags()
    feed_url = page + settings["PORCH_COMMENTS_FEED_URL"]
    found = entries(settings, article)
    t = words(settings)
    times = [time for created, _, _, edited in found for time in (edited, created) if time]
    updated = max(times, default=getattr(article, "date", None) or datetime.now(UTC))
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">',
        element("title", t.gettext("Comments on %(title)s") % {"title": title}),
        f'<link href={attribute(iri_to_uri(page))} rel="alternate"/>',
        f'<link href={attribute(iri_to_uri(feed_url))} rel="self"/>',
        element("id", feed_url),
        element("updated", rfc3339_date(updated)),
        element(
            "subtitle",
            t.gettext("Readers' comments on %(title)s and the answers of the people who wrote it.")
            % {"title": title},
        ),
    ]
    for created, node, link, edited in found:
        writer = "" if node.author_name is None else element("name", node.author_name)
        parts += [
            "<entry>",
            element("title", entry_title(t, node)),
            f'<link href={attribute(iri_to_uri(link))} rel="alternate"/>',
            element("published", rfc3339_date(created)),
            element("updated", rfc3339_date(edited or created)),
            f"<author>{writer}</author>" if writer else "",
            element("id", f"{page}#comment-{node.id}"),
            element("content", node.html, HTML_TYPE),
            "</entry>",
        ]
    parts.append("</feed>")
    document = "".join(parts)
    if CONTROL.search(document):  # in a text: addresses come percent-encoded
        raise UnserializableContentError("Control characters are not supported in XML 1.0")
    return document


def element(name: str, text, attributes: str = "") -> str:
    """``<name a="v">text</name>``, or ``<name a="v"/>`` when there is no text."""
    text = "" if text is None else str(text)
    if not text:
        return f"<{name}{attributes}/>"
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<{name}{attributes}>{text}</{name}>"


def attribute(value: str) -> str:
    """An attribute's value in quotes, as ``xml.sax.saxutils.quoteattr`` writes it."""
    return quoteattr(value) if ATTRIBUTE_SPECIALS.search(value) else f'"{value}"'


def entries(settings: dict, article) -> list:
    """(time, comment, link, edit time or None) of the NEWEST comments shown, newest first.
    A comment whose time is not one (an export is data from elsewhere) is left out, not the
    build stopped."""
    found = []
    for node, link in linked_comments(settings, article):
        if node.removed:
            continue
        created = moment(node.created_at)
        if created is None:
            logger.warning("Porch: comment %s has no readable time; left out of its feed", node.id)
            continue
        # Exports from before edits have no edit time.
        found.append((created, node, link, moment(getattr(node, "edited_at", None))))
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


def entry_title(t, node) -> str:
    """Who wrote it, and whom it answers: "Ana Lima answered Jo Reader"."""
    if not node.in_reply_to:
        return t.gettext("%(name)s commented") % {"name": node.author_name}
    if node.staff:
        said = t.gettext("%(name)s answered %(other)s")
    else:
        said = t.gettext("%(name)s replied to %(other)s")
    return said % {"name": node.author_name, "other": node.in_reply_to}


def moment(iso: str | None) -> datetime | None:
    """The service's UTC times ("2026-11-20T10:00:00Z") as aware datetimes; None for none."""
    try:
        return datetime.fromisoformat(iso) if iso else None
    except ValueError:
        return None
