"""Default values for the PORCH_* settings, and the Jinja settings the theme relies on.

Applied once per build, before any generator runs (generators build their Jinja
environment from the settings), so templates and the other handlers can rely on
every setting being present.
"""

import logging
import os
from functools import partial
from urllib.parse import urlsplit, urlunsplit

from porch_contract import COMMENTS_PAGE_URL, COMMENTS_PER_PAGE

from .comment_html import FILTERS as MARKUP_FILTERS
from .filters import FILTERS
from .language import apply_language
from .script_words import script_words

logger = logging.getLogger(__name__)

SERVICE_URL = "http://127.0.0.1:5000"
# The names these settings had before, and their names now (the comment service's).
RENAMED = {"PORCH_SERVICE_URL": "PORCH_PUBLIC_URL", "PORCH_SITE_URL": "PORCH_BLOG_URL"}
DEFAULT_PORTS = {"http": 80, "https": 443}
COMMENTS_EXPORT = "var/comments-export.json"
AUTHORS_DIR = "authors"
MANIFEST_FILENAME = "porch-manifest.json"
# Where an article's comments feed is, after the article's address (comment_feeds.py).
COMMENTS_FEED_URL = "comments.atom"
THREAD_DEPTH = 5
THREAD_COLLAPSE = 4
# Who the blog promises an answer from when none of a post's authors has a staff account.
ANSWERING_TEAM = "our team"
# Templates that print what readers wrote: they escape every value unless told |safe.
AUTOESCAPED_TEMPLATES = frozenset(
    {"_comments.html", "_people.html", "_figures.html", "_share.html", "comments_page.html"}
)


def apply_defaults(pelican):
    """Fill in missing PORCH_* settings on the Pelican instance."""
    settings = pelican.settings
    refuse_renamed(settings)
    settings.setdefault("PORCH_PUBLIC_URL", SERVICE_URL)
    normalise_urls(settings)
    settings["PORCH_ABSOLUTE_SITEURL"] = absolute_site_url(settings)
    settings.setdefault("PORCH_COMMENTS_EXPORT", COMMENTS_EXPORT)
    settings.setdefault("PORCH_AUTHORS_DIR", AUTHORS_DIR)
    settings.setdefault(
        "PORCH_MANIFEST_PATH", os.path.join(settings["OUTPUT_PATH"], MANIFEST_FILENAME)
    )
    settings["PORCH_THREAD_DEPTH"] = whole_number(settings, "PORCH_THREAD_DEPTH", THREAD_DEPTH)
    settings["PORCH_THREAD_COLLAPSE"] = whole_number(
        settings, "PORCH_THREAD_COLLAPSE", THREAD_COLLAPSE
    )
    settings["PORCH_COMMENTS_PER_PAGE"] = whole_number(
        settings, "PORCH_COMMENTS_PER_PAGE", COMMENTS_PER_PAGE
    )
    settings.setdefault("PORCH_COMMENTS_PAGE_URL", COMMENTS_PAGE_URL)
    settings.setdefault("PORCH_COMMENTS_FEED_URL", COMMENTS_FEED_URL)
    settings.setdefault("PORCH_ANSWERING_TEAM", ANSWERING_TEAM)
    exclude_authors_dir(settings)
    autoescape_comment_templates(settings)
    apply_language(settings)
    settings["JINJA_FILTERS"] = {**settings["JINJA_FILTERS"], **FILTERS, **MARKUP_FILTERS}
    settings["JINJA_GLOBALS"] = {**settings["JINJA_GLOBALS"], "porch_script_words": script_words}


def refuse_renamed(settings):
    """Stop the build when an old name is set: quietly ignored, it would leave the pages
    posting comments to the wrong address."""
    old = [name for name in RENAMED if name in os.environ or name in settings]
    if old:
        advice = "; ".join(f"{name} is no longer read: set {RENAMED[name]}" for name in old)
        raise ValueError(f"{advice} (docs/configuration.md).")


def normalise_urls(settings):
    """The blog's and the service's addresses, once, as the service normalises its own
    (comments_service/site_urls.py): no trailing slash (templates append "/api/..."),
    scheme and host in lower case, no default port. Empty stays empty: a relative
    SITEURL, or the API on the blog's own origin."""
    for name in ("SITEURL", "FEED_DOMAIN", "PORCH_PUBLIC_URL"):
        if settings.get(name):
            settings[name] = normalised_url(name, settings[name])


def normalised_url(name, raw):
    """``scheme://host[:port][/path]``, or a clear error naming the setting."""
    try:
        parts = urlsplit(raw.strip())
        port = parts.port
    except ValueError:
        parts, port = None, None
    if parts is None or parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"{name} must be an http:// or https:// address or empty, not {raw!r}")
    if parts.query or parts.fragment or parts.username is not None:
        raise ValueError(f"{name} must name no user, query or fragment, not {raw!r}")
    scheme = parts.scheme.lower()
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), "", ""))


def absolute_site_url(settings):
    """The blog's address for links read off the page (canonical links, share tags):
    SITEURL, or where a local build has none, the one its feeds link to (FEED_DOMAIN)."""
    return settings.get("SITEURL") or settings.get("FEED_DOMAIN") or ""


def whole_number(settings, name, default):
    """A count setting (nesting levels, threads per page); a value that cannot work falls back."""
    value = settings.get(name, default)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    logger.error("Porch: %s must be a whole number of at least 1, not %r", name, value)
    return default


def exclude_authors_dir(settings):
    """Keep profile files out of articles and pages: they have no title and are not posts."""
    authors_dir = settings["PORCH_AUTHORS_DIR"]
    for key in ("ARTICLE_EXCLUDES", "PAGE_EXCLUDES"):
        if authors_dir not in settings[key]:
            settings[key] = [*settings[key], authors_dir]


def autoescape_comment_templates(settings):
    """Turn Jinja autoescape on for the templates that print reader input.

    Pelican renders without autoescape, so one forgotten ``|e`` would be stored XSS.
    Other templates keep whatever the site configured. The dict is replaced, not
    changed: Pelican may share it with its default settings.
    """
    jinja = dict(settings["JINJA_ENVIRONMENT"])
    jinja["autoescape"] = partial(escapes, jinja.get("autoescape", False))
    settings["JINJA_ENVIRONMENT"] = jinja


def escapes(site_setting, template_name):
    """Autoescape decision for one template, like the functions jinja2.select_autoescape makes."""
    if template_name in AUTOESCAPED_TEMPLATES:
        return True
    return site_setting(template_name) if callable(site_setting) else bool(site_setting)
