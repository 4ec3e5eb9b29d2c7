"""The posts manifest: tells the comment service which posts exist and who wrote them.

The service routes every reader comment to the post's named authors, so the
manifest lists only published articles, with authors in the order the post
gives them. It is written at the very end of a successful build.
"""

import json
import logging
import os
import tempfile
from datetime import UTC, datetime

from markupsafe import Markup

logger = logging.getLogger(__name__)

MANIFEST_VERSION = 1
# The finalized signal only receives the Pelican object, so the posts collected
# from the article generator travel to it through the shared settings dict.
POSTS_KEY = "_PORCH_MANIFEST_POSTS"


def collect_posts(generator):
    """Remember the published posts until the build has finished writing."""
    generator.settings[POSTS_KEY] = manifest_posts(generator.articles)


def manifest_posts(articles):
    """Return manifest entries, oldest first (slug breaks ties) so the file is stable."""
    published = [article for article in articles if article.status == "published"]
    return [post_entry(article) for article in sorted(published, key=sort_key)]


def sort_key(article):
    """Order by publication date, then slug."""
    return article.date, article.slug


def post_entry(article):
    """Describe one article the way the service's `posts sync` command expects."""
    return {
        "slug": article.slug,
        # Pelican titles are HTML (typogrify adds entities and spans); the service wants text.
        "title": Markup(article.title).striptags(),
        "path": "/" + article.url,
        # The built page, relative to the output folder: what a re-bake rewrites.
        "file": article.save_as,
        "date": article.date.isoformat(),
        "authors": [author.name for author in getattr(article, "authors", [])],
    }


def write_manifest(pelican):
    """Write the manifest collected during this build to PORCH_MANIFEST_PATH."""
    settings = pelican.settings
    posts = settings.pop(POSTS_KEY)
    manifest = {
        "version": MANIFEST_VERSION,
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "site_url": settings["SITEURL"],
        "posts": posts,
    }
    path = os.path.abspath(settings["PORCH_MANIFEST_PATH"])
    write_json_atomically(path, manifest)
    logger.info("Porch: wrote posts manifest %s (%d posts)", path, len(posts))


def write_json_atomically(path, data):
    """Write through a temporary file and os.replace, so no reader sees half a file."""
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, temp_path = tempfile.mkstemp(dir=folder, prefix=".porch-", suffix=".json.tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(data, file, indent=2, ensure_ascii=False)
            file.write("\n")
        os.chmod(temp_path, 0o644)  # mkstemp creates 0600; the file is served with the site
        os.replace(temp_path, path)
    except BaseException:
        os.unlink(temp_path)
        raise
