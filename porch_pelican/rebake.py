"""Re-bake one article's comment section in the built site, without a Pelican build.

The theme wraps each article's comment section in markers that name the post and
the comments version baked in. A re-bake renders the section again with the
theme's own ``_comments.html``, the plugin's ``for_display`` and the settings and
author profiles of the build, and swaps it in between the markers: the result is
what a full build with the same thread would write. The post's counts in every
listing page that summarises it are swapped the same way (``listings.py``), and the
sitemap's ``<lastmod>`` of each page written moves to the re-bake (``sitemap_dates.py``).

Re-bakes are safe to repeat and to run side by side: a page is written only when
the thread brought is newer than the version in the page, under a lock file in
the output folder, through a temporary file and a rename.
"""

import fcntl
import json
import os
import re
import tempfile
from contextlib import contextmanager
from functools import cache
from types import SimpleNamespace

from pelican.generators import Generator
from pelican.settings import read_settings
from pelican.urlwrappers import Author

from . import comment_feeds, structured_data
from .comments import ExportError, paged, read_export
from .defaults import apply_defaults
from .language import install_translations
from .listings import Listings
from .pages import PAGE_TEMPLATE, site_url, write_pages
from .profiles import load_profiles
from .sitemap_dates import move_lastmod

MARKED_SECTION = re.compile(
    r"<!-- porch:comments (?P<slug>\S+) version=(?P<version>\d+) -->.*?<!-- /porch:comments -->",
    re.DOTALL,
)
SECTION_TEMPLATE = '{% import "_comments.html" as porch with context %}{{ porch.baked(article) }}'
LOCK_FILE = ".porch-rebake.lock"


class NotBaked(LookupError):
    """The built site has no marked comment section for this post."""


def load(settings_file: str, output: str | None = None, override: dict | None = None):
    """A re-baker for the site built with this Pelican settings file (into ``output``,
    with any other settings the build was given in ``override``)."""
    override = dict(override or {})
    if output:
        override["OUTPUT_PATH"] = os.path.abspath(output)
    settings = read_settings(settings_file, override=override)
    apply_defaults(SimpleNamespace(settings=settings))
    return Rebaker(settings)


class Rebaker:
    """The built site's articles (from its posts manifest) and the template to bake them."""

    def __init__(self, settings: dict):
        self.settings = settings
        self.output = settings["OUTPUT_PATH"]
        self.manifest_path = os.path.abspath(settings["PORCH_MANIFEST_PATH"])
        self.stamp = os.stat(self.manifest_path).st_mtime_ns
        with open(self.manifest_path, encoding="utf-8") as file:
            self.posts = {post["slug"]: post for post in json.load(file)["posts"]}
        generator = Generator(
            context={},
            settings=settings,
            path=settings["PATH"],
            theme=settings["THEME"],
            output_path=self.output,
        )
        install_translations(generator)  # no plugin signals outside a Pelican build
        self.template = generator.env.from_string(SECTION_TEMPLATE)
        self.generator = generator
        self.listings = Listings(settings, self.posts, generator.env)
        self.profiles = load_profiles(settings)

    @cache  # noqa: B019 (one re-baker per build, kept for the life of the process)
    def _page_template(self):
        """The theme's template for further comment pages, needed once a thread fills two."""
        return self.generator.get_template(PAGE_TEMPLATE.removesuffix(".html"))

    def reloaded(self) -> "Rebaker":
        """This re-baker, or a new one when a full build has rewritten the site since."""
        if os.stat(self.manifest_path).st_mtime_ns == self.stamp:
            return self
        return Rebaker(self.settings)

    def baked_versions(self) -> dict[str, int]:
        """The comments version each article's page carries now (0 when it has none)."""
        versions = {}
        for slug in self.posts:
            try:
                versions[slug] = self._version_in(self._read(slug))
            except (FileNotFoundError, NotBaked):
                continue  # not a page this build wrote with markers: nothing to re-bake
        return versions

    def rebake(self, slug: str, thread: dict) -> bool:
        """Bake ``thread`` (comments, count, version) into the post's page if it is newer
        than the page's; return whether the page was written."""
        with self._locked():
            html = self._read(slug)
            if thread["version"] <= self._version_in(html):
                return False
            article = self._article(slug, thread)
            section = self._render(article)
            # Listings first: the article's version is what tells a later pass it is behind.
            listed = self.listings.rebake(slug, thread, self._context(), self._write)
            move_lastmod(self.settings, [self.posts[slug]["path"], *listed], self._write)
            self._write(self._page_path(slug), MARKED_SECTION.sub(lambda _: section, html, count=1))
            article_file = self.posts[slug]["file"]
            write_pages(self._page_template, self._context(), article, article_file, self._write)
            comment_feeds.write_feed(self.settings, article, article_file, self._write)
        return True

    def render(self, slug: str, thread: dict) -> str:
        """The marked section a full build would write for this thread's first page."""
        return self._render(self._article(slug, thread))

    def _article(self, slug: str, thread: dict) -> SimpleNamespace:
        post = self.posts[slug]
        article = SimpleNamespace(
            slug=slug,
            title=post["title"],
            url=post["path"].lstrip("/"),
            authors=[Author(name, self.settings) for name in post["authors"]],
            porch_comment_count=thread["count"],
            porch_comments_version=thread["version"],
            porch_answering=self._answering(slug, thread),
        )
        paged(article, thread["comments"], self.settings)
        structured_data.carry_over(article, self._read(slug))
        return article

    def _answering(self, slug: str, thread: dict) -> list[str] | None:
        """Who answers the post: as the service said with the thread (it does on this host),
        else as the export the build read said (a thread from the public API does not)."""
        if "answering" in thread:
            return thread["answering"]
        return self._built_answering().get(slug)

    @cache  # noqa: B019 (one re-baker per build, kept for the life of the process)
    def _built_answering(self) -> dict:
        try:
            export = read_export(os.path.abspath(self.settings["PORCH_COMMENTS_EXPORT"]))
        except ExportError:
            return {}  # replaced since the build by a broken file: name the authors
        return export["answering"]

    def _render(self, article: SimpleNamespace) -> str:
        page = self.posts[article.slug]["file"]
        return self.template.render(
            {**self._context(), "SITEURL": site_url(self.settings, page), "article": article}
        )

    def _context(self) -> dict:
        return {**self.settings, "PORCH_AUTHOR_PROFILES": self.profiles}

    def _page_path(self, slug: str) -> str:
        return os.path.join(self.output, self.posts[slug]["file"])

    def _read(self, slug: str) -> str:
        with open(self._page_path(slug), encoding="utf-8") as file:
            return file.read()

    def _version_in(self, html: str) -> int:
        found = MARKED_SECTION.search(html)
        if found is None:
            raise NotBaked("The page has no marked comment section; rebuild the blog.")
        return int(found["version"])

    def _write(self, path: str, html: str) -> None:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".porch-rebake-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(html)
            os.chmod(temporary, 0o644)  # mkstemp makes 0600; the page is served
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise

    def _locked(self):
        """One re-bake at a time per site, across processes: read, compare and write as one."""
        return output_lock(self.output)


@contextmanager
def output_lock(output: str):
    """Hold the built site's lock file: re-bakes, and the writer's loop moving a new build
    in (porch_pelican/staging.py), take it so neither undoes the other's pages."""
    with open(os.path.join(output, LOCK_FILE), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
