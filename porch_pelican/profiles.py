"""Author profiles read from content/<PORCH_AUTHORS_DIR>/*.md.

Every comment gets an answer from a named author, so readers should see who
that author is: the theme shows the profile next to posts and staff replies.
"""

import glob
import logging
import os

from pelican.readers import MarkdownReader

logger = logging.getLogger(__name__)


def attach_profiles(generators):
    """Expose profiles to templates and hang each one on the matching Author objects.

    Runs once every generator has read its content, so pages and drafts get
    profiles too; Pelican creates separate Author objects per document.
    """
    context = generators[0].context  # one dict shared by every generator
    profiles = load_profiles(generators[0].settings)
    context["PORCH_AUTHOR_PROFILES"] = profiles
    # Pages without an Author line are the blog's own (AUTHOR): no person to introduce.
    site_author, missing = generators[0].settings.get("AUTHOR"), {}
    for content in context["generated_content"].values():
        for author in authors_of(content):
            author.profile = profiles.get(author.name)
            if author.profile is None and author.name != site_author:
                missing.setdefault(author.name, author.slug)
    for name, slug in sorted(missing.items()):
        warn_no_profile(name, slug, generators[0].settings)


def warn_no_profile(name, slug, settings):
    """Say which file would give an author a profile: without one their card and byline
    show only their name and initials, and readers learn nothing about who answers."""
    path = os.path.join(settings["PATH"], settings["PORCH_AUTHORS_DIR"], f"{slug}.md")
    shown = os.path.relpath(path)
    logger.warning(
        "Porch: %s has no profile: add %s",
        name,
        path if shown.startswith(os.pardir) else shown,
    )


def authors_of(content):
    """Return every Author object a document refers to (None marks a file that failed)."""
    if content is None:
        return []
    authors = list(getattr(content, "authors", []))
    if hasattr(content, "author"):
        authors.append(content.author)
    return authors


def load_profiles(settings):
    """Return {name: profile} for every readable profile file, sorted by file name."""
    folder = os.path.join(settings["PATH"], settings["PORCH_AUTHORS_DIR"])
    reader = MarkdownReader(settings)
    profiles = {}
    for path in sorted(glob.glob(os.path.join(glob.escape(folder), "*.md"))):
        profile = read_profile(reader, path)
        if profile is not None:
            profiles[profile["name"]] = profile
    return profiles


def read_profile(reader, path):
    """Read one profile; a broken file is logged and skipped so the site still builds."""
    try:
        bio_html, metadata = reader.read(path)
    except (OSError, ValueError) as error:
        logger.error("Porch: cannot read author profile %s: %s", path, error)
        return None
    if not metadata.get("name"):
        logger.error("Porch: author profile %s has no 'Name:' line; skipped", path)
        return None
    return {
        "name": metadata["name"],
        "role": metadata.get("role"),
        "bio_html": bio_html,
        "avatar_url": local_avatar(metadata.get("avatar"), path),
        "slug": os.path.splitext(os.path.basename(path))[0],
    }


def local_avatar(avatar, path):
    """The avatar's path inside the site, or None: readers' browsers ask no one else.

    An address on another host (Gravatar, a CDN) would tell it who reads the blog; the
    theme shows the author's initials instead.
    """
    if not avatar:
        return None
    if "//" in avatar or ":" in avatar:
        logger.warning("Porch: avatar %s in %s is not on the blog; showing initials", avatar, path)
        return None
    return avatar.lstrip("/")
