"""Load the blog's posts manifest (written by the Pelican plugin) into the posts table.

What a manifest holds, and its paging, is porch_contract's (porch_contract/manifest.py):
a manifest is loaded only when it follows the schema and the blog pages comments as
this service does; otherwise nothing is.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from comments_service.extensions import db
from comments_service.models import Post, PostAuthor, utcnow
from comments_service.services.site.answering import active_staff_names, answering
from porch_contract.manifest import check_manifest, language_disagreement, paging_disagreement
from porch_contract.schemas import ContractError


class ManifestError(ValueError):
    """The manifest cannot be used; the message says what to fix."""


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # Posts the service knows but the manifest no longer lists. They are kept, so
    # their comments are never lost; they disappear only from the blog.
    not_in_manifest: list[str] = field(default_factory=list)


def load_manifest(path: Path, per_page: int, page_url: str) -> list[dict]:
    """The checked posts of the manifest file at ``path``, for a service that pages
    comments ``per_page`` at a time at ``page_url``."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(f"{path}: no such file; build the blog first (invoke build).") from None
    except json.JSONDecodeError as error:
        raise ManifestError(f"{path}: not valid JSON ({error}).") from None
    return manifest_entries(document, path, per_page, page_url)


def manifest_entries(document, path, per_page: int, page_url: str) -> list[dict]:
    """The checked posts of a manifest document (``path`` names it in messages), when the
    blog pages comments as this service does (``per_page``, ``page_url``)."""
    try:
        check_manifest(document, str(path))
    except ContractError as error:
        raise ManifestError(str(error)) from None
    disagreement = paging_disagreement(document, per_page, page_url) or language_disagreement(
        document, current_app.config["PORCH_LANGUAGE"]
    )
    if disagreement:
        raise ManifestError(f"{path}: {disagreement}")
    return [
        _dated(entry, f"{path}: posts[{index}]") for index, entry in enumerate(document["posts"])
    ]


def _dated(entry: dict, where: str) -> dict:
    """The entry with its date as a time (in UTC when the date names no zone)."""
    published = None
    if entry.get("date"):
        try:
            published = datetime.fromisoformat(entry["date"])
        except ValueError:
            raise ManifestError(f"{where} has a date that is not ISO 8601.") from None
        if published.tzinfo is None:
            published = published.replace(tzinfo=UTC)
    return {**entry, "published_at": published}


def sync_posts(entries: list[dict]) -> SyncReport:
    """Create or update one post per manifest entry; never delete."""
    report = SyncReport()
    known = {post.slug: post for post in db.session.scalars(select(Post))}
    for entry in entries:
        post = known.pop(entry["slug"], None)
        if post is None:
            db.session.add(_new_post(entry))
            report.created.append(entry["slug"])
        elif _apply(post, entry):
            report.updated.append(entry["slug"])
        else:
            report.unchanged.append(entry["slug"])
    report.not_in_manifest = sorted(known)
    return report


def _new_post(entry: dict) -> Post:
    post = Post(slug=entry["slug"], title="", path="")
    _apply(post, entry)
    return post


def _apply(post: Post, entry: dict) -> bool:
    """Copy an entry onto a post; return whether anything changed."""
    wanted = (entry["title"], entry["path"], entry["published_at"], entry["authors"])
    if (post.title, post.path, post.published_at, post.author_names) == wanted:
        return False
    post.title, post.path, post.published_at = wanted[:3]
    post.authors = [PostAuthor(name=name, position=i) for i, name in enumerate(entry["authors"])]
    post.synced_at = utcnow()
    return True


def accountless_authors(entries: list[dict]) -> list[str]:
    """One warning per named author who has no active staff account, saying who gets
    the post's comments instead: its other authors with accounts, else the admins."""
    active = active_staff_names()
    warnings = []
    for entry in entries:
        instead = " and ".join(answering(entry["authors"], active) or ()) or "the admins"
        for name in entry["authors"]:
            if name not in active:
                warnings.append(
                    f"{name} has no staff account: comments on '{entry['title']}' "
                    f"will go to {instead}."
                )
    return warnings
