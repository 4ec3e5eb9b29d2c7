"""What the Porch theme and plugin add to a Pelican build, and how long re-baking one post takes.

Generates 1,000 Markdown posts (a few paragraphs, a list, a code block; five authors,
six categories, twenty tags) and a comment service (SQLite) holding 20,000 approved
comments over them, a few posts with long threads and most with short ones (replies,
staff answers, answer times), and writes the service's own comments export. Then builds
the site, each build in a fresh `pelican` process, interleaved so both see the same load:

- against: Pelican's default theme (notmyidea), no plugin;
- porch: the Porch theme and plugin, every thread baked in.

Best of --repeat wall times each, and best CPU times (user and system), which a
shared machine's load moves less. Last, adds a comment to the busiest post and re-bakes
its page the way `flask rebake` does (thread read from the database, section rendered
and swapped in, further comment pages written), cold (a new re-baker) and warm (the one a
running loop keeps); median of --rebakes.

    .venv/bin/python bench/build_time.py [--posts 1000] [--comments 20000] [--repeat 3]
"""

import argparse
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, insert, select

from comments_service import create_app
from comments_service.config import comment_paging
from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus, Post, Role, Staff
from comments_service.services.site.export import export_document
from comments_service.services.site.manifest import manifest_entries, sync_posts
from comments_service.services.site.rebake import rebake_posts
from porch_contract.manifest import MANIFEST_VERSION
from porch_pelican import rebake

ROOT = Path(__file__).resolve().parents[1]
SETTINGS_FILE = ROOT / "pelicanconf.py"
AUTHORS = ["Ana Lima", "Ben Okafor", "Chloé Martin", "Dara Quinn", "Eli Brandt"]
CATEGORIES = ["Field notes", "Product", "Engineering", "Support", "Design", "Releases"]
TAGS = [f"topic-{n}" for n in range(20)]
TARGET_RATIO = 1.15
TARGET_REBAKE_SECONDS = 1.0
PROSE = (
    "Crews in basements and lifts lose signal every day, and the schedule still has to "
    "hold. This part explains what the app keeps on the phone, what it sends once the "
    "signal is back, and how the office settles two edits of the same job. *Nothing* is "
    "lost: every change carries its time and its author, and the **later** one wins only "
    "where the two touch the same field. See [the sync notes](https://example.com/sync).\n\n"
)
CODE = "```python\ndef settle(local, remote):\n    return max(local, remote, key=stamp)\n```\n\n"
COMMENT_HTML = (
    "<p>Thanks for the write-up. We run <em>three</em> crews and the office still sees "
    "old job cards after lunch; is that the sync described here?</p>\n"
    "<p>Also: does <code>settle</code> keep the photo notes too?</p>"
)
ANSWER_HTML = (
    "<p>It is, and yes: photo notes sync like any other field. Open Settings, then "
    "<strong>Sync</strong>, to see when each phone last reported.</p>"
)


def write_site(folder: Path, posts: int, rng: random.Random) -> tuple[Path, list[dict]]:
    """content/ with the posts and the sample's profiles and images, and its manifest entries."""
    content = folder / "content"
    shutil.copytree(ROOT / "content" / "authors", content / "authors")
    shutil.copytree(ROOT / "content" / "images", content / "images")
    start = datetime(2021, 1, 4, 9, 0)
    entries = []
    for i in range(posts):
        date = start + timedelta(hours=31 * i)
        slug = f"field-notes-{i:04d}"
        authors = rng.sample(AUTHORS, 2 if i % 7 == 0 else 1)
        tags = ", ".join(rng.sample(TAGS, 3))
        (content / f"{slug}.md").write_text(
            f"Title: Field notes number {i}: what the crews asked\n"
            f"Date: {date:%Y-%m-%d %H:%M}\nAuthors: {', '.join(authors)}\n"
            f"Category: {CATEGORIES[i % len(CATEGORIES)]}\nTags: {tags}\nSlug: {slug}\n"
            f"Summary: What the crews asked in week {i}, and what we answered.\n\n" + body(i),
            encoding="utf-8",
        )
        path = f"/{date:%Y}/{date:%m}/{slug}/"
        entries.append({"slug": slug, "title": slug, "path": path, "authors": authors})
        entries[-1]["date"] = date.replace(tzinfo=UTC).isoformat()
    return content, entries


