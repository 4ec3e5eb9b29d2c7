"""Bake the comment service's export into articles.

Readers without JavaScript (and search engines) still see every approved
comment and its staff answer; the script then only adds what is newer than
the build. With no export the blog builds with empty threads (it never needs the
service); an export that is not one (porch_contract.export) stops the build, naming
what is wrong, rather than publish every article without its comments.

The export holds each thread as one flat list in reading order, every comment
with its depth. Nothing here or in the theme recurses: threads have no depth
limit, and the page nests replies only PORCH_THREAD_DEPTH levels deep.
"""

import json
import logging
import os
from functools import cache
from itertools import chain
from types import SimpleNamespace

from porch_contract import split_pages
from porch_contract.export import check_export
from porch_contract.schemas import ContractError

from .figures import last_month_sentence
from .pages import PAGE_TEMPLATE, write_pages

logger = logging.getLogger(__name__)

# What a message about a bad export tells a person to do.
AGAIN = (
    " Export the comments again (flask --app comments_service comments export) from a"
    " comment service that runs this blog's version of Porch, or remove the file to build"
    " without them."
)
NO_COMMENTS = {"exported_at": None, "posts": {}, "figures": None, "answering": {}}
NO_THREAD = {"count": 0, "comments": [], "version": 0}


class ExportError(ValueError):
    """The export file exists but is not a comments export this plugin can bake."""


def attach_comments(generator):
    """Give every article its thread, ready to render, and the service's count of it."""
    export = read_export(os.path.abspath(generator.settings["PORCH_COMMENTS_EXPORT"]))
    generator.context["PORCH_EXPORTED_AT"] = export["exported_at"]
    generator.context["PORCH_FIGURES_SENTENCE"] = last_month_sentence(export["figures"])
    for article in every_article(generator):
        thread = export["posts"].get(article.slug, NO_THREAD)
        paged(article, thread["comments"], generator.settings)
        article.porch_comment_count = thread["count"]
        article.porch_readers_waiting = readers_waiting(thread["comments"])
        # Which change of the thread this is; a re-baker replaces the section when behind.
        article.porch_comments_version = thread.get("version", 0)
        # Who answers where it is not every named author (an author without an account);
        # None: the authors, as the byline names them.
        article.porch_answering = export["answering"].get(article.slug)


def readers_waiting(comments):
    """How many reader comments still wait for an answer, as the export marks them."""
    return sum(1 for node in comments if node.get("waiting") is True)


def paged(article, comments, settings):
    """Give an article its thread's pages, ready to render; its own page shows the first."""
    levels, collapse = settings["PORCH_THREAD_DEPTH"], settings["PORCH_THREAD_COLLAPSE"]
    split = split_pages(comments, settings["PORCH_COMMENTS_PER_PAGE"])
    article.porch_comment_pages = [for_display(page, levels, collapse) for page in split]
    article.porch_comments = article.porch_comment_pages[0]
    article.porch_comment_page = 1


def write_comment_pages(generator, writer):
    """Write each published article's further comment pages, as a re-bake writes them."""
    template = cache(lambda: generator.get_template(PAGE_TEMPLATE.removesuffix(".html")))
    context = {
        **generator.settings,
        "PORCH_AUTHOR_PROFILES": generator.context.get("PORCH_AUTHOR_PROFILES", {}),
    }
    for article in chain(generator.articles, generator.translations):
        write_pages(template, context, article, article.save_as, write_file)


def write_file(path, html):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as file:
        file.write(html)


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


def for_display(comments, levels, collapse):
    """Tell a template, comment by comment, how to nest the flat thread in one loop.

    A comment sits at its depth, or at the last of ``levels`` levels when it is
    deeper; then it is ``flattened`` and says which comment it answers. ``nests``:
    the next comment is its reply, so a replies list opens inside this comment; it
    opens folded (``folds``) at level ``collapse`` and deeper. ``closes``: how many
    replies lists end after it; ``closing``: the same lists, innermost first, each True
    when it was folded.
    ``answer_line``: who answered a reader comment and how fast, or that it still waits, as
    the service words it (None where an export predates the line).

    Each comment is an object with the export's keys as attributes: Jinja looks up
    ``c.id`` as an attribute first, and a thread of thousands of comments printed from
    dicts spends much of its time on failed attribute lookups. ``removed``, ``answer_line``
    and ``edited_by_team`` are always there (False, None and False unless the export says
    otherwise) for the same reason.
    """
    shown = [min(node["depth"], levels - 1) for node in comments]
    following = [*shown[1:], 0] if shown else []  # after the last comment: the top level
    return [
        SimpleNamespace(
            **{
                "removed": False,
                "answer_line": None,
                "edited_by_team": False,
                **node,
                "flattened": node["depth"] >= levels,
                "nests": after > level,
                "folds": after > level and after >= collapse,
                "closes": max(level - after, 0),
                "closing": [closed >= collapse for closed in range(level, after, -1)],
            }
        )
        for node, level, after in zip(comments, shown, following, strict=True)
    ]


def read_export(path):
    """Return the checked export at path, or an empty one when there is no file there."""
    try:
        with open(path, encoding="utf-8") as file:
            data = json.load(file)
    except FileNotFoundError:
        logger.info("Porch: no comments export at %s; building without baked comments", path)
        return NO_COMMENTS
    except ValueError as error:
        raise ExportError(
            f"Porch: the comments export {path} is not JSON ({error}).{AGAIN}"
        ) from None
    try:
        check_export(data, f"Porch: the comments export {path}")
    except ContractError as error:
        raise ExportError(f"{error}{AGAIN}") from None
    return {
        "exported_at": data["exported_at"],
        "posts": data["posts"],
        "figures": data.get("figures"),
        "answering": data.get("answering", {}),
    }
