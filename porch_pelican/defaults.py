"""Default values for the PORCH_* settings, and the Jinja settings the theme relies on.

Applied once per build, before any generator runs (generators build their Jinja
environment from the settings), so templates and the other handlers can rely on
every setting being present.
"""

import logging
import os
from functools import partial

from porch_contract import COMMENTS_PAGE_URL, COMMENTS_PER_PAGE

from .filters import FILTERS

logger = logging.getLogger(__name__)

SERVICE_URL = "http://127.0.0.1:5000"
COMMENTS_EXPORT = "var/comments-export.json"
AUTHORS_DIR = "authors"
MANIFEST_FILENAME = "porch-manifest.json"
THREAD_DEPTH = 5
THREAD_COLLAPSE = 4
# Templates that print what readers wrote: they escape every value unless told |safe.
AUTOESCAPED_TEMPLATES = frozenset(
    {"_comments.html", "_people.html", "_figures.html", "comments_page.html"}
)


def apply_defaults(pelican):
    """Fill in missing PORCH_* settings on the Pelican instance."""
    settings = pelican.settings
    service_url = settings.get("PORCH_SERVICE_URL")
    if service_url is None:
        service_url = SERVICE_URL
    # An empty string is kept: it means the API is served from the blog's own origin.
    # No trailing slash, because templates append "/api/...".
    settings["PORCH_SERVICE_URL"] = service_url.rstrip("/")
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
    exclude_authors_dir(settings)
    autoescape_comment_templates(settings)
    settings["JINJA_FILTERS"] = {**settings["JINJA_FILTERS"], **FILTERS}


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
