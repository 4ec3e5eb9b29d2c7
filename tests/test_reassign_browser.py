"""Handing a comment to a colleague on the moderation page, in real Chromium.

The service runs as `flask run` on a fresh SQLite database with two authors; the post
comes from a posts manifest, and the reader's comment through the public API.
"""

import json

import pytest
from playwright.sync_api import Page, expect

from .browser_support import TIMEOUT_MS, ServiceProcess, post_comment
from .queue_support import unfold

pytestmark = pytest.mark.browser

expect.set_options(timeout=TIMEOUT_MS)
BLOG = "http://blog.test"
PAGING = {"per_page": 50, "page_url": "comments/{number}/"}  # the service's defaults
PASSWORD = "correct horse battery"
ANA, BEN = ("Ana Lima", "ana@porch.test"), ("Ben Okafor", "ben@porch.test")


@pytest.fixture(scope="module")
def service(porch_site):
    """The service with Ana's post and the two authors' accounts, serving."""
    porch = porch_site("porch-reassign", blog=False, BLOG_URL=BLOG)
    post = {"slug": "hello", "title": "Hello Porch", "path": "/hello/", "authors": [ANA[0]]}
    porch.manifest.write_text(json.dumps({"version": 2, "comments": PAGING, "posts": [post]}))
    for name, email in (ANA, BEN):
        porch.add_author(name, email, PASSWORD)
    porch.sync_posts()
    return porch.start().service


def sign_in(page: Page, service: ServiceProcess, email: str) -> None:
    page.goto(f"{service.url}/auth/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Views")).to_be_visible()


def test_an_author_hands_a_comment_to_a_colleague_who_then_sees_it_waiting(browser, service):
    post_comment(service.url, "hello", BLOG, author_name="Priya", body="Can Ben answer this?")
    ana = browser.new_context().new_page()
    sign_in(ana, service, ANA[1])
    item = ana.locator("article.item").filter(has_text="Can Ben answer this?")
    unfold(item, "More")
    item.get_by_text("Hand to a colleague").click()
    item.get_by_label("Hand the comment by Priya to").select_option(label=BEN[0])
    item.get_by_role("button", name="Hand over").click()
    expect(ana.locator(".flash--success")).to_have_text("Comment by Priya handed to Ben Okafor.")
    expect(ana.locator("article.item").filter(has_text="Can Ben answer this?")).to_have_count(0)
    ana.context.close()

    ben = browser.new_context().new_page()
    sign_in(ben, service, BEN[1])
    handed = ben.locator("article.item").filter(has_text="Can Ben answer this?")
    expect(handed).to_contain_text("For Ben Okafor · handed on")
    unfold(handed, "More")
    handed.get_by_text("History").click()
    expect(handed.locator(".history")).to_contain_text("Ana Lima · handed on")
    ben.context.close()
