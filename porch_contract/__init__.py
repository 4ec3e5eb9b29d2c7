"""What the blog and the comment service must agree on. Both import it; it imports neither.

Here: how a thread is cut into pages and where they live (this module), and the two
files one side writes for the other, each with its version and JSON Schema: the posts
manifest (``porch_contract.manifest``: the blog to the service) and the comments export
(``porch_contract.export``: the service to the blog). The plugin checks the manifest
it writes and the export it reads, the service the manifest it reads (and its tests
the export it writes), against the one schema: neither side drifts from the other
unnoticed.

A thread is shown in pages of ``per_page`` top-level comments, oldest first, each with
all its replies; page 1 is the article itself and page N lives at the article's
address plus ``page_url`` (``comments/N/``). The Pelican plugin bakes those pages, the
service serves them from its API and sends permalinks and readers to them, so both
cut a thread here, and the posts manifest carries the blog's paging to the service
(``flask posts sync`` refuses a blog that pages otherwise).
"""

from collections.abc import Sequence
from typing import TypeVar

COMMENTS_PER_PAGE = 50
COMMENTS_PAGE_URL = "comments/{number}/"

Node = TypeVar("Node")


def split_pages(thread: Sequence[Node], per_page: int) -> list[list[Node]]:
    """The flat thread (nodes with a ``depth``, in reading order) cut before every
    ``per_page``-th top-level comment; at least one page."""
    pages: list[list[Node]] = [[]]
    threads = 0
    for node in thread:
        if node["depth"] == 0:
            if threads == per_page:
                pages.append([])
                threads = 0
            threads += 1
        pages[-1].append(node)
    return pages


def page_path(page_url: str, number: int) -> str:
    """Page ``number``'s address relative to its article: empty for the first."""
    return page_url.format(number=number) if number > 1 else ""


def page_address(article_url: str, number: int, page_url: str) -> str:
    """The blog's address of page ``number`` of an article's comments."""
    return article_url + page_path(page_url, number)
