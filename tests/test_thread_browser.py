"""The thread view in real Chromium: a held reply is answered from the conversation, and
the page comes back to the conversation with the answer in it."""

import re

import pytest
from playwright.sync_api import expect

from .browser_support import TIMEOUT_MS
from .queue_support import POSTS, comment, held_comment, sign_in, start_queue, unfold
from .test_end_to_end import screenshot

pytestmark = pytest.mark.browser
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def porch(porch_site):
    return start_queue(porch_site, "porch-thread")


def test_a_held_comment_is_answered_from_its_conversation(page, porch):
    comment(porch, "Priya Raman", POSTS[0][0], "Is the offline mode on by default?")
    held = held_comment(porch, "Lee Chen")
    sign_in(page, porch)
    thread = f"{porch.service.url}/moderation/comments/{held}/thread"
    page.goto(thread)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Conversation on")
    lee = page.locator(f"#comment-{held}")
    expect(lee.locator(".held-reason")).to_have_text("Why held: 4 links")
    expect(lee.locator(".inert-link")).to_have_count(4)
    assert lee.locator("a[href^='https://example.com']").count() == 0
    assert "depth" not in page.locator("main").inner_text().lower()
    unfold(lee, "Answer")
    lee.get_by_label(re.compile("Your answer to Lee Chen")).fill("The second page is the one.")
    screenshot(page, "thread-answer-open.png")
    lee.get_by_role("button", name="Approve and publish answer").click()
    expect(page).to_have_url(re.compile(rf"/moderation/comments/{held}/thread"))
    expect(page.locator(".flash--success")).to_contain_text("Your answer to Lee Chen")
    expect(page.locator("main")).to_contain_text("The second page is the one.")
    expect(page.locator("main")).to_contain_text("reply to Lee Chen")
    expect(lee.locator("a[href^='https://example.com']")).to_have_count(4)
    screenshot(page, "thread-answered.png")
