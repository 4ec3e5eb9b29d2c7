"""The files search engines and browsers ask a site for: sitemap.xml, robots.txt, the icons."""

import json
import shutil
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image

from .site_support import ROOT, build_sample_site

EXPORT = Path(__file__).parent / "fixtures" / "comments-export.json"
SITE_URL = "https://blog.example.com"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
DRAFT = """Title: Next quarter's roadmap
Date: 2026-11-20 09:00
Category: Product
Author: Ana Lima
Slug: roadmap-draft
Status: draft

Not ready yet.
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The sample site with one draft more, built as publishconf.py builds it (an absolute
    SITEURL): the output folder and the manifest."""
    folder = tmp_path_factory.mktemp("site-files")
    content = folder / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "roadmap-draft.md").write_text(DRAFT, encoding="utf-8")
    output, manifest = build_sample_site(
        folder, EXPORT, PATH=str(content), SITEURL=SITE_URL, RELATIVE_URLS=False
    )
    return output, json.loads(manifest.read_text(encoding="utf-8"))


def sitemap_urls(output: Path) -> list[str]:
    root = ElementTree.parse(output / "sitemap.xml").getroot()
    assert root.tag == f"{SITEMAP_NS}urlset"
    return [url.findtext(f"{SITEMAP_NS}loc") for url in root.iter(f"{SITEMAP_NS}url")]


def test_the_sitemap_lists_every_post_by_its_absolute_address(site):
    output, manifest = site

    urls = sitemap_urls(output)

    assert {SITE_URL + post["path"] for post in manifest["posts"]} <= set(urls)
    assert all(url.startswith(SITE_URL + "/") for url in urls)
    assert len(urls) == len(set(urls))


def test_the_sitemap_lists_pages_and_listings_but_no_draft_and_no_404_page(site):
    output, _ = site

    paths = {urlsplit(url).path for url in sitemap_urls(output)}

    assert (output / "drafts" / "roadmap-draft.html").is_file()
    assert not any("draft" in path for path in paths)
    assert "/404.html" not in paths
    assert {"/", "/about/", "/privacy/", "/archives/", "/authors/", "/tags/"} <= paths
    assert {"/authors/ana-lima/", "/categories/product/", "/tags/offline/"} <= paths


def test_robots_txt_allows_everything_and_names_the_sitemap(site):
    output, _ = site

    lines = (output / "robots.txt").read_text(encoding="utf-8").splitlines()

    assert lines[:2] == ["User-agent: *", "Allow: /"]
    assert f"Sitemap: {SITE_URL}/sitemap.xml" in lines


def test_a_local_build_names_the_local_server_in_robots_txt_and_the_sitemap(tmp_path):
    output, _ = build_sample_site(tmp_path, EXPORT, FEED_DOMAIN="http://127.0.0.1:8123")

    robots = (output / "robots.txt").read_text(encoding="utf-8")

    assert "Sitemap: http://127.0.0.1:8123/sitemap.xml" in robots.splitlines()
    urls = sitemap_urls(output)
    assert "http://127.0.0.1:8123/about/" in urls
    assert all(url.startswith("http://127.0.0.1:8123/") for url in urls)


@pytest.mark.parametrize(
    ("name", "pixels"),
    [("theme/favicon-32.png", 32), ("theme/apple-touch-icon.png", 180)],
)
def test_the_png_icons_have_their_sizes(site, name, pixels):
    output, _ = site

    with Image.open(output / name) as image:
        assert (image.format, image.size) == ("PNG", (pixels, pixels))


def test_favicon_ico_at_the_root_holds_16_and_32_pixel_icons(site):
    output, _ = site

    with Image.open(output / "favicon.ico") as image:
        assert image.format == "ICO"
        assert {(16, 16), (32, 32)} <= image.info["sizes"]


def test_the_svg_icon_is_drawn_in_the_theme_accent(site):
    output, _ = site

    svg = ElementTree.parse(output / "theme" / "favicon.svg").getroot()

    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert "#9a3412" in (ROOT / "theme" / "static" / "css" / "porch.css").read_text()
    assert any(shape.get("fill") == "#9a3412" for shape in svg.iter())


class HeadIcons(HTMLParser):
    """The icon links in a page's <head>, as (rel, href, type, sizes)."""

    def __init__(self, html):
        super().__init__()
        self.in_head = False
        self.icons = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.in_head = self.in_head or tag == "head"
        if self.in_head and tag == "link" and attrs.get("rel") in {"icon", "apple-touch-icon"}:
            self.icons.append((attrs["rel"], attrs["href"], attrs.get("type"), attrs.get("sizes")))

    def handle_endtag(self, tag):
        self.in_head = self.in_head and tag != "head"


def test_an_articles_icon_links_lead_to_the_icon_files(site):
    output, manifest = site
    post = manifest["posts"][0]
    html = (output / post["file"]).read_text(encoding="utf-8")

    icons = HeadIcons(html).icons

    assert [(rel, kind, sizes) for rel, _, kind, sizes in icons] == [
        ("icon", "image/svg+xml", None),
        ("icon", None, "32x32"),
        ("apple-touch-icon", None, None),
    ]
    for _, href, _, _ in icons:
        assert href.startswith(SITE_URL + "/")
        assert (output / href.removeprefix(SITE_URL + "/")).is_file()


def test_a_build_after_one_that_stopped_still_writes_its_sitemap(tmp_path):
    broken_export = tmp_path / "broken-export.json"
    broken_export.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="is not JSON"):
        build_sample_site(tmp_path / "stopped", broken_export)

    output, _ = build_sample_site(tmp_path / "next", EXPORT, SITEURL=SITE_URL)

    assert f"{SITE_URL}/about/" in sitemap_urls(output)
