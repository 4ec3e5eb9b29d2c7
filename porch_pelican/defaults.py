"""Default values for the PORCH_* settings.

Applied once per build, before any generator runs, so templates and the other
handlers can rely on every setting being present.
"""

import os

SERVICE_URL = "http://127.0.0.1:5000"
COMMENTS_EXPORT = "var/comments-export.json"
AUTHORS_DIR = "authors"
MANIFEST_FILENAME = "porch-manifest.json"


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
    exclude_authors_dir(settings)


def exclude_authors_dir(settings):
    """Keep profile files out of articles and pages: they have no title and are not posts."""
    authors_dir = settings["PORCH_AUTHORS_DIR"]
    for key in ("ARTICLE_EXCLUDES", "PAGE_EXCLUDES"):
        if authors_dir not in settings[key]:
            settings[key] = [*settings[key], authors_dir]
