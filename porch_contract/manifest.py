"""The posts manifest: which posts the blog has, who wrote them, and how it pages comments.

The plugin checks what it writes and the service what it reads, against the one
schema (manifest-schema.json), so a manifest one side accepts the other can use. The
paging it carries is the blog's: the service refuses to load posts from a blog that
cuts threads into pages, or addresses them, otherwise than it does, since its
permalinks would then send readers to pages that do not show the comment.
"""

from .schemas import ContractError, Schema, located

MANIFEST_VERSION = 2
SCHEMA = Schema("manifest-schema.json")


def check_manifest(document, where: str) -> None:
    """Raise ContractError unless ``document`` is a manifest of this version that lists
    each slug once; ``where`` names it in the message (a file, "The manifest")."""
    if isinstance(document, dict) and _older(document.get("version")):
        raise ContractError(
            f"{where} is a version {document['version']} posts manifest, from a build with an"
            " older Porch, and does not say how the blog pages comments: rebuild the blog"
            " with this version of Porch (invoke build), then load its posts again.",
            ("version",),
        )
    SCHEMA.check(document, where)
    _check_slugs_differ(document["posts"], where)


def _older(version) -> bool:
    return isinstance(version, int) and not isinstance(version, bool) and version < 2


def _check_slugs_differ(posts: list[dict], where: str) -> None:
    """One post per slug: the service keys posts, their comments and their pages by it."""
    first = {}
    for index, post in enumerate(posts):
        earlier = first.setdefault(post["slug"], index)
        if earlier != index:
            raise ContractError(
                f"{located(where, ('posts', index))} has the slug {post['slug']!r} of"
                f" posts[{earlier}]; each post needs a slug of its own.",
                ("posts", index, "slug"),
            )


def language_disagreement(document: dict, language: str) -> str | None:
    """What to change when the blog is written in another language than the one the service
    speaks (``language``, its PORCH_LANGUAGE); None when they agree or the manifest says none.
    Codes compare as Babel reads them: "de-DE" is "de_DE"."""
    blog = document.get("language")
    if blog is None or _language(blog) == _language(language):
        return None
    return (
        f"the blog is written in {blog!r} (DEFAULT_LANG in its pelicanconf.py, or"
        f" PORCH_LANGUAGE) but this service speaks {language!r} (its PORCH_LANGUAGE): set"
        " PORCH_LANGUAGE to the same on both, then build the blog and load its posts again."
    )


def _language(code: str) -> str:
    return code.replace("-", "_").lower()


def paging_disagreement(document: dict, per_page: int, page_url: str) -> str | None:
    """What differs between the paging a checked manifest carries and the service's own
    (``per_page``, ``page_url``), with the settings to change; None when they agree."""
    blog = document["comments"]
    differences = []
    if blog["per_page"] != per_page:
        differences.append(
            f"the blog pages comments {blog['per_page']} at a time (PORCH_COMMENTS_PER_PAGE"
            f" in its pelicanconf.py) but this service {per_page} (its PORCH_COMMENTS_PER_PAGE)"
        )
    if blog["page_url"] != page_url:
        differences.append(
            f"the blog puts later comment pages at {blog['page_url']!r} (PORCH_COMMENTS_PAGE_URL"
            f" in its pelicanconf.py) but this service sends readers to {page_url!r} (its"
            " PORCH_COMMENTS_PAGE_URL)"
        )
    if not differences:
        return None
    return (
        "; and ".join(differences) + ": set the same on both (pelicanconf.py reads either from"
        " the environment, as the service does), then build the blog and load its posts again."
    )
