"""Turn a comment's Markdown into the HTML readers get: rendered once, at write time."""

import threading
from functools import lru_cache

import markdown
import nh3

ALLOWED_TAGS = {
    "a",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc"


# Bare addresses (https://..., www...., someone@example.com) become links, so they are
# clickable for readers and counted against PORCH_MAX_LINKS like written links.
EXTENSIONS = ["fenced_code", "sane_lists", "pymdownx.magiclink"]


@lru_cache(maxsize=64)
def render_comment(text: str) -> str:
    """Render Markdown and sanitise it: no scripts, no handlers, only safe links.

    The last texts rendered are kept: a new comment is rendered when the API checks that
    something of it shows, then again when it is stored.
    """
    return sanitise(_renderer().reset().convert(text))


_per_thread = threading.local()


def _renderer() -> markdown.Markdown:
    """This thread's Markdown converter: building one costs more than most comments do,
    and a converter keeps state while it converts, so threads do not share one."""
    if not hasattr(_per_thread, "markdown"):
        _per_thread.markdown = markdown.Markdown(extensions=EXTENSIONS, output_format="html")
    return _per_thread.markdown


def sanitise(html: str) -> str:
    """Keep only the allowed tags, attributes and link schemes; every link nofollow ugc."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def count_links(html: str) -> int:
    """Links in rendered, sanitised HTML (nh3 writes every one as ``<a href=...``)."""
    return html.count("<a ")
