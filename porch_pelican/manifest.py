"""The posts manifest: tells the comment service which posts exist and who wrote them.

The service routes every reader comment to the post's named authors, so the
manifest lists the articles readers can comment on: published ones and hidden ones
(published, reached by their link, listed nowhere), never drafts; with authors in the
order the post gives them. It also carries how this blog pages comments, which the
service must share. It is written at the very end of a successful build, once it has passed the
check the service makes (porch_contract.manifest): a build that would hand the service
a manifest it refuses stops instead, naming what is wrong.
"""

import json
import logging
import os
import tempfile
from datetime import UTC, datetime

from markupsafe import Markup

from porch_contract.manifest import MANIFEST_VERSION, check_manifest
from porch_contract.schemas import ContractError

from .listings import listed_in

logger = logging.getLogger(__name__)

# The finalized signal only receives the Pelican object, so the posts collected
# from the article generator travel to it through the shared settings dict.
POSTS_KEY = "_PORCH_MANIFEST_POSTS"


def collect_posts(generator):
    """Remember the posts readers may comment on until the build has finished writing."""
    articles = [*generator.articles, *generator.hidden_articles]
    generator.settings[POSTS_KEY] = manifest_posts(articles)


def manifest_posts(articles):
    """Return manifest entries, oldest first (slug breaks ties) so the file is stable."""
    published = [article for article in articles if article.status in ("published", "hidden")]
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
    posts = [
        {**post, "listed_in": listed_in(settings, post["slug"])} for post in settings.pop(POSTS_KEY)
    ]
    manifest = {
        "version": MANIFEST_VERSION,
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "site_url": settings["SITEURL"],
        "language": settings.get("DEFAULT_LANG") or "en",
        "comments": {
            "per_page": settings["PORCH_COMMENTS_PER_PAGE"],
            "page_url": settings["PORCH_COMMENTS_PAGE_URL"],
        },
        "posts": posts,
    }
    path = os.path.abspath(settings["PORCH_MANIFEST_PATH"])
    stop_unless_loadable(manifest, path)
    write_json_atomically(path, manifest)
    logger.info("Porch: wrote posts manifest %s (%d posts)", path, len(posts))


class ManifestError(ValueError):
    """This build's manifest is not one the service can load; the message says why."""


def stop_unless_loadable(manifest, path):
    """Stop the build, naming the post or setting at fault, unless the service can load
    ``manifest``: the previous manifest at ``path`` stays as it was."""
    try:
        check_manifest(manifest, f"Porch: the posts manifest for {path}")
    except ContractError as error:
        post = post_named(manifest, error.location)
        raise ManifestError(f"{error}{post} Fix it and build again.") from None


def post_named(manifest, location):
    """Which post's entry is wrong, by slug, when the error is in one."""
    if len(location) < 2 or location[0] != "posts":
        return ""
    slug = manifest["posts"][location[1]].get("slug")
    return f" That is the post {slug!r}." if isinstance(slug, str) else ""


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
