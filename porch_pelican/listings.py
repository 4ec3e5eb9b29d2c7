"""Listing pages (the index and its pages, categories, tags, authors) keep up with threads.

Each post summary carries its comment count and readers waiting between markers that
name the post and the comments version (``_listing.html``, ``baked_counts``). The build
notes which written pages carry which post's markers, and the posts manifest lists them
for each post (``listed_in``). A re-bake renders the summary's counts again with the
theme's own macro and swaps them into each of those pages that is behind, through the
re-baker's own atomic write and under its lock: the pages read as a full build would
write them, without rendering a listing again.
"""

import os
import re
from types import SimpleNamespace
from urllib.request import pathname2url

from markupsafe import escape

from .comments import readers_waiting
from .pages import site_url

# Written pages -> slugs, collected while Pelican writes and read when the manifest is.
LISTED_KEY = "_PORCH_LISTED_IN"
MARKER = re.compile(r"<!-- porch:counts (\S+) version=\d+ -->")
COUNTS_TEMPLATE = (
    '{% import "_listing.html" as listing with context %}'
    '{{ listing.baked_counts(article, SITEURL ~ "/" ~ article.url, title) }}'
)


def start_index(pelican):
    """A fresh record for this build; the writer's contexts share this very dict."""
    pelican.settings[LISTED_KEY] = {}


def note_listing(path, context):
    """Remember which posts' counts the page Pelican just wrote at ``path`` carries.

    Article pages, most of a build's files and its largest, carry their own comment
    section and no summaries: they are not read again.
    """
    listed = context.get(LISTED_KEY)
    if listed is None or "article" in context or not path.endswith(".html"):
        return
    with open(path, encoding="utf-8") as file:
        slugs = MARKER.findall(file.read())
    if slugs:
        page = os.path.relpath(path, context["OUTPUT_PATH"])
        for slug in dict.fromkeys(slugs):
            listed.setdefault(slug, []).append(page)


def listed_in(settings, slug: str) -> list[str]:
    """The pages of this build that list the post, in a stable order."""
    return sorted(settings.get(LISTED_KEY, {}).get(str(escape(slug)), []))


def page_address(file: str) -> str:
    """A built page's address from the site's root, as pelican-sitemap writes it."""
    return "/" + pathname2url(re.sub(r"(?:^|(?<=/))index\.html$", "", file))


class Listings:
    """The listing pages of each post (from the manifest) and the macro to re-bake them."""

    def __init__(self, settings: dict, posts: dict, env):
        self.settings, self.posts = settings, posts
        self.template = env.from_string(COUNTS_TEMPLATE)

    def rebake(self, slug: str, thread: dict, context: dict, write) -> list[str]:
        """Swap this thread's counts into every listing page of the post that carries older
        ones, with ``write(path, html)``; return the addresses of the pages written."""
        post = self.posts[slug]
        marked = counts_of(slug)
        fragments = {}  # one rendering per SITEURL: relative links differ by folder depth
        written = []
        for file in post.get("listed_in", []):
            path = os.path.join(self.settings["OUTPUT_PATH"], file)
            try:
                with open(path, encoding="utf-8") as page:
                    html = page.read()
            except FileNotFoundError:
                continue  # a later build no longer writes it; the next one forgets it
            if not any(
                int(found["version"]) < thread["version"] for found in marked.finditer(html)
            ):
                continue
            here = site_url(self.settings, file)
            if here not in fragments:
                fragments[here] = self._render(post, thread, {**context, "SITEURL": here})
            write(path, marked.sub(newer(fragments[here], thread["version"]), html))
            written.append(page_address(file))
        return written

    def _render(self, post: dict, thread: dict, context: dict) -> str:
        article = SimpleNamespace(
            slug=post["slug"],
            url=post["path"].lstrip("/"),
            porch_comment_count=thread["count"],
            porch_readers_waiting=readers_waiting(thread["comments"]),
            porch_comments_version=thread["version"],
        )
        return self.template.render({**context, "article": article, "title": post["title"]})


def counts_of(slug: str) -> re.Pattern:
    """The marked counts of one post, as the theme escapes its slug."""
    return re.compile(
        rf"<!-- porch:counts {re.escape(str(escape(slug)))} version=(?P<version>\d+) -->"
        r".*?<!-- /porch:counts -->",
        re.DOTALL,
    )


def newer(fragment: str, version: int):
    """A replacement that leaves counts already at this version or newer alone."""
    return lambda found: fragment if int(found["version"]) < version else found.group(0)
