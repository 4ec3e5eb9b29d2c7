"""A reader gets and erases their data from the blog's privacy page, in a real browser.

The sample site is built with `pelican`, the service runs as `flask run`, the link
leaves through `flask mail send` to a real SMTP server (aiosmtpd), and Chromium
follows it: the export downloads as a JSON file, and after the erasure the comment
is gone from the article.
"""

import json
import re

import pytest
from playwright.sync_api import Page, expect

from .browser_support import TIMEOUT_MS, flask
from .smtp_support import SmtpServer
from .test_subscriptions_browser import screenshot, smtp_environment

pytestmark = pytest.mark.browser

SLUG = "offline-mode-explained"
READER, READER_EMAIL = "Jo Quill", "jo.quill@reader.test"
QUESTION = "Does the marmalade reminder sync when I am offline?"
REPLIED = "Is there a way to share a schedule with a customer?"
OTHER = "Same question: can customers see their visit times?"

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def porch(porch_site, smtp):
    """The built sample blog, a fresh service mailing the sink, and Jo's comment on it."""
    porch = porch_site("porch-people", slug=SLUG, **smtp_environment(smtp)).publish().start()
    fields = {"author_name": READER, "email": "Jo.Quill@Reader.test", "body": QUESTION}
    porch.comment(**fields)
    replied = porch.comment(**{**fields, "body": REPLIED})
    porch.comment(author_name="Ben Reader", body=OTHER, parent_id=replied["id"])
    return {"env": porch.env, "site": porch.site.url, "article": porch.article_url}


def ask_on_the_privacy_page(page: Page, porch, choice: str) -> None:
    page.goto(porch["site"] + "/privacy/")
    form = page.locator("form.data-request-form")
    form.get_by_label("Your email address").fill(READER_EMAIL)
    form.get_by_label(choice).check()
    screenshot(page, "privacy-page.png")
    form.get_by_role("button", name="Email me the link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()


def mailed_link(porch, smtp, wish: str) -> str:
    flask("mail", "send", env=porch["env"])
    for item in reversed(smtp.sink.received):
        if READER_EMAIL in item.recipients:
            text = item.message.get_body(("plain",)).get_content()
            if found := re.search(rf"http://\S+/privacy/{wish}/\S+", text):
                return found.group(0)
    raise AssertionError(f"No {wish} link reached the reader")


def test_a_reader_downloads_then_erases_their_data_from_the_privacy_page(page, porch, smtp):
    page.goto(porch["article"])
    expect(page.locator(".comment-list").get_by_text(QUESTION)).to_be_visible()

    ask_on_the_privacy_page(page, porch, "Send me a copy of my data")
    page.goto(mailed_link(porch, smtp, "export"))
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data (JSON)").click()
    document = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert [c["body_markdown"] for c in document["comments"]] == [QUESTION, REPLIED]

    ask_on_the_privacy_page(page, porch, "Erase my data")
    page.goto(mailed_link(porch, smtp, "forget"))
    screenshot(page, "privacy-erase.png")
    page.get_by_role("button", name="Erase my data").click()
    expect(page.get_by_role("heading", name="Done: your data is erased")).to_be_visible()

    page.goto(porch["article"])
    expect(page.locator(".comment-list").get_by_text(OTHER)).to_be_visible()  # the script ran
    placeholder = page.locator(".comment--removed .comment-removed")
    expect(placeholder).to_have_text("This comment was removed at the author’s request.")
    expect(page.get_by_text(QUESTION)).to_have_count(0)
    expect(page.get_by_text(REPLIED)).to_have_count(0)
    expect(page.get_by_text(READER)).to_have_count(0)


def test_an_unknown_address_gets_the_same_page_and_no_mail(page, porch, smtp):
    before = len(smtp.sink.received)
    page.goto(porch["site"] + "/privacy/")
    page.get_by_label("Your email address").fill("stranger@reader.test")
    page.get_by_role("button", name="Email me the link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    flask("mail", "send", env=porch["env"])
    assert len(smtp.sink.received) == before