def body(i: int) -> str:
    """About 700 words of Markdown: paragraphs, two headings, a list and a code block."""
    steps = "".join(f"{n}. Step {n} of the checklist for week {i}.\n" for n in range(1, 6))
    return (
        PROSE * 3
        + "## What changed\n\n"
        + PROSE * 2
        + steps
        + "\n"
        + CODE
        + "## What comes next\n\n"
        + PROSE * 3
    )


def write_export(folder: Path, entries: list[dict], total: int, rng: random.Random):
    """The service's comments export of ``total`` comments; returns the app holding them."""
    app = create_app(
        {
            "PORCH_DATABASE_URL": f"sqlite:///{folder / 'service.sqlite3'}",
            "PORCH_SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade()
        per_page, page_url = comment_paging(app.config)
        manifest = {
            "version": MANIFEST_VERSION,
            "comments": {"per_page": per_page, "page_url": page_url},
            "posts": entries,
        }
        sync_posts(manifest_entries(manifest, "bench", per_page, page_url))
        staff = [
            Staff(name=name, email=f"{n}@bench.test", role=Role.AUTHOR, password_hash="x")
            for n, name in enumerate(AUTHORS)
        ]
        db.session.add_all(staff)
        db.session.flush()
        post_ids = list(db.session.scalars(select(Post.id).order_by(Post.id)))
        db.session.execute(insert(Comment), comment_rows(post_ids, staff, total, rng))
        db.session.commit()
        document = export_document(datetime.now(UTC))
    export = folder / "comments-export.json"
    export.write_text(json.dumps(document), encoding="utf-8")
    return app, export


def comment_rows(post_ids: list[int], staff: list[Staff], total: int, rng: random.Random):
    """Approved comments: a few posts draw most of them (weights 1/rank^0.8); on each post
    two in five answer an earlier comment, half of those from staff; most reader comments
    are answered, some hours after."""
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(post_ids))]
    start = datetime.now(UTC) - timedelta(days=90)
    on_post: dict[int, list[dict]] = {}
    rows = []
    for i, post_id in enumerate(rng.choices(post_ids, weights, k=total)):
        earlier = on_post.setdefault(post_id, [])
        parent = rng.choice(earlier) if earlier and rng.random() < 0.4 else None
        by_staff = rng.choice(staff) if parent and rng.random() < 0.5 else None
        created = start + timedelta(minutes=6 * i)
        answered = by_staff is None and rng.random() < 0.7
        row = {
            "id": i + 1,
            "post_id": post_id,
            "parent_id": parent and parent["id"],
            "staff_id": by_staff and by_staff.id,
            "author_name": by_staff.name if by_staff else f"Reader {i}",
            "author_website": "https://example.com/crew" if i % 5 == 0 else None,
            "body_markdown": "(bench)",
            "body_html": ANSWER_HTML if by_staff else COMMENT_HTML,
            "status": CommentStatus.APPROVED,
            "created_at": created,
            "published_at": created,
            "answered_at": created + timedelta(hours=rng.randint(1, 50)) if answered else None,
            "answered_by_id": rng.choice(staff).id if answered else None,
        }
        earlier.append(row)
        rows.append(row)
    return rows


