"""How long a large WordPress import takes, and how much memory it needs.

Writes a WXR file with N comments (default 100,000) on P posts, each post with a
few kilobytes of content as real exports have, threads up to five deep and a
staff answer in every fourth thread; migrates a throwaway SQLite database, adds
the posts, then runs ``flask import wordpress`` through the CLI and prints the
wall time, the file size and the peak memory of the process (ru_maxrss), and with
``--tracemalloc`` the peak of Python allocations during the import.

    .venv/bin/python bench/import_comments.py [--comments 100000] [--posts 500] [--tracemalloc]
"""

import argparse
import resource
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


def write_wxr(path: Path, comments: int, posts: int) -> None:
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
                out.write(_comment(number, post, i))
            out.write("</item>\n")
        out.write("</channel></rss>\n")


def _comment(number: int, post: int, i: int) -> str:
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
        "A second paragraph with <em>some</em> markup.]]></wp:comment_content>"
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--tracemalloc", action="store_true")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        wxr = folder / "export.xml"
        write_wxr(wxr, options.comments, options.posts)
        app = prepare(folder, options.posts)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if options.tracemalloc:
            tracemalloc.start()
        began = time.perf_counter()
        result = app.test_cli_runner().invoke(args=["import", "wordpress", str(wxr)])
        seconds = time.perf_counter() - began
        traced = tracemalloc.get_traced_memory()[1] if options.tracemalloc else None
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(result.output.strip())
        print(f"file: {wxr.stat().st_size / 2**20:.1f} MiB, {options.comments} comments")
        print(f"import: {seconds:.1f} s ({options.comments / seconds:.0f} comments/s)")
        print(f"peak RSS: {after / 1024:.0f} MiB (before the import: {before / 1024:.0f} MiB)")
        if traced is not None:
            print(f"peak Python allocations during the import: {traced / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
