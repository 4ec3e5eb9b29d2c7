"""The comments export the blog bakes: every post's public thread, and the answer figures.

The service writes it (``flask comments export``) and the plugin reads it at build
time; both follow comments-export-schema.json, and the plugin checks a file against it
before baking, so a file that is not one stops the build where it is wrong rather than
leaving articles without their comments.
"""

from .schemas import ContractError, Schema, located

EXPORT_VERSION = 2
SCHEMA = Schema("comments-export-schema.json")


def check_export(document, where: str) -> None:
    """Raise ContractError unless ``document`` is an export of this version whose threads
    are in reading order; ``where`` names it in the message."""
    SCHEMA.check(document, where)
    for slug, thread in document["posts"].items():
        _check_reading_order(thread["comments"], ("posts", slug, "comments"), where)


def _check_reading_order(nodes: list[dict], location: tuple, where: str) -> None:
    """In reading order each comment is at most one level deeper than the one before it
    (the first at the top level), which is what lets a page nest the flat list in one pass."""
    previous_depth = -1
    for index, node in enumerate(nodes):
        depth = node["depth"]
        if depth > previous_depth + 1:
            here = (*location, index)
            raise ContractError(
                f"{located(where, here)} has depth {depth}; in reading order it can be"
                f" 0 to {previous_depth + 1}.",
                (*here, "depth"),
            )
        previous_depth = depth
