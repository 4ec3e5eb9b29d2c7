"""An admin blocks a reader, keeps the blocklists and empties the spam in real Chromium.

Staff pages run no script (their Content-Security-Policy allows none): every step is a
plain form, and emptying the spam is confirmed on a page of its own."""

import json

import pytest
from playwright.sync_api import Page, expect

from .axe_support import assert_accessible, keep_screenshot
from .browser_support import TIMEOUT_MS, post_comment
from .queue_support import unfold

pytestmark = pytest.mark.browser

expect.set_options(timeout=TIMEOUT_MS)
BLOG = "http://blog.test"
PAGING = {"per_page": 50, "page_url": "comments/{number}/"}
PASSWORD = "correct horse battery"
ADMIN = ("Ana Lima", "ana@porch.test")


@pytest.fixture(scope="module")
def service(porch_site):
    porch = porch_site("porch-blocklist", blog=False, BLOG_URL=BLOG)
    post = {"slug": "hello", "title": "Hello Porch", "path": "/hello/", "authors": [ADMIN[0]]}
    porch.manifest.write_text(json.dumps({"version": 2, "comments": PAGING, "posts": [post]}))
    porch.add_author(*ADMIN, PASSWORD, role="admin")
    porch.sync_posts()
    return porch.start().service


def sign_in(page: Page, url: str) -> None:
    page.goto(f"{url}/auth/login")
    page.get_by_label("Email", exact=True).fill(ADMIN[1])
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Views")).to_be_visible()


def fits(page: Page) -> bool:
    """The page's own sections fit the window (the top bar is the base layout's concern)."""
    return page.evaluate(
        "[...document.querySelectorAll('main section')].every(s =>"
        " s.getBoundingClientRect().right <= innerWidth && s.scrollWidth <= s.clientWidth)"
    )


@pytest.mark.parametrize("width", [1280, 375])
def test_an_admin_blocks_a_reader_then_empties_the_spam_without_javascript(
    open_page, service, width
):
    spammer = f"seller{width}@spam.example"
    post_comment(
        service.url, "hello", BLOG, author_name="Seller", body="Great deals", email=spammer
    )
    page = open_page(viewport={"width": width, "height": 800})
    sign_in(page, service.url)

    card = page.locator("article.item").filter(has_text="Great deals")
    unfold(card, "More")
    card.get_by_role("button", name="Block this reader").click()
    expect(page.locator(".flash--success")).to_contain_text(f"Blocked: email {spammer} added")
    post_comment(service.url, "hello", BLOG, author_name="Seller", body="More deals", email=spammer)

    page.get_by_role("link", name="Blocklists").click()
    expect(page.get_by_role("heading", name="Sent straight to Spam")).to_be_visible()
    expect(page.locator(".blocklist")).to_contain_text(spammer)
    page.get_by_label("Kind").select_option("ip")
    page.get_by_label("Email, domain, IP address or range, word or phrase").fill("10.0.0.0/33")
    page.get_by_role("button", name="Add to the list").click()
    expect(page.get_by_role("alert")).to_contain_text("'10.0.0.0/33' is not an IP address")
    keep_screenshot(page, f"blocklist-page-{width}.png")
    assert fits(page)
    assert_accessible(page)

    page.goto(f"{service.url}/moderation/?view=spam")
    expect(page.locator("article.item").filter(has_text="More deals")).to_be_visible()
    page.get_by_role("link", name="Empty spam (").click()
    expect(page.get_by_role("heading", name="Empty spam")).to_be_visible()
    keep_screenshot(page, f"empty-spam-confirm-{width}.png")
    assert fits(page)
    page.get_by_role("button", name="for good").click()
    expect(page.locator(".flash--success")).to_contain_text("deleted for good.")
    expect(page.locator("article.item")).to_have_count(0)
