"""The weight an article page asks readers to download, measured on the built sample site.

Sizes, not timings: gzip level 9, as a web server would send the minified files.
"""

import gzip
import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from .site_support import build_sample_site

EXPORT = Path(__file__).parent / "fixtures" / "comments-export.json"
SLUG = "hello-porch"  # an article with comments in the export
KB = 1024
COMMENTS_JS_BUDGET = 5 * KB
PAGE_ASSETS_BUDGET = 8 * KB
SITE_ORIGIN = "http://blog.test"


class AssetLinks(HTMLParser):
    """The scripts and style sheets a page loads, as written in its HTML."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and attributes.get("src"):
            self.found.append(attributes["src"])
        if tag == "link" and "stylesheet" in (attributes.get("rel") or "").split():
            self.found.append(attributes["href"])


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    output, manifest = build_sample_site(tmp_path_factory.mktemp("weight"), EXPORT)
    posts = json.loads(manifest.read_text(encoding="utf-8"))["posts"]
    return output, next(post["path"] for post in posts if post["slug"] == SLUG)


def gzipped(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def report(label: str, path: Path) -> int:
    size = gzipped(path)
    print(f"{label}: {path.stat().st_size} bytes raw, {size} bytes gzipped")
    return size


def loaded_files(output: Path, article_path: str) -> list[Path]:
    """Each script and style sheet the article loads, as a file of the build (same origin only)."""
    page_url = SITE_ORIGIN + article_path
    parser = AssetLinks()
    parser.feed((output / article_path.strip("/") / "index.html").read_text(encoding="utf-8"))
    files = []
    for reference in parser.found:
        url = urlsplit(urljoin(page_url, reference))
        assert f"{url.scheme}://{url.netloc}" == SITE_ORIGIN, f"{reference} is not the blog's own"
        files.append(output / url.path.lstrip("/"))
    return files


def test_comments_script_is_minified_and_within_its_budget(site):
    output, _ = site
    built = output / "theme" / "js" / "porch-comments.js"
    source = Path(__file__).parents[1] / "theme" / "static" / "js" / "porch-comments.js"

    size = report("porch-comments.js", built)

    assert built.stat().st_size < source.stat().st_size
    assert "\n  " not in built.read_text(encoding="utf-8")
    assert size <= COMMENTS_JS_BUDGET


def test_style_sheet_is_minified(site):
    output, _ = site
    built = output / "theme" / "css" / "porch.css"
    source = Path(__file__).parents[1] / "theme" / "static" / "css" / "porch.css"

    report("porch.css", built)

    assert built.stat().st_size < source.stat().st_size
    assert "/*" not in built.read_text(encoding="utf-8")


def test_everything_an_article_loads_fits_in_its_budget(site):
    output, article_path = site

    files = loaded_files(output, article_path)
    total = sum(report(path.name, path) for path in files)
    print(f"article total: {total} bytes gzipped of {PAGE_ASSETS_BUDGET}")

    assert sorted(path.name for path in files) == ["porch-comments.js", "porch.css"]
    assert total <= PAGE_ASSETS_BUDGET
