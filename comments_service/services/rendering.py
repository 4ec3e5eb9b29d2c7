"""Turn a comment's Markdown into the HTML readers get: rendered once, at write time."""

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


def render_comment(text: str) -> str:
    """Render Markdown and sanitise it: no scripts, no handlers, only safe links."""
    html = markdown.markdown(text, extensions=["fenced_code", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def count_links(html: str) -> int:
    return html.count("<a ")
