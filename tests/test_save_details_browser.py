"""Unticking "Save my name, email and website" in real Chromium: the details are forgotten
for next time, never taken from the comment being written.

The sample blog is built with `pelican` and served over HTTP, the service runs as
`flask run` on its own database, and Chromium talks to both. Nothing is mocked.
"""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from .browser_support import TIMEOUT_MS

pytestmark = pytest.mark.browser

expect.set_options(timeout=TIMEOUT_MS)
SLUG = "hello-porch"
READER = "Jo Reader"
READER_EMAIL = "jo@example.org"
SAVE = "Save my name, email and website"


@pytest.fixture(scope="module")
def blog(porch_site):
    """The sample blog, served, with a service that publishes comments at once."""
    # Playwright types faster than people; the fill-time check has its own tests.
    return porch_site("porch-save-details", slug=SLUG, MIN_FILL_SECONDS="0").publish().start()


def open_article(page: Page, blog) -> Locator:
    """Open the post, wait until the script has fetched the live thread; return its form."""
    with page.expect_response(lambda r: r.url == blog.api_url + "?page=1"):
        page.goto(blog.article_url)
    return page.locator("#comments > form.comment-form")


def post(form: Locator, body: str) -> None:
    """Write body in the form, send it and wait for the service to store it."""
    form.get_by_label("Your question or comment").fill(body)
    with form.page.expect_response(lambda r: r.request.method == "POST") as answer:
        form.get_by_role("button", name="Post comment").click()
    assert answer.value.status == 201, answer.value.text()
    expect(form.page.locator("#comments li.comment").filter(has_text=body)).to_have_count(1)


def test_unticking_forgets_the_details_but_the_comment_keeps_them(blog, page, tmp_path):
    form = open_article(page, blog)
    form.get_by_label("Your name").fill(READER)
    form.get_by_label(re.compile(r"^Email")).fill(READER_EMAIL)
    form.get_by_label(SAVE).check()
    post(form, "First question: is there an app for the phone?")

    form = open_article(page, blog)
    name, email = form.get_by_label("Your name"), form.get_by_label(re.compile(r"^Email"))
    expect(name).to_have_value(READER)
    expect(email).to_have_value(READER_EMAIL)

    form.get_by_label(SAVE).uncheck()
    page.screenshot(path=tmp_path / "unticked.png", full_page=True)
    expect(name).to_have_value(READER)
    expect(email).to_have_value(READER_EMAIL)
    post(form, "Second question, with my details forgotten afterwards.")
    expect(form.locator(".field-error, .form-errors:not(:empty)")).to_have_count(0)

    form = open_article(page, blog)
    expect(form.get_by_label("Your name")).to_have_value("")
    expect(form.get_by_label(re.compile(r"^Email"))).to_have_value("")
    expect(form.get_by_label(SAVE)).not_to_be_checked()
    assert page.evaluate("localStorage.getItem('porchReader')") is None
