"""The Porch Pelican plugin, exercised by real builds of the tiny site in tests/fixtures."""

import json
import logging
import re
import shutil
import stat
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pelican import Pelican
from pelican.settings import read_settings

from porch_contract.manifest import check_manifest
from porch_pelican.profiles import load_profiles

from .site_support import build_sample_site

FIXTURES = Path(__file__).parent / "fixtures"
EXPORT = FIXTURES / "comments-export.json"
HELLO = Path("2026/11/hello-porch/index.html")
QUIET = Path("2026/10/quiet-launch/index.html")


def build(tmp_path, **overrides):
    """Build the fixture site into tmp_path/output and return that folder."""
    output = tmp_path / "output"
    settings = read_settings(
        path=None,
        override={
            "PATH": str(FIXTURES / "site" / "content"),
            "OUTPUT_PATH": str(output),
            "CACHE_PATH": str(tmp_path / "cache"),
            "THEME": str(FIXTURES / "theme"),
            "THEME_STATIC_PATHS": [],
            "PLUGINS": ["porch_pelican"],
            "TIMEZONE": "UTC",
            "ARTICLE_URL": "{date:%Y}/{date:%m}/{slug}/",
            "ARTICLE_SAVE_AS": "{date:%Y}/{date:%m}/{slug}/index.html",
            "FEED_ALL_ATOM": None,
            "CATEGORY_FEED_ATOM": None,
            "AUTHOR_FEED_ATOM": None,
            "AUTHOR_FEED_RSS": None,
            "TRANSLATION_FEED_ATOM": None,
            "PORCH_COMMENTS_EXPORT": str(EXPORT),
            **overrides,
        },
    )
    Pelican(settings).run()
    return output


