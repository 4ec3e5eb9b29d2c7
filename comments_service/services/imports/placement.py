"""Which Porch post an imported comment belongs on: the mapping rule.

1. A mapping file line whose first column is the old slug, URL or URL path names the
   Porch slug (for renamed posts).
2. Otherwise a Porch post with the old post's slug (WordPress's ``post_name``).
3. Otherwise a Porch post whose path is the old URL's path (scheme, host, query and
   fragment are ignored, as is a missing slash at either end).
4. Otherwise a Porch post whose slug is the last part of the old URL's path.
"""

import csv
from pathlib import Path
from urllib.parse import urlsplit

from flask_babel import gettext
from sqlalchemy import select

from comments_service.extensions import db
from comments_service.models import Post


class MappingError(ValueError):
    """The mapping file cannot be used; the message names the line."""


def url_path(url: str) -> str:
    """The path of a URL or of a site-relative path, as ``a/b`` without outer slashes."""
    return urlsplit(url.strip()).path.strip("/")


class Placer:
    """Finds the post for an old slug or URL, with the posts loaded once."""

    def __init__(self, mapping: dict[str, str] | None = None):
        posts = db.session.scalars(select(Post)).all()
        self.by_slug = {post.slug: post for post in posts}
        self.by_path = {url_path(post.path): post for post in posts}
        self.mapping = {}
        for old, slug in (mapping or {}).items():
            if slug not in self.by_slug:
                raise MappingError(
                    gettext(
                        "mapping for %(old)s: no Porch post has the slug %(slug)s.",
                        old=repr(old),
                        slug=repr(slug),
                    )
                )
            self.mapping[old] = self.by_slug[slug]

    def place(self, slug: str | None, url: str | None) -> tuple[Post | None, str]:
        """The post, or None and the reason it could not be found."""
        for key in (slug, url, url and url_path(url)):
            if key and key in self.mapping:
                return self.mapping[key], ""
        if slug and slug in self.by_slug:
            return self.by_slug[slug], ""
        if url:
            path = url_path(url)
            post = self.by_path.get(path) or self.by_slug.get(path.rsplit("/", 1)[-1])
            if post is not None:
                return post, ""
        if not slug and not url:
            return None, gettext("no post slug or URL")
        return None, gettext("no Porch post for its slug or URL")


def read_mapping(path: Path) -> dict[str, str]:
    """A CSV file of ``old slug, URL or path`` and ``Porch slug``; ``#`` starts a comment."""
    mapping = {}
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            for number, row in enumerate(csv.reader(handle), start=1):
                if not row or not row[0].strip() or row[0].lstrip().startswith("#"):
                    continue
                if len(row) != 2 or not row[1].strip():
                    raise MappingError(
                        gettext(
                            "%(path)s, line %(number)s: expected two columns, old,new.",
                            path=path,
                            number=number,
                        )
                    )
                old = row[0].strip()
                mapping[old] = row[1].strip()
                mapping.setdefault(url_path(old), row[1].strip())
    except (OSError, UnicodeDecodeError) as error:
        raise MappingError(
            gettext("%(path)s: cannot be read (%(why)s).", path=path, why=error)
        ) from None
    return mapping
