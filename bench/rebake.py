"""How long re-baking one post's page takes, against a full Pelican build of the same site.

Generates a site of N posts (the sample theme, profiles and settings) and a SQLite
service holding M approved comments spread over them (a quarter staff answers,
nested), builds the site with every thread baked in (the full build, timed), then
adds a comment to one post and re-bakes that post's page the way `flask rebake`
does: read the post's thread and version from the database, render the section
with the theme's `_comments.html`, splice it into the built page. Timed cold (a new
re-baker: settings, profiles, manifest, template) and warm (the re-baker a running
service or loop keeps), several times each.

    .venv/bin/python bench/rebake.py [--posts 1000] [--comments 20000] [--repeat 5]
"""

import argparse
import json
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask_migrate import upgrade
from pelican import Pelican
from pelican.settings import read_settings
from sqlalchemy import insert, select

from comments_service import create_app
from comments_service.config import comment_paging
from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus, Post, Role, Staff
from comments_service.services.site.export import export_document
from comments_service.services.site.manifest import load_manifest, sync_posts
from comments_service.services.site.rebake import rebake_posts
from porch_pelican import rebake

ROOT = Path(__file__).resolve().parents[1]
AUTHORS = ["Ana Lima", "Ben Okafor", "Chloé Martin"]
PARAGRAPH = (
    "Crews in basements and lifts lose signal every day. This post explains what the "
    "app keeps on the phone, what it sends later, and how conflicts are settled.\n\n"
)


def write_site(folder: Path, posts: int) -> Path:
    """content/ with N posts plus the sample's profiles and images; returns the folder."""
    content = folder / "content"
    shutil.copytree(ROOT / "content" / "authors", content / "authors")
    shutil.copytree(ROOT / "content" / "images", content / "images")
    start = datetime(2024, 1, 1, 9, 0)
    for i in range(posts):
        date = start + timedelta(hours=13 * i)
        (content / f"post-{i:04d}.md").write_text(
            f"Title: Field notes number {i}\nDate: {date:%Y-%m-%d %H:%M}\n"
            f"Author: {AUTHORS[i % len(AUTHORS)]}\nCategory: Field notes\n"
            f"Tags: offline, crews\nSlug: post-{i:04d}\n\n" + PARAGRAPH * 6,
            encoding="utf-8",
        )
    return content


def settings_for(folder: Path, content: Path, export: Path) -> dict:
    return read_settings(
        str(ROOT / "pelicanconf.py"),
        override={
            "PATH": str(content),
            "OUTPUT_PATH": str(folder / "output"),
            "CACHE_PATH": str(folder / "cache"),
            "PORCH_COMMENTS_EXPORT": str(export),
        },
    )


def full_build(folder: Path, content: Path, export: Path) -> float:
    began = time.perf_counter()
    Pelican(settings_for(folder, content, export)).run()
    return time.perf_counter() - began


def seed_comments(total: int) -> None:
    """Approved comments, round-robin over the posts: threads of readers and answers."""
    staff = Staff(name="Ana Lima", email="ana@bench.test", role=Role.ADMIN, password_hash="x")
    db.session.add(staff)
    db.session.flush()
    post_ids = list(db.session.scalars(select(Post.id).order_by(Post.id)))
    start = datetime.now(UTC) - timedelta(days=30)
    rows = []
    for i in range(total):
        is_staff = i % 4 == 3
        rows.append(
            {
                "id": i + 1,
                "post_id": post_ids[i % len(post_ids)],
                # every fourth comment answers the one posted just before it on that post
                "parent_id": i + 1 - len(post_ids) if is_staff and i >= len(post_ids) else None,
                "staff_id": staff.id if is_staff else None,
                "author_name": "Ana Lima" if is_staff else f"Reader {i}",
                "body_markdown": "Some words.",
                "body_html": "<p>Some words, <em>rendered</em>, with a <code>code</code>.</p>",
                "status": CommentStatus.APPROVED,
                "created_at": start + timedelta(seconds=i),
                "published_at": start + timedelta(seconds=i),
            }
        )
    db.session.execute(insert(Comment), rows)
    db.session.commit()


def add_comment(post: Post, n: int) -> None:
    """A new published comment: its flush raises the post's comments version."""
    now = datetime.now(UTC)
    db.session.add(
        Comment(
            post=post,
            author_name=f"Late reader {n}",
            body_markdown="New!",
            body_html="<p>New!</p>",
            status=CommentStatus.APPROVED,
            created_at=now,
            published_at=now,
        )
    )
    db.session.commit()


def timed_rebakes(app, folder: Path, content: Path, repeat: int, cold: bool) -> list[float]:
    """Seconds per re-bake of one post (the middle one) after a new comment on it."""
    samples, rebaker = [], None
    with app.app_context():
        slugs = db.session.scalars(select(Post.slug).order_by(Post.slug)).all()
        post = db.session.scalar(select(Post).where(Post.slug == slugs[len(slugs) // 2]))
        for n in range(repeat):
            add_comment(post, n)
            began = time.perf_counter()
            if cold or rebaker is None:
                rebaker = rebake.load(
                    str(ROOT / "pelicanconf.py"), str(folder / "output"), {"PATH": str(content)}
                )
            rebake_posts(rebaker, [post.id])
            samples.append(time.perf_counter() - began)
            db.session.rollback()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--comments", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        content = write_site(folder, args.posts)
        export = folder / "export.json"
        app = create_app(
            {
                "PORCH_DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
                "PORCH_SECRET_KEY": "bench",
                "RATELIMIT_ENABLED": False,
            }
        )
        print(f"Site: {args.posts} posts, {args.comments} comments.")
        full_build(folder, content, export)  # the first build only makes the manifest
        with app.app_context():
            upgrade()
            sync_posts(
                load_manifest(
                    folder / "output" / "porch-manifest.json", *comment_paging(app.config)
                )
            )
            db.session.commit()
            seed_comments(args.comments)
            export.write_text(json.dumps(export_document(datetime.now(UTC))), encoding="utf-8")
        build_seconds = full_build(folder, content, export)
        cold = timed_rebakes(app, folder, content, args.repeat, cold=True)
        warm = timed_rebakes(app, folder, content, args.repeat, cold=False)
        with app.app_context():
            db.engine.dispose()
    print(f"Full Pelican build          {build_seconds:8.2f} s")
    for label, samples in (("cold", cold), ("warm", warm)):
        median = statistics.median(samples)
        print(
            f"Re-bake one post ({label})     {median:8.3f} s median, {max(samples):.3f} s worst"
            f"   ({build_seconds / median:,.0f}x faster than the full build)"
        )


if __name__ == "__main__":
    main()
