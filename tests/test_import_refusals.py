"""Hostile and broken files are refused with a clear error, and nothing stored changes."""

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from comments_service.extensions import db
from comments_service.models import Comment

from .test_import_wordpress import WXR

FIXTURES = Path(__file__).parent / "fixtures"
HOSTILE = FIXTURES / "hostile"


@pytest.fixture
def stored_thread(make_post, make_comment):
    """A post with one comment already on it: it must survive every refusal."""
    post = make_post("hello")
    return make_comment(post, body_markdown="already here")


def comments_in(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Comment.body_markdown)))


def refused(app, kind: str, path: Path, message: str) -> None:
    before = comments_in(app)
    result = app.test_cli_runner().invoke(args=["import", kind, str(path)])
    assert result.exit_code == 1, result.output
    assert "Nothing was imported." in result.output
    assert message in result.output
    assert comments_in(app) == before == ["already here"]


@pytest.mark.parametrize("name", ["billion-laughs.xml", "external-entity.xml", "external-dtd.xml"])
def test_dtds_and_entities_are_refused(app, stored_thread, name):
    refused(app, "wordpress", HOSTILE / name, "declares a DTD or entities")


def test_an_external_entity_in_a_disqus_file_is_refused(app, stored_thread):
    refused(app, "disqus", HOSTILE / "disqus-external-entity.xml", "declares a DTD or entities")


def test_a_truncated_export_is_refused_after_reading_its_comments(
    app, stored_thread, make_post, tmp_path
):
    make_post("template-comments")
    cut = tmp_path / "cut.xml"
    data = WXR.read_bytes()
    end_of_item = data.index(b"</item>", data.index(b"template-comments/</link>"))
    cut.write_bytes(data[: end_of_item + 20])  # the item and all its comments, then cut
    refused(app, "wordpress", cut, "not well-formed XML")


def test_a_file_that_is_not_xml_is_refused(app, stored_thread, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("these are not comments\n")
    refused(app, "wordpress", text, "not well-formed XML")


def test_other_xml_is_not_a_wordpress_export(app, stored_thread, tmp_path):
    page = tmp_path / "page.xml"
    page.write_text("<html><body>hello</body></html>")
    refused(app, "wordpress", page, "This is not a WordPress export (WXR): it starts with <html>")
    feed = tmp_path / "feed.xml"
    feed.write_text("<rss><channel><item><title>A plain feed</title></item></channel></rss>")
    refused(app, "wordpress", feed, "it has no wp:wxr_version")


def test_a_feed_with_neither_a_wp_namespace_nor_a_wordpress_generator_is_refused(
    app, stored_thread, tmp_path
):
    comment = (
        "<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author>Ann</wp:comment_author>"
        "<wp:comment_date_gmt>2020-01-01 10:00:00</wp:comment_date_gmt>"
        "<wp:comment_content>hi</wp:comment_content>"
        "<wp:comment_approved>1</wp:comment_approved></wp:comment>"
    )
    for generator in ("https://gohugo.io/", "http://wordpress.org.example/"):
        feed = tmp_path / "feed.xml"
        feed.write_text(
            '<rss version="2.0" xmlns:wp="http://example.org/not-wordpress/"><channel>'
            f"<generator>{generator}</generator><item><title>A post</title>"
            f"<wp:post_name>hello</wp:post_name>{comment}</item></channel></rss>"
        )
        refused(app, "wordpress", feed, "it has no wp:wxr_version")


def test_a_wordpress_export_is_not_a_disqus_export(app, stored_thread):
    refused(app, "disqus", WXR, "This is not a Disqus export: it starts with <rss>")


def test_a_file_that_is_not_an_isso_database_is_refused(app, stored_thread):
    refused(app, "isso", WXR, "is not an Isso database")


def test_an_empty_sqlite_file_is_not_an_isso_database(app, stored_thread, tmp_path):
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    refused(app, "isso", empty, "is not an Isso database (no such table")


def test_a_broken_full_export_is_refused(app, stored_thread, tmp_path):
    broken = tmp_path / "export.json"
    broken.write_text('{"format": "porch-full", "version": 1')
    refused(app, "porch", broken, "The file is not JSON")
    other = tmp_path / "threads.json"
    other.write_text('{"version": 2, "posts": {}}')
    refused(app, "porch", other, "This is not a Porch full export")
