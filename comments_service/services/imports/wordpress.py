"""Read the comments of a WordPress export (WXR 1.0 to 1.2), streamed.

Each comment is placed by its post's slug (``wp:post_name``) or URL (``link``). A
comment by the post's own WordPress author (its ``wp:comment_user_id`` is the
``wp:author_id`` of the item's ``dc:creator``) or from a staff member's email address
becomes that staff member's answer: the author is found among Porch staff by email,
then by display name.

Older or hand-made exports may lack ``wp:wxr_version``. Such a file is still read when
it is clearly WordPress: it declares the WordPress export namespace (its URI names the
version) or its channel's ``generator`` is wordpress.org (the newest version is
assumed). The import's summary says which version was assumed, and why.
"""

import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import BinaryIO
from xml.etree.ElementTree import Element

from flask_babel import gettext

from comments_service.models import CommentStatus, Staff
from comments_service.services.imports.common import ImportFileError, Place, Source, StaffFinder
from comments_service.services.imports.xml_stream import (
    child_text,
    children,
    elements_at,
    local,
    namespace,
)

WXR_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/(?P<version>1\.[012])/$")
WORDPRESS_GENERATOR = re.compile(r"^https?://wordpress\.org(/|$)")
NEWEST_VERSION = "1.2"
STATUSES = {"1": CommentStatus.APPROVED, "0": CommentStatus.PENDING, "spam": CommentStatus.SPAM}
NOT_COMMENTS = {"pingback", "trackback"}
NO_DATE = "0000-00-00 00:00:00"


@dataclass
class Author:
    user_id: str
    staff: Staff | None


@dataclass
class WordPressExport:
    """A WXR file; ``open_file`` opens it afresh for each pass."""

    open_file: Callable[[], AbstractContextManager[BinaryIO]]
    staff: StaffFinder
    keep_pingbacks: bool
    notes: tuple = ()
    assumed: str = ""

    def comments(self) -> Iterator[Source]:
        with self.open_file() as stream:
            yield from read_wordpress(stream, self.staff, self.keep_pingbacks, self._assume)

    def _assume(self, note: str) -> None:
        self.assumed = note

    def settle(self, place: Place) -> tuple[Place, None]:
        return place, None


def read_wordpress(
    stream: BinaryIO, staff: StaffFinder, keep_pingbacks: bool, assume: Callable[[str], None]
) -> Iterator[Source]:
    """Each comment of the file, as it is read; ``assume`` hears of a version assumed."""
    authors: dict[str, Author] = {}
    declared: list[str] = []
    version = generator = None
    for element in elements_at(stream, _not_wordpress, "rss", 2, declared):
        name = local(element.tag)
        if name == "wxr_version" and WXR_NAMESPACE.match(namespace(element.tag)):
            version = (element.text or "").strip()
        elif name == "generator" and not namespace(element.tag):
            generator = (element.text or "").strip()
        if name in ("author", "item") and not version:
            version = _assumed_version(declared, generator, assume)
        if name == "author" and version:
            authors[child_text(element, "author_login")] = Author(
                child_text(element, "author_id"),
                staff.find(
                    child_text(element, "author_email"),
                    child_text(element, "author_display_name"),
                ),
            )
        elif name == "item" and version:
            yield from _item_comments(element, authors, staff, keep_pingbacks)
    if not (version or _assumed_version(declared, generator, assume)):
        raise ImportFileError(
            gettext(
                "This is not a WordPress export (WXR): it has no wp:wxr_version before its posts."
            )
        )


def _not_wordpress(tag: str, root: str) -> str:
    return gettext(
        "This is not a WordPress export (WXR): it starts with <%(tag)s>, not <%(root)s>.",
        tag=tag,
        root=root,
    )


def _assumed_version(
    declared: list[str], generator: str | None, assume: Callable[[str], None]
) -> str | None:
    """The version of a file without wp:wxr_version, when it is clearly WordPress."""
    versions = [match["version"] for match in map(WXR_NAMESPACE.match, declared) if match]
    if versions:
        version = versions[0]
        said = gettext(
            "No WXR version in the file: read as WXR %(version)s (from its wp namespace).",
            version=version,
        )
    elif generator and WORDPRESS_GENERATOR.match(generator):
        version = NEWEST_VERSION
        said = gettext(
            "No WXR version in the file: read as WXR %(version)s"
            " (the newest, as its generator is wordpress.org).",
            version=version,
        )
    else:
        return None
    assume(said)
    return version


def _item_comments(item: Element, authors, staff: StaffFinder, keep_pingbacks: bool):
    slug, url = child_text(item, "post_name"), child_text(item, "link")
    author = authors.get(child_text(item, "creator"))
    for comment in children(item, "comment"):
        field = partial(child_text, comment)
        email = field("comment_author_email")
        record = Source(
            id=field("comment_id"),
            parent_id=None if field("comment_parent") in ("", "0") else field("comment_parent"),
            status=STATUSES.get(field("comment_approved")),
            created_at=_date(field("comment_date_gmt"), field("comment_date")),
            author_name=field("comment_author"),
            body=field("comment_content"),
            slug=slug or None,
            url=url or None,
            author_email=email,
            author_website=field("comment_author_url"),
            remote_addr=field("comment_author_IP"),
            staff=staff.find(email) or _post_author(author, field("comment_user_id")),
        )
        record.skip = _skip(field("comment_type"), field("comment_approved"), keep_pingbacks)
        yield record


def _post_author(author: Author | None, user_id: str) -> Staff | None:
    if author and author.user_id and user_id not in ("", "0") and user_id == author.user_id:
        return author.staff
    return None


def _skip(kind: str, approved: str, keep_pingbacks: bool) -> str | None:
    if kind in NOT_COMMENTS and not keep_pingbacks:
        return gettext("pingback or trackback")
    if approved in ("trash", "post-trashed"):
        return gettext("in the trash")
    if approved not in STATUSES:
        return gettext("unknown status %(status)s", status=repr(approved))
    return None


def _date(gmt: str, local_time: str) -> datetime:
    """The comment's UTC time; very old exports may lack it, then the site's time is used."""
    text = gmt if gmt and gmt != NO_DATE else local_time
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        raise ImportFileError(
            gettext("A comment has a date WordPress does not write: %(date)s.", date=repr(text))
        ) from None
