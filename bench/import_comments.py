"""How long a large WordPress import takes, and whether its memory stays bounded.

Writes two WXR files with N comments each (default 20,000) on P posts, each post
with a few kilobytes of content as real exports have, threads up to five deep and
a staff answer in every fourth thread: one with comments of a few hundred bytes,
one with bodies ten times as long. Each is imported by its own process (a
process's peak memory only grows), which migrates a throwaway SQLite database,
adds the posts, runs ``flask import wordpress`` through the CLI and reports the
wall time and the peak memory of the process during the import (VmHWM, reset
just before it; Linux), and with ``--tracemalloc`` the peak of Python
allocations during the import. Bounded memory means the two peaks are about the
same.

    .venv/bin/python bench/import_comments.py [--comments 20000] [--posts 100] [--tracemalloc]
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from flask_migrate import upgrade

from comments_service import create_app
from comments_service.extensions import db
from comments_service.models import Post, PostAuthor, Role, Staff

STAFF_EMAIL = "ana@bench.test"
CONTENT = "<p>" + "A paragraph of the post itself, as exports carry it. " * 60 + "</p>"


PARAGRAPH = "A paragraph with <em>some</em> markup, as readers write them. " * 5
SCALES = (1, 10)


def write_wxr(path: Path, comments: int, posts: int, scale: int) -> None:
    per_post = comments // posts
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"'
            ' xmlns:wp="http://wordpress.org/export/1.2/"'
            ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
            ' xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>\n'
            "<wp:wxr_version>1.2</wp:wxr_version>\n"
        )
        number = 0
        for post in range(posts):
            out.write(
                f"<item><title>Post {post}</title><link>https://old.example/p{post}/</link>"
                f"<dc:creator>ana</dc:creator><content:encoded><![CDATA[{CONTENT}]]>"
                f"</content:encoded><wp:post_name>post-{post}</wp:post_name>\n"
            )
            for i in range(per_post):
                number += 1
                out.write(_comment(number, post, i, scale))
            out.write("</item>\n")
        out.write("</channel></rss>\n")


def _comment(number: int, post: int, i: int, scale: int) -> str:
    parent = number - 1 if i % 5 else 0  # threads five deep
    staff = i % 20 == 4  # the deepest reply of every fourth thread is a staff answer
    email = STAFF_EMAIL if staff else f"reader{number % 997}@example.org"
    return (
        f"<wp:comment><wp:comment_id>{number}</wp:comment_id>"
        f"<wp:comment_author><![CDATA[Reader {number}]]></wp:comment_author>"
        f"<wp:comment_author_email>{email}</wp:comment_author_email>"
        f"<wp:comment_author_IP>192.0.2.{number % 250}</wp:comment_author_IP>"
        f"<wp:comment_date_gmt>2019-{1 + post % 12:02d}-{1 + i % 28:02d} "
        f"{i % 24:02d}:{i % 60:02d}:{number % 60:02d}</wp:comment_date_gmt>"
        f"<wp:comment_content><![CDATA[Comment {number} on post {post}.\n\n"
        f"{PARAGRAPH * scale}]]></wp:comment_content>"
        f"<wp:comment_approved>{'0' if number % 50 == 0 else '1'}</wp:comment_approved>"
        f"<wp:comment_type>comment</wp:comment_type><wp:comment_parent>{parent}"
        "</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id></wp:comment>\n"
    )


def prepare(folder: Path, posts: int):
    app = create_app(
        {
            "PORCH_DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            "PORCH_SECRET_KEY": "bench",
        }
    )
    with app.app_context():
        upgrade()
        db.session.add(
            Staff(name="Ana Lima", email=STAFF_EMAIL, role=Role.AUTHOR, password_hash="x")
        )
        for post in range(posts):
            db.session.add(
                Post(
                    slug=f"post-{post}",
                    title=f"Post {post}",
                    path=f"/p{post}/",
                    authors=[PostAuthor(name="Ana Lima")],
                )
            )
        db.session.commit()
    return app


def measure(wxr: Path, posts: int, traced: bool) -> dict:
    """Import one file in this process and return its figures."""
    with tempfile.TemporaryDirectory() as folder:
        app = prepare(Path(folder), posts)
        before = _resident_now()
        Path("/proc/self/clear_refs").write_text("5")  # the peak starts again from here
        if traced:
            tracemalloc.start()
        began = time.perf_counter()
        result = app.test_cli_runner().invoke(args=["import", "wordpress", str(wxr)])
        seconds = time.perf_counter() - began
        after = _status_kib("VmHWM")
        return {
            "output": result.output.strip(),
            "seconds": seconds,
            "before_mib": before / 1024,
            "peak_mib": after / 1024,
            "traced_mib": tracemalloc.get_traced_memory()[1] / 2**20 if traced else None,
        }


def _status_kib(name: str) -> int:
    """A figure of /proc/self/status, in KiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return int(line.split()[1])
    raise LookupError(name)


def _resident_now() -> int:
    return _status_kib("VmRSS")


def report(wxr: Path, comments: int, scale: int, figures: dict) -> None:
    print(figures["output"])
    size = wxr.stat().st_size / 2**20
    print(f"bodies x{scale}: file {size:.1f} MiB, {comments} comments")
    rate = comments / figures["seconds"]
    print(f"  import: {figures['seconds']:.1f} s ({rate:.0f} comments/s)")
    added = figures["peak_mib"] - figures["before_mib"]
    print(
        f"  peak RSS: {figures['peak_mib']:.0f} MiB ({added:.0f} MiB more than before the import)"
    )
    if figures["traced_mib"] is not None:
        print(f"  peak Python allocations during the import: {figures['traced_mib']:.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--comments", type=int, default=20_000)
    parser.add_argument("--posts", type=int, default=100)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure:
        print(json.dumps(measure(options.measure, options.posts, options.tracemalloc)))
        return
    with tempfile.TemporaryDirectory() as folder:
        for scale in SCALES:
            wxr = Path(folder) / f"export-x{scale}.xml"
            write_wxr(wxr, options.comments, options.posts, scale)
            command = [sys.executable, __file__, "--measure", str(wxr)]
            command += ["--posts", str(options.posts)]
            command += ["--tracemalloc"] if options.tracemalloc else []
            child = subprocess.run(command, capture_output=True, text=True, check=True)
            report(wxr, options.comments, scale, json.loads(child.stdout))


if __name__ == "__main__":
    main()