def read_manifest(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


class CommentTree(HTMLParser):
    """Map each rendered comment id to the id of the comment it sits under (None for roots)."""

    def __init__(self, html):
        super().__init__()
        self.open = []
        self.parents = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "li":
            comment_id = dict(attrs).get("id", "").removeprefix("comment-")
            self.parents[comment_id] = self.open[-1] if self.open else None
            self.open.append(comment_id)

    def handle_endtag(self, tag):
        if tag == "li":
            self.open.pop()


def section_data(html):
    """Return the data-* attributes of the fixture theme's comments section."""
    tag = re.search(r"<section id=\"comments\"[^>]*>", html).group(0)
    return dict(re.findall(r'data-([\w-]+)="([^"]*)"', tag))


def test_manifest_lists_published_posts_with_named_authors_in_order(tmp_path):
    output = build(tmp_path)

    manifest = read_manifest(output / "porch-manifest.json")

    assert manifest["version"] == 2
    assert manifest["site_url"] == ""
    assert manifest["comments"] == {"per_page": 50, "page_url": "comments/{number}/"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", manifest["generated_at"])
    assert [post["slug"] for post in manifest["posts"]] == [
        "quiet-launch",
        "a-same-day-note",  # same minute as hello-porch: the slug breaks the tie
        "hello-porch",
    ]
    hello = manifest["posts"][-1]
    assert hello == {
        "slug": "hello-porch",
        "title": "Hello, Porch",
        "path": "/2026/11/hello-porch/",
        "file": "2026/11/hello-porch/index.html",
        "date": "2026-11-02T09:00:00+00:00",
        "authors": ["Ana Lima", "Ben Okafor"],
        "listed_in": [],  # the fixture theme's listings carry no comment counts
    }
    check_manifest(manifest, "the manifest")  # what the service reads
    for post in manifest["posts"]:
        assert datetime.fromisoformat(post["date"]).utcoffset() is not None
        assert (output / post["path"].lstrip("/") / "index.html").is_file()


def test_manifest_leaves_out_drafts_pages_and_author_profiles(tmp_path):
    output = build(tmp_path)

    slugs = {post["slug"] for post in read_manifest(output / "porch-manifest.json")["posts"]}

    assert (output / "drafts" / "roadmap-draft.html").is_file()
    assert (output / "pages" / "about.html").is_file()
    assert slugs.isdisjoint({"roadmap-draft", "about", "ana-lima"})


def test_a_hidden_post_is_in_the_manifest_so_its_readers_can_comment(tmp_path):
    """Hidden: published at its link, listed nowhere; its form posts to the service too."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "site" / "content", content)
    (content / "unlisted.md").write_text(
        "Title: For the beta crews\nDate: 2026-11-20 10:00\nAuthors: Ana Lima\n"
        "Status: hidden\n\nOnly for the crews we sent the link to.\n",
        encoding="utf-8",
    )
    output = build(tmp_path, PATH=str(content))

    posts = {post["slug"]: post for post in read_manifest(output / "porch-manifest.json")["posts"]}

    assert posts["for-the-beta-crews"]["authors"] == ["Ana Lima"]
    assert (output / posts["for-the-beta-crews"]["file"]).is_file()
    assert "roadmap-draft" not in posts


def test_manifest_is_written_atomically_where_configured(tmp_path):
    target = tmp_path / "var" / "manifest.json"

    output = build(tmp_path, PORCH_MANIFEST_PATH=str(target))

    assert len(read_manifest(target)["posts"]) == 3
    assert not (output / "porch-manifest.json").exists()
    assert [path.name for path in target.parent.iterdir()] == ["manifest.json"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_baked_comments_keep_threading_and_staff_badge(tmp_path, caplog):
    output = build(tmp_path)

    html = (output / HELLO).read_text(encoding="utf-8")

    assert CommentTree(html).parents == {"1": None, "3": "1", "4": "3", "2": None}
    assert "<p>Will every answer really come from the author?</p>" in html
    assert '<li class="comment comment--staff" id="comment-3">' in html
    assert '<span class="staff-badge">Ana Lima · author</span>' in html
    assert section_data(html) == {
        "porch-api": "http://127.0.0.1:5000/api/posts/hello-porch/comments",
        "count": "4",
        "exported-at": "2026-11-23T12:00:00Z",
    }
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


def test_replies_past_the_thread_depth_sit_beside_their_parent_and_name_it(tmp_path, caplog):
    output = build(tmp_path, PORCH_THREAD_DEPTH=2)

    html = (output / HELLO).read_text(encoding="utf-8")

    assert CommentTree(html).parents == {"1": None, "3": "1", "4": "1", "2": None}
    assert '<a class="in-reply-to" href="#comment-3">Ana Lima</a>' in html
    assert html.count('class="in-reply-to"') == 1
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


def test_a_thread_depth_below_one_is_logged_and_the_default_used(tmp_path, caplog):
    output = build(tmp_path, PORCH_THREAD_DEPTH=0)

    html = (output / HELLO).read_text(encoding="utf-8")

    assert CommentTree(html).parents == {"1": None, "3": "1", "4": "3", "2": None}
    errors = [record.getMessage() for record in caplog.records if record.levelno == logging.ERROR]
    assert errors == ["Porch: PORCH_THREAD_DEPTH must be a whole number of at least 1, not 0"]


def test_baked_count_is_the_count_the_service_exported(tmp_path):
    export = tmp_path / "export.json"
    document = json.loads(EXPORT.read_text(encoding="utf-8"))
    document["posts"]["hello-porch"]["count"] = 3  # as when one of the four is a placeholder
    export.write_text(json.dumps(document), encoding="utf-8")

    output = build(tmp_path, PORCH_COMMENTS_EXPORT=str(export))

    assert section_data((output / HELLO).read_text(encoding="utf-8"))["count"] == "3"


def test_article_without_comments_gets_an_empty_thread(tmp_path):
    output = build(tmp_path)

    html = (output / QUIET).read_text(encoding="utf-8")

    assert section_data(html)["count"] == "0"
    assert '<ol class="comment-list"></ol>' in html


def test_missing_export_builds_without_comments(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="porch_pelican")

    output = build(tmp_path, PORCH_COMMENTS_EXPORT=str(tmp_path / "absent.json"))

    html = (output / HELLO).read_text(encoding="utf-8")
    assert section_data(html)["count"] == "0"
    assert section_data(html)["exported-at"] == ""
    assert "comment-1" not in html
    assert "absent.json" in caplog.text
    about_export = [r for r in caplog.records if r.name == "porch_pelican.comments"]
    assert about_export and not [r for r in about_export if r.levelno >= logging.WARNING]
    assert (output / "porch-manifest.json").is_file()


def test_relative_export_path_is_read_from_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(EXPORT.parent)

    output = build(tmp_path, PORCH_COMMENTS_EXPORT=EXPORT.name)

    assert section_data((output / HELLO).read_text(encoding="utf-8"))["count"] == "4"


def test_author_profiles_are_attached_to_authors(tmp_path):
    output = build(tmp_path)

    html = (output / HELLO).read_text(encoding="utf-8")

    ana = re.search(r'<p class="author" data-name="Ana Lima"([^>]*)>(.*?)</p>\n', html, re.S)
    assert ana, "Ana Lima's profile was not attached"
    assert dict(re.findall(r'data-([\w-]+)="([^"]*)"', ana.group(1))) == {
        "role": "Head of Customer Support",
        "avatar": "images/avatars/ana-lima.svg",
        "slug": "ana-lima",
    }
    assert "<strong>recurring jobs</strong>" in ana.group(2)
    assert '<p class="author author--no-profile" data-name="Ben Okafor">' in html


def test_service_url_setting_is_used_normalised(tmp_path):
    output = build(tmp_path, PORCH_PUBLIC_URL=" HTTPS://Comments.Example.com:443/ ")

    html = (output / HELLO).read_text(encoding="utf-8")

    api = section_data(html)["porch-api"]
    assert api == "https://comments.example.com/api/posts/hello-porch/comments"


@pytest.mark.parametrize(
    ("old", "new"),
    [("PORCH_SERVICE_URL", "PORCH_PUBLIC_URL"), ("PORCH_SITE_URL", "PORCH_BLOG_URL")],
)
def test_a_build_with_an_old_name_in_the_environment_stops_naming_the_new_one(
    tmp_path, monkeypatch, old, new
):
    monkeypatch.setenv(old, "https://comments.example.com")
    with pytest.raises(ValueError, match=f"^{old} is no longer read: set {new} "):
        build(tmp_path)


def test_a_build_with_the_old_setting_name_stops_naming_the_new_one(tmp_path):
    with pytest.raises(
        ValueError, match="^PORCH_SERVICE_URL is no longer read: set PORCH_PUBLIC_URL"
    ):
        build(tmp_path, PORCH_SERVICE_URL="https://comments.example.com")


@pytest.mark.parametrize("setting", ["PORCH_PUBLIC_URL", "SITEURL"])
def test_a_build_with_an_address_that_is_not_one_stops_naming_the_setting(tmp_path, setting):
    with pytest.raises(ValueError, match=f"^{setting} must be an http:// or https:// address"):
        build(tmp_path, **{setting: "comments.example.com"})


def test_an_empty_service_url_means_the_blog_own_origin(tmp_path):
    output, _ = build_sample_site(tmp_path, tmp_path / "no-export.json", PORCH_PUBLIC_URL="")
    html = (output / "2026/11/hello-porch/index.html").read_text(encoding="utf-8")
    assert 'data-porch-api="/api/posts/hello-porch/comments"' in html
    assert 'action="/api/posts/hello-porch/comments"' in html


@pytest.mark.parametrize(
    "avatar",
    ["https://www.gravatar.com/avatar/0bc8.png", "//cdn.example.com/ana.png", "data:image/png;x"],
)
def test_an_avatar_on_another_host_is_ignored_for_initials(tmp_path, caplog, avatar):
    authors = tmp_path / "content" / "authors"
    authors.mkdir(parents=True)
    (authors / "ana-lima.md").write_text(f"Name: Ana Lima\nAvatar: {avatar}\n\nHi.\n")
    (authors / "ben-okafor.md").write_text("Name: Ben Okafor\nAvatar: /images/ben.svg\n\nHi.\n")
    settings = read_settings(
        path=None, override={"PATH": str(tmp_path / "content"), "PORCH_AUTHORS_DIR": "authors"}
    )

    found = load_profiles(settings)

    assert found["Ana Lima"]["avatar_url"] is None
    assert found["Ben Okafor"]["avatar_url"] == "images/ben.svg"
    assert f"avatar {avatar} in" in caplog.text
