"""The moderation queue is calm: a compact card per comment, whose answer box and other tools
open on demand, with or without JavaScript. Real Chromium at 1280×800 on sample-like data."""

import re

import pytest
from playwright.sync_api import Page, expect

from .browser_support import TIMEOUT_MS
from .queue_support import READERS, comment, held_comment, sign_in, start_queue, unfold
from .test_end_to_end import ARTIFACTS, screenshot

pytestmark = pytest.mark.browser

expect.set_options(timeout=TIMEOUT_MS)
SCREEN = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def porch(porch_site):
    """Six waiting comments of two to four sentences, as the sample blog has them."""
    porch = start_queue(porch_site, "porch-cards")
    porch.ids = {name: comment(porch, name, slug, body) for name, slug, body in READERS}
    return porch


def card(page: Page, porch, name: str):
    return page.locator(f"#comment-{porch.ids[name]}")


def test_four_comments_fit_the_first_screen(open_page, porch):
    """Each of the first four cards shows its head and its action line without scrolling."""
    page = open_page(viewport=SCREEN)
    sign_in(page, porch)
    cards = page.locator("article.card")
    expect(cards).to_have_count(len(READERS))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "cards-first-screen.png")
    screenshot(page, "cards-queue.png")
    for index in range(4):
        head = cards.nth(index).locator(".item-head").bounding_box()
        actions = cards.nth(index).locator(".card-actions").bounding_box()
        assert head["y"] >= 0 and actions["y"] + actions["height"] <= SCREEN["height"], index


def test_the_answer_box_and_the_other_tools_open_on_demand(open_page, porch):
    page = open_page(viewport=SCREEN)
    sign_in(page, porch)
    priya = card(page, porch, "Priya Shah")
    box = priya.get_by_label("Your answer to Priya Shah (Markdown)")
    expect(box).to_be_hidden()
    expect(priya.get_by_text("Hand to a colleague")).to_be_hidden()
    expect(priya.get_by_role("button", name="question", exact=True)).to_be_hidden()

    unfold(priya, "Answer")
    expect(box).to_be_visible()
    expect(priya.get_by_text("Hand to a colleague")).to_be_hidden()
    unfold(priya, "More")
    for tool in ("Answered privately", "Follow up", "No answer needed", "Hand to a colleague"):
        expect(priya.get_by_text(tool, exact=True)).to_be_visible()
    expect(priya.get_by_role("button", name="question", exact=True)).to_be_visible()
    thread = priya.get_by_role("link", name="Whole thread of the comment by Priya Shah")
    expect(thread).to_be_visible()
    screenshot(page, "cards-open.png")


def test_a_long_text_is_cut_and_read_in_full_on_demand(open_page, porch):
    long_text = " ".join(f"Sentence {i} of a long story about the offline copy." for i in range(20))
    long_id = comment(porch, "Long Writer", "offline-mode-explained", long_text)
    page = open_page(viewport=SCREEN)
    sign_in(page, porch)
    body = page.locator(f"#comment-{long_id} .body")
    cut = body.bounding_box()["height"]
    page.locator(f"#comment-{long_id}").get_by_text("Read all").click()
    assert body.bounding_box()["height"] > 2 * cut


def test_a_short_text_is_never_cut_even_on_a_narrow_screen(open_page, porch):
    page = open_page(viewport={"width": 375, "height": 800})
    sign_in(page, porch)
    priya = card(page, porch, "Priya Shah")
    expect(priya.get_by_text("Read all")).to_have_count(0)
    assert priya.locator(".body").evaluate("body => body.scrollHeight <= body.clientHeight")


def test_without_javascript_an_answer_opens_and_publishes(open_page, porch):
    page = open_page(javascript=False, viewport=SCREEN)
    sign_in(page, porch)
    expect(page.get_by_role("button", name="Keyboard shortcuts (?)")).to_be_hidden()
    tom = card(page, porch, "Tom Becker")
    unfold(tom, "Answer")
    tom.get_by_label("Your answer to Tom Becker (Markdown)").fill("Yes: tick Skip holidays.")
    tom.get_by_role("button", name="Publish answer").click()
    expect(page.locator(".flash--success")).to_have_text("Your answer to Tom Becker is published.")
    expect(card(page, porch, "Tom Becker")).to_have_count(0)


def test_without_javascript_more_leads_to_the_tools_and_back_to_the_tab(open_page, porch):
    page = open_page(javascript=False, viewport=SCREEN)
    sign_in(page, porch, "/moderation/?view=waiting")
    sam = card(page, porch, "Sam Field")
    expect(sam.get_by_role("button", name="question", exact=True)).to_have_count(0)
    unfold(sam, "More")
    sam.get_by_role("link", name="Kinds, private answer, follow-up, handing over, history").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("^More for the comment by Sam Field")
    )
    tools = card(page, porch, "Sam Field")
    expect(tools.get_by_text("Hand to a colleague", exact=True)).to_be_visible()
    screenshot(page, "cards-tools-page.png")
    tools.get_by_role("button", name="idea", exact=True).click()
    expect(page).to_have_url(re.compile(r"/moderation/\?view=waiting#comment-"))
    expect(card(page, porch, "Sam Field").locator(".kind-badge")).to_have_text("Kind: idea")


def test_without_javascript_a_held_comment_is_answered_and_approved(open_page, porch):
    held_id = held_comment(porch, "Linky Reader")
    page = open_page(javascript=False, viewport=SCREEN)
    sign_in(page, porch, "/moderation/?view=held")
    held = page.locator(f"#comment-{held_id}")
    expect(held.get_by_role("button", name="Approve", exact=True)).to_be_visible()
    unfold(held, "Answer")
    held.get_by_label(
        "Your answer to Linky Reader (Markdown; publishing it approves the comment)"
    ).fill("The second one.")
    held.get_by_role("button", name="Approve and publish answer").click()
    published = page.locator(".flash--success")
    expect(published).to_have_text("Your answer to Linky Reader is published.")


def test_a_refused_answer_reopens_its_box_with_the_text_and_why(open_page, porch):
    page = open_page(javascript=False, viewport=SCREEN)
    sign_in(page, porch)
    marco = card(page, porch, "Marco Rossi")
    unfold(marco, "Answer")
    marco.get_by_label("Your answer to Marco Rossi (Markdown)").fill("<span></span>")
    marco.get_by_role("button", name="Publish answer").click()

    marco = card(page, porch, "Marco Rossi")
    box = marco.get_by_label("Your answer to Marco Rossi (Markdown)")
    expect(box).to_be_visible()
    expect(box).to_have_value("<span></span>")
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(marco.locator(".field-error")).to_have_text(
        "Nothing of this answer would show: HTML tags are removed."
    )
    expect(card(page, porch, "Lena Vogel").locator("textarea").first).to_be_hidden()
    screenshot(page, "cards-refused.png")
