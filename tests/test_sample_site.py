"""The real sample site (pelicanconf.py, content/, theme/) builds with the Porch plugin."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .browser_support import BIN, ROOT, clean_environment, flask, run
from .site_support import build_sample_site

EXPORT = Path(__file__).parent / "fixtures" / "comments-export.json"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Build once for every test here: the output folder and the manifest it produced."""
    output, manifest = build_sample_site(tmp_path_factory.mktemp("sample-site"), EXPORT)
    return output, json.loads(manifest.read_text(encoding="utf-8"))


def test_manifest_has_the_sample_posts_and_their_named_authors(site):
    _, manifest = site

    posts = manifest["posts"]
    authors = {name for post in posts for name in post["authors"]}
    assert len(posts) >= 6
    assert len(authors) >= 3
    assert any(len(post["authors"]) == 2 for post in posts)
    assert all(post["path"].startswith("/") and post["path"].endswith("/") for post in posts)


def test_about_page_404_page_and_feeds_are_built(site):
    output, _ = site

    assert (output / "about" / "index.html").is_file()
    assert (output / "404.html").is_file()
    assert (output / "feeds" / "all.atom.xml").is_file()
    assert list((output / "feeds" / "authors").glob("*.atom.xml"))


def test_comments_script_ships_with_the_theme(site):
    output, _ = site

    assert (output / "theme" / "js" / "porch-comments.js").is_file()


@pytest.mark.parametrize(
    ("slug", "reader_text", "staff_comment_id"),
    [
        ("hello-porch", "Will every answer really come from the author?", 3),
        ("offline-mode-explained", "Do photos taken offline upload later?", 6),
    ],
)
def test_exported_comments_are_baked_into_their_article(site, slug, reader_text, staff_comment_id):
    output, manifest = site
    post = next(post for post in manifest["posts"] if post["slug"] == slug)

    html = (output / post["path"].strip("/") / "index.html").read_text(encoding="utf-8")

    assert reader_text in html
    assert f'data-porch-api="http://127.0.0.1:5000/api/posts/{slug}/comments"' in html
    assert f'<li class="comment comment--staff" id="comment-{staff_comment_id}"' in html
    assert 'class="staff-badge"' in html


def test_a_first_run_loads_the_posts_without_a_warning_about_missing_accounts(site, tmp_path):
    """As `make run` does on a fresh checkout: the sample staff, then the posts."""
    output, _ = site
    env = clean_environment(
        DATABASE_URL=f"sqlite:///{tmp_path / 'porch.sqlite3'}", SECRET_KEY="first-run"
    )
    flask("db", "upgrade", env=env)
    run([str(BIN / "python"), "scripts/dev_seed.py", "accounts"], env)
    manifest = str(output.parent / "porch-manifest.json")
    loaded = subprocess.run(
        [str(BIN / "flask"), "--app", "comments_service", "posts", "sync", manifest],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert loaded.returncode == 0, loaded.stderr
    assert "posts" in loaded.stdout
    assert "no staff account" not in loaded.stdout + loaded.stderr


def test_the_preview_opens_locally_with_its_styles(tmp_path):
    """`invoke preview` builds the public blog; its pages find their stylesheets from any
    local server, while its feeds keep the public address."""
    project = tmp_path / "project"
    for name in ("content", "theme", "pelicanconf.py", "publishconf.py", "tasks.py"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, project / name)
    env = clean_environment(BLOG_URL="https://blog.example.com")
    built = subprocess.run(
        [str(BIN / "invoke"), "preview"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    preview = project / "preview"
    article = next(preview.glob("20*/**/index.html"))
    html = article.read_text(encoding="utf-8")
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert sheets and not any(sheet.startswith(("http", "/")) for sheet in sheets)
    for sheet in sheets:
        assert (article.parent / sheet.split("?")[0]).resolve().is_file(), sheet
    feed = next(preview.glob("feeds/*.xml")).read_text(encoding="utf-8")
    assert "https://blog.example.com/" in feed
