"""A thread's pages, as files: PORCH_COMMENTS_PER_PAGE top-level comments each, oldest first.

The article page carries the first page; every further page is a static file of its
own under the article's folder (``comments/2/index.html``...), linked with plain
links. The build and the re-baker write those files with the same function, from
the same template (``comments_page.html``) and the same context, so a re-baked page
is what a full build writes. The comment service splits a thread by the same rule
for its API and its permalinks: the rule is ``porch_contract.split_pages``.
"""

import os
import re

from pelican.utils import get_relative_path, path_to_url

from porch_contract import page_path

PAGE_TEMPLATE = "comments_page.html"
PAGE_FOLDER = re.compile(r"\d+")


def page_file(settings: dict, article_file: str, number: int) -> str:
    """Where page ``number`` (2 and up) of an article's comments is saved, in the output."""
    folder = os.path.dirname(article_file)
    return os.path.join(
        folder, page_path(settings["PORCH_COMMENTS_PAGE_URL"], number), "index.html"
    )


def write_pages(load_template, context: dict, article, article_file: str, write) -> None:
    """Write pages 2 and up of the article's comments with ``write(path, html)`` and remove
    pages the thread no longer fills (a thread shrinks when comments are removed).

    ``load_template()`` gives the theme's page template; it is called only when there are
    pages to write, so a theme without one serves every thread that fits on one page.
    """
    settings = context  # the build's settings, with the author profiles
    output = settings["OUTPUT_PATH"]
    numbers = range(2, len(article.porch_comment_pages) + 1)
    for number in numbers:
        path = page_file(settings, article_file, number)
        page = PageOf(article, number)
        html = load_template().render(
            {**context, "SITEURL": site_url(settings, path), "output_file": path, "article": page}
        )
        write(os.path.join(output, path), html)
    remove_pages_after(settings, article_file, len(numbers) + 1)


class PageOf:
    """The article as page ``number`` of its comments shows it: that page's comments."""

    def __init__(self, article, number: int):
        self.article = article
        self.porch_comment_page = number
        self.porch_comments = article.porch_comment_pages[number - 1]

    def __getattr__(self, name):
        return getattr(self.article, name)


def remove_pages_after(settings: dict, article_file: str, last: int) -> None:
    """Delete the comment pages numbered after ``last``."""
    first = os.path.join(settings["OUTPUT_PATH"], page_file(settings, article_file, last + 1))
    folder = os.path.dirname(os.path.dirname(first))
    if not os.path.isdir(folder):
        return
    for name in os.listdir(folder):
        page = os.path.join(folder, name, "index.html")
        if PAGE_FOLDER.fullmatch(name) and int(name) > last and os.path.isfile(page):
            os.unlink(page)
            os.rmdir(os.path.dirname(page))


def site_url(settings: dict, page: str) -> str:
    """SITEURL as Pelican gives it to this page: relative to it, with relative URLs on."""
    if settings["RELATIVE_URLS"]:
        return path_to_url(get_relative_path(page))
    return settings["SITEURL"]