def build_seconds(folder: Path, content: Path, export: Path, porch: bool) -> tuple[float, float]:
    """Wall and CPU time (user and system) of one build in a fresh pelican process, from an
    empty output folder. On a shared machine the CPU time moves less with the load."""
    output = folder / ("output" if porch else "output-default")
    cache = folder / "cache"  # emptied too: every share image is drawn, as on a first build
    shutil.rmtree(output, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    extra = {"PATH": str(content), "OUTPUT_PATH": str(output), "CACHE_PATH": str(cache)}
    if porch:
        extra["PORCH_COMMENTS_EXPORT"] = str(export)
    else:
        extra |= {"THEME": "notmyidea", "PLUGINS": [], "DIRECT_TEMPLATES": DEFAULT_DIRECT}
    command = [sys.executable, "-m", "pelican", "-q", "-s", str(SETTINGS_FILE), "-e"]
    command += [f"{key}={json.dumps(value)}" for key, value in extra.items()]
    began, used = time.perf_counter(), children_cpu()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - began, children_cpu() - used


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# Pelican's own list: the Porch settings add a "404" page the default theme has no template for.
DEFAULT_DIRECT = ["index", "authors", "categories", "tags", "archives"]


def timed_rebakes(app, output: Path, content: Path, times: int, cold: bool) -> list[float]:
    """Seconds per re-bake of the busiest post's page after a new comment on it."""
    samples, rebaker = [], None
    with app.app_context():
        busiest = (
            select(Comment.post_id).group_by(Comment.post_id).order_by(func.count().desc())
        ).limit(1)
        post = db.session.get(Post, db.session.scalar(busiest))
        for n in range(times):
            add_comment(post, n)
            began = time.perf_counter()
            if cold or rebaker is None:
                rebaker = rebake.load(str(SETTINGS_FILE), str(output), {"PATH": str(content)})
            rebake_posts(rebaker, [post.id])
            samples.append(time.perf_counter() - began)
    return samples


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


def measure(posts: int, comments: int, repeat: int, rebakes: int) -> dict:
    """Every figure, in seconds: best builds of each kind (wall and CPU), median re-bakes."""
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory(prefix="porch-build-") as name:
        folder = Path(name)
        content, entries = write_site(folder, posts, rng)
        app, export = write_export(folder, entries, comments, rng)
        default, porch = [], []
        for _ in range(repeat):
            default.append(build_seconds(folder, content, export, porch=False))
            porch.append(build_seconds(folder, content, export, porch=True))
        output = folder / "output"
        cold = timed_rebakes(app, output, content, rebakes, cold=True)
        warm = timed_rebakes(app, output, content, rebakes, cold=False)
        with app.app_context():
            db.engine.dispose()
    return {
        "default": min(wall for wall, _ in default),
        "porch": min(wall for wall, _ in porch),
        "default_cpu": min(cpu for _, cpu in default),
        "porch_cpu": min(cpu for _, cpu in porch),
        "cold": statistics.median(cold),
        "warm": statistics.median(warm),
    }


def rows(figures: dict, posts: int, comments: int, repeat: int, rebakes: int) -> list[dict]:
    """The figures as the benchmark table's rows, every value a string."""
    site = f"{posts:,} posts, {comments:,} comments"
    return [
        *(
            {
                "section": "Build",
                "measure": f"Full build, {site}: {label}, best of {repeat}",
                "porch": f"{figures[porch]:.2f} s",
                "against": f"Pelican's default theme, no plugin (target: at most {TARGET_RATIO}x)",
                "baseline": f"{figures[default]:.2f} s",
                "ratio": f"{figures[porch] / figures[default]:.2f}x",
            }
            for label, porch, default in (
                ("wall time", "porch", "default"),
                ("CPU time", "porch_cpu", "default_cpu"),
            )
        ),
        *(
            {
                "section": "Build",
                "measure": f"Re-bake the busiest post ({label}), {site}: median of {rebakes}",
                "porch": f"{figures[key]:.3f} s",
                "against": "target",
                "baseline": f"{TARGET_REBAKE_SECONDS:.3f} s",
                "ratio": f"{figures[key] / TARGET_REBAKE_SECONDS:.2f}x",
            }
            for key, label in (("cold", "new re-baker"), ("warm", "kept re-baker"))
        ),
    ]


def run(posts: int = 1000, comments: int = 20_000, repeat: int = 3, rebakes: int = 5):
    """Measure, and return the rows for the benchmark table."""
    return rows(measure(posts, comments, repeat, rebakes), posts, comments, repeat, rebakes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--comments", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rebakes", type=int, default=5)
    args = parser.parse_args()
    for row in run(args.posts, args.comments, args.repeat, args.rebakes):
        print(f"{row['measure']:<84} {row['porch']:>9}  {row['baseline']:>9}  {row['ratio']:>6}")


if __name__ == "__main__":
    main()
