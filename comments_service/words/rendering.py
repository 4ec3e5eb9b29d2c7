"""Turn a comment's Markdown into the HTML readers get: rendered once, at write time."""

import re
import threading
from functools import lru_cache
from html import escape, unescape
from html.parser import HTMLParser

import markdown
import nh3

from .shape import valid_shape

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


# A link the sanitiser took the address from (javascript:, data:...): only its words are
# kept. nh3 writes links without nesting them, so the first </a> closes this one.
LINK_WITHOUT_ADDRESS = re.compile(r"<a(?![^>]*\shref=)[^>]*>(.*?)</a>", re.S)
# A link with no words (what is left of ``<a><a>words</a></a>``): nothing to read or name.
LINK_WITHOUT_WORDS = re.compile(r"<a [^>]*>(\s*)</a>")


def sanitise(html: str) -> str:
    """Keep only the allowed tags, attributes and link schemes; every link nofollow ugc.

    A link whose address is not allowed becomes its words: an ``<a>`` without ``href``
    is no link to anyone, and is invalid HTML with a ``rel``. A link without words is
    dropped: a screen reader could only read its address.
    """
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
        attribute_filter=_address_escaped,
    )
    if "<a " in cleaned:
        cleaned = LINK_WITHOUT_WORDS.sub(r"\1", LINK_WITHOUT_ADDRESS.sub(r"\1", cleaned))
    return valid_shape(cleaned)


# What a URL may not hold as it is (a browser reads past it, the HTML standard does not).
NOT_IN_URLS = re.compile(r'[\x00-\x20"<>\\^`{|}\x7f]')
# What a browser trims from either end of an address: control characters and spaces.
TRIMMED = "".join(map(chr, range(0x21)))
# Square brackets only around an IPv6 host: anywhere after the host they are escaped.
AFTER_HOST = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*)?")


def _address_escaped(tag: str, attribute: str, value: str) -> str:
    """A link's address with what a URL may not hold percent-encoded. Browsers drop a tab
    or a line break inside an address, so ``java&#9;script:`` would be a script link: as
    ``java%09script:`` it is the harmless address of a page of the blog."""
    if attribute != "href":
        return value
    value = value.strip(TRIMMED)
    host = AFTER_HOST.match(value).end()
    rest = NOT_IN_URLS.sub(_percent, value[host:]).replace("[", "%5B").replace("]", "%5D")
    return NOT_IN_URLS.sub(_percent, value[:host]) + rest


def _percent(found: re.Match) -> str:
    return f"%{ord(found[0]):02X}"


def count_links(html: str) -> int:
    """Links in rendered, sanitised HTML (nh3 writes every one as ``<a href=...``)."""
    return html.count("<a ")


def inert_links(html: str) -> str:
    """Stored comment HTML with every link made text: the words of the link, then its
    address when the words do not already say it (``<span class="inert-link">``).

    For comments nobody has approved yet (held, spam): staff read where a link goes
    without a click taking them there. Reads the sanitiser's own output.
    """
    parser = _InertLinks()
    parser.feed(html)
    parser.close()
    return "".join(parser.out)


class _InertLinks(HTMLParser):
    """Copies sanitised HTML as it is, but for ``<a>``, written as a span and its address."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.href: str | None = None
        self.words: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.href, self.words = dict(attrs).get("href") or "", []
            self.out.append('<span class="inert-link">')
        else:
            self.out.append(self.get_starttag_text())

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        if tag == "a" and self.href is not None:
            said = unescape("".join(self.words)).strip()
            if self.href and said not in (self.href, self.href.removeprefix("mailto:")):
                self.out.append(f' <span class="inert-url">({escape(self.href)})</span>')
            self.out.append("</span>")
            self.href = None
        else:
            self.out.append(f"</{tag}>")

    def handle_data(self, data):
        self.out.append(data)
        if self.href is not None:
            self.words.append(data)

    def handle_entityref(self, name):
        self.handle_data(f"&{name};")

    def handle_charref(self, name):
        self.handle_data(f"&#{name};")
