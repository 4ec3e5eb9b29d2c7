"""Bake the comment service's export into articles.

Readers without JavaScript (and search engines) still see every approved
comment and its staff answer; the script then only adds what is newer than
the build. A missing or broken export never stops the blog from building.
"""

import json
import logging
import os
from itertools import chain

logger = logging.getLogger(__name__)

SUPPORTED_VERSION = 1
REQUIRED_NODE_KEYS = ("id", "author_name", "html", "created_at", "replies")
NO_COMMENTS = {"exported_at": None, "posts": {}}


class ExportError(ValueError):
    """The export file exists but does not follow the contract."""


def attach_comments(generator):
    """Give every article its comment tree and count; put the export time in the context."""
    export = read_export(os.path.abspath(generator.settings["PORCH_COMMENTS_EXPORT"]))
    generator.context["PORCH_EXPORTED_AT"] = export["exported_at"]
    for article in every_article(generator):
        roots = export["posts"].get(article.slug, [])
        article.porch_comments = roots
        article.porch_comment_count = count_nodes(roots)


def every_article(generator):
    """Published, hidden and draft articles and their translations: all can be rendered."""
    return chain(
        generator.articles,
        generator.translations,
        generator.hidden_articles,
        generator.hidden_translations,
        generator.drafts,
        generator.drafts_translations,
    )


def count_nodes(nodes):
    """Count comments at every depth of the thread."""
    return sum(1 + count_nodes(node["replies"]) for node in nodes)


def read_export(path):
    """Return the validated export at path, or an empty one when it is missing or unusable."""
    try:
        with open(path, encoding="utf-8") as file:
            data = json.load(file)
    except FileNotFoundError:
        logger.info("Porch: no comments export at %s; building without baked comments", path)
        return NO_COMMENTS
    except (OSError, ValueError) as error:
        logger.error("Porch: cannot read comments export %s: %s", path, error)
        return NO_COMMENTS
    try:
        return validate_export(data)
    except ExportError as error:
        logger.error("Porch: ignoring comments export %s: %s", path, error)
        return NO_COMMENTS


def validate_export(data):
    """Check the shape templates rely on, so a bad file fails here and not mid-render."""
    if not isinstance(data, dict):
        raise ExportError("the top level is not a JSON object")
    version = data.get("version")
    if version != SUPPORTED_VERSION:
        raise ExportError(
            f"unsupported export version {version!r}; this plugin reads version "
            f"{SUPPORTED_VERSION} (export again with a matching comment service)"
        )
    posts = data.get("posts")
    if not isinstance(posts, dict):
        raise ExportError('"posts" is not an object keyed by post slug')
    for slug, roots in posts.items():
        check_nodes(roots, f"posts[{slug!r}]")
    return {"exported_at": data.get("exported_at"), "posts": posts}


def check_nodes(nodes, where):
    """Raise ExportError naming the first comment node that lacks a required key."""
    if not isinstance(nodes, list):
        raise ExportError(f"{where} is not a list of comments")
    for index, node in enumerate(nodes):
        here = f"{where}[{index}]"
        if not isinstance(node, dict):
            raise ExportError(f"{here} is not a comment object")
        missing = [key for key in REQUIRED_NODE_KEYS if key not in node]
        if missing:
            raise ExportError(f"{here} lacks {', '.join(missing)}")
        check_nodes(node["replies"], f"{here}.replies")
