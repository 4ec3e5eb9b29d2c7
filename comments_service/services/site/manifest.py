"""Load the blog's posts manifest (written by the Pelican plugin) into the posts table."""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path

import jsonschema
from sqlalchemy import select

from comments_service.extensions import db
from comments_service.models import Post, PostAuthor, Staff, utcnow

# What a manifest holds (comments_service/manifest-schema.json), as the plugin writes it.
SCHEMA = json.loads(files("comments_service").joinpath("manifest-schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


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


def load_manifest(path: Path) -> list[dict]:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(f"{path}: no such file; build the blog first (invoke build).") from None
    except json.JSONDecodeError as error:
        raise ManifestError(f"{path}: not valid JSON ({error}).") from None
    return manifest_entries(document, path)


def manifest_entries(document, path) -> list[dict]:
    """The checked posts of a manifest document; ``path`` names it in messages."""
    error = jsonschema.exceptions.best_match(VALIDATOR.iter_errors(document))
    if error is not None:
        raise ManifestError(_explained(error, path))
    posts = document["posts"]
    entries = [_dated(entry, f"{path}: posts[{index}]") for index, entry in enumerate(posts)]
    _check_slugs_differ(entries, path)
    return entries


def _explained(error: jsonschema.ValidationError, path) -> str:
    """Which field is wrong, what it must be (its description in the schema), and why not."""
    where = "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path
    ).lstrip(".")
    named = f"{path}: {where}" if where else str(path)
    return f"{named} must be {_description(error)} ({_why(error)})."


def _why(error: jsonschema.ValidationError) -> str:
    """jsonschema's reason, without its regular expressions or overlong values."""
    if error.validator == "pattern":
        shown = error.instance if len(error.instance) <= 60 else error.instance[:60] + "…"
        return f"not {shown!r}"
    if error.validator == "maxLength":
        return f"not {len(error.instance)} characters"
    return error.message


def _description(error: jsonschema.ValidationError) -> str:
    """The description nearest to the failing keyword, on the way to it from the root."""
    node, description = SCHEMA, SCHEMA["description"]
    for part in error.absolute_schema_path:
        if not isinstance(node, dict) or part not in node:
            break
        node = node[part]
        if isinstance(node, dict):
            description = node.get("description", description)
    return description


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


def _check_slugs_differ(entries: list[dict], path) -> None:
    """One post per slug: the service keys posts, their comments and their pages by it."""
    first = {}
    for index, entry in enumerate(entries):
        earlier = first.setdefault(entry["slug"], index)
        if earlier != index:
            raise ManifestError(
                f"{path}: posts[{index}] has the slug {entry['slug']!r} of posts[{earlier}];"
                " each post needs a slug of its own."
            )


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
    active = set(db.session.scalars(select(Staff.name).where(Staff.active)))
    warnings = []
    for entry in entries:
        answering = [name for name in entry["authors"] if name in active]
        instead = " and ".join(answering) if answering else "the admins"
        for name in entry["authors"]:
            if name not in active:
                warnings.append(
                    f"{name} has no staff account: comments on '{entry['title']}' "
                    f"will go to {instead}."
                )
    return warnings
