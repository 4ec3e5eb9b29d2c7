"""Imports hold one batch of comments at a time, however long the comments are."""

import tracemalloc
from dataclasses import fields

from sqlalchemy import func, select

from comments_service.extensions import db
from comments_service.models import Comment
from comments_service.services.imports.common import Shape

COMMENTS, PER_POST, BODY_CHARS = 320, 10, 20_000
POSTS = [f"post-{number}" for number in range(COMMENTS // PER_POST)]
MIB = 2**20


def long_comments_wxr(path, comments: int = COMMENTS, first: int = 1) -> int:
    """A WXR file of threads of PER_POST comments of BODY_CHARS characters each, one
    thread on each of POSTS, numbered from ``first``; returns the bodies' size."""
    body = ("A long comment that keeps going. " * (BODY_CHARS // 32 + 1))[:BODY_CHARS]
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
            "<wp:wxr_version>1.2</wp:wxr_version>"
        )
        for number in range(first, first + comments):
            if number % PER_POST == 1:
                slug = POSTS[(number // PER_POST) % len(POSTS)]
                out.write(f"<item><wp:post_name>{slug}</wp:post_name>")
            parent = 0 if number % PER_POST == 1 else number - 1
            out.write(
                f"<wp:comment><wp:comment_id>{number}</wp:comment_id>"
                f"<wp:comment_author>Reader {number}</wp:comment_author>"
                "<wp:comment_date_gmt>2020-01-01 10:00:00</wp:comment_date_gmt>"
                f"<wp:comment_content><![CDATA[{number}: {body}]]></wp:comment_content>"
                "<wp:comment_approved>1</wp:comment_approved>"
                f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>"
            )
            if number % PER_POST == 0:
                out.write("</item>")
        out.write("</channel></rss>")
    return comments * BODY_CHARS


def run(app, wxr):
    return app.test_cli_runner().invoke(args=["import", "wordpress", str(wxr)])


def test_an_import_never_holds_all_the_comments_text_at_once(app_with, make_post, tmp_path):
    app = app_with(PORCH_MAX_COMMENT_CHARS=2 * BODY_CHARS)  # comments as long as these may be
    for slug in POSTS:
        make_post(slug)
    first, wxr = tmp_path / "first.xml", tmp_path / "long.xml"
    long_comments_wxr(first, first=COMMENTS + 1)
    bodies = long_comments_wxr(wxr)
    # What the first import loads once (the confusable table the names are read with, the
    # modules, the statements compiled for batches of this size) stays for the life of
    # the process: only what the second one holds is measured.
    assert run(app, first).exit_code == 0
    tracemalloc.start()
    try:
        result = run(app, wxr)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.exit_code == 0, result.output
    assert f"Placed {COMMENTS} comments" in result.output
    with app.app_context():
        stored = db.session.scalar(select(func.sum(func.length(Comment.body_markdown))))
    assert stored >= 2 * bodies  # every word of both is in the database
    print(f"bodies {bodies / MIB:.1f} MiB, peak of Python allocations {peak / MIB:.1f} MiB")
    # Holding every comment would take each text twice (markdown and HTML): over 2 x bodies.
    # A batch's texts, the Readers view's recount of its readers and the like stay below one.
    assert peak < bodies


def test_the_first_pass_keeps_no_text_and_no_writer(app):
    kept = {field.name for field in fields(Shape)}
    assert not kept & {"body", "html", "author_name", "author_email", "author_website"}
    assert not kept & {"remote_addr", "staff", "created_at"}
