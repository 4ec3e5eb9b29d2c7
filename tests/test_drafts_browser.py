"""A draft's page in real Chromium: it says it is a draft, and instead of a comment form
the service would refuse ("There is no post ... to comment on") it says comments open
when the post is published, with JavaScript on and off.

The sample site is built with one draft more by `pelican` and served as static files.
"""

import shutil

import pytest
from playwright.sync_api import expect

from .axe_support import assert_accessible
from .browser_support import TIMEOUT_MS, StaticSite, build_site, clean_environment
from .site_support import ROOT
from .test_end_to_end import screenshot

pytestmark = pytest.mark.browser

expect.set_options(timeout=TIMEOUT_MS)
DRAFT_SLUG = "spring-preview"
DRAFT = f"""Title: A first look at the spring release
Date: 2026-11-25 09:00
Category: Product
Author: Ana Lima
Tags: design
Slug: {DRAFT_SLUG}
Status: draft

What ships in spring, for the people who asked.
"""
CLOSED = "Comments open when this post is published"


@pytest.fixture(scope="module")
def blog(tmp_path_factory):
    """The sample blog and the draft, built and served; the service is not needed."""
    folder = tmp_path_factory.mktemp("drafts")
    content = folder / "content"
    shutil.copytree(ROOT / "content", content)
    (content / f"{DRAFT_SLUG}.md").write_text(DRAFT, encoding="utf-8")
    output = folder / "output"
    build_site(output, clean_environment(), PATH=str(content))
    site = StaticSite(output).start()
    yield site
    site.stop()


@pytest.mark.parametrize(
    ("name", "javascript", "scheme"),
    [("js", True, "light"), ("no-js", False, "light"), ("dark", True, "dark")],
)
def test_a_draft_says_so_and_offers_no_comment_form(blog, open_page, name, javascript, scheme):
    page = open_page(javascript=javascript, color_scheme=scheme)
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    page.goto(f"{blog.url}/drafts/{DRAFT_SLUG}.html")

    banner = page.get_by_role("note")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Draft")
    expect(banner).to_contain_text("not published yet")
    expect(banner).to_have_css("border-top-style", "dashed")  # its style sheet is loaded
    comments = page.locator("#comments")
    expect(comments).to_contain_text(f"{CLOSED}: then ask your question here, and Ana Lima")
    expect(page.locator("form")).to_have_count(0)
    expect(page.get_by_role("button", name="Post comment")).to_have_count(0)
    expect(page.locator('meta[name="robots"]')).to_have_attribute("content", "noindex")
    assert errors == []
    if javascript:  # axe runs as a script in the page
        assert_accessible(page)
    screenshot(page, f"draft-{name}.png")


def test_a_published_post_keeps_its_form_and_no_banner(blog, page):
    page.goto(f"{blog.url}/2026/10/offline-mode-explained/")
    expect(page.get_by_role("button", name="Post comment")).to_be_visible()
    expect(page.locator(".draft-banner")).to_have_count(0)
    expect(page.locator("#comments")).not_to_contain_text(CLOSED)
