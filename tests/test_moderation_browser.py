"""The moderation page in real Chromium: bulk spam that never reaches the article, undo,
every tab on screen (light and dark), and moderation with the keyboard alone.

The blog is the real sample site built with `pelican`; the service runs as `flask run`;
readers' comments arrive through the public API, as the article's form sends them.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from .axe_support import assert_accessible
from .browser_support import TIMEOUT_MS, post_comment
from .porch_support import PorchSite
from .queue_support import unfold
from .test_end_to_end import AUTHOR, AUTHOR_EMAIL, AUTHOR_PASSWORD, SLUG, screenshot

pytestmark = pytest.mark.browser

expect.set_options(timeout=TIMEOUT_MS)
BOTS = ("Cheap Watches", "Crypto Bonanza")
KIND = "Kind Reader"


@pytest.fixture(scope="module")
def porch(porch_site):
    """A fresh SQLite service with Ana's account, and the built sample blog, both serving."""
    porch = porch_site("porch-moderation", slug=SLUG, COMMENT_RATE_LIMIT="100 per minute")
    porch.add_author(AUTHOR, AUTHOR_EMAIL, AUTHOR_PASSWORD)
    return porch.publish().start()


def comment(porch: PorchSite, name: str, body: str) -> int:
    return post_comment(porch.service.url, SLUG, porch.site.url, author_name=name, body=body)["id"]


def sign_in(page: Page, porch: PorchSite, path: str = "/moderation/") -> None:
    page.goto(f"{porch.service.url}/auth/login?next={path}")
    page.get_by_label("Email", exact=True).fill(AUTHOR_EMAIL)
    page.get_by_label("Password", exact=True).fill(AUTHOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Views")).to_be_visible()


def live_thread_names(page: Page, porch: PorchSite) -> list[str]:
    """The names on the article once its script has fetched the live thread."""
    page.goto(porch.article_url)
    expect(page.locator(".comment-list > li.comment").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    return page.locator(".comment-list .comment-author").all_inner_texts()


def test_bulk_spam_never_reaches_the_article_and_undo_brings_it_back(browser, porch):
    kind = comment(porch, KIND, "Does the offline mode keep my drafts?")
    for bot in BOTS:
        comment(porch, bot, f"{bot}! Visit now.")
    moderator = browser.new_context().new_page()
    reader = browser.new_context().new_page()
    assert set(live_thread_names(reader, porch)) >= {KIND, *BOTS}

    sign_in(moderator, porch)
    for bot in BOTS:
        moderator.get_by_label(f"Select the comment by {bot}").check()
    moderator.locator("#bulk").get_by_role("button", name="Spam selected").click()
    expect(moderator.locator(".flash--success")).to_have_text("2 comments marked as spam.")
    expect(moderator.locator("article.item").filter(has_text=BOTS[0])).to_have_count(0)

    names = live_thread_names(reader, porch)
    assert KIND in names and not set(BOTS) & set(names)
    expect(reader.locator(f"#comment-{kind}")).to_be_visible()

    moderator.get_by_role("button", name="Undo").click()
    expect(moderator.locator(".flash--success")).to_have_text("2 comments taken out of spam.")
    assert set(live_thread_names(reader, porch)) >= {KIND, *BOTS}
    reader.context.close()
    moderator.context.close()


VIEWS = ("waiting", "escalated", "held", "spam", "removed", "answered", "all")


@pytest.fixture(scope="module")
def one_in_each_tab(browser, porch):
    """Fill every tab through the page itself: spam, delete, answer; four links get held."""
    links = " ".join(f"[link](https://example.com/{i})" for i in range(4))
    comment(porch, "Held Example", f"Held for its links: {links}")
    for name in ("Spam Example", "Removed Example", "Answered Example"):
        comment(porch, name, f"A comment by {name}.")
    page = browser.new_context().new_page()
    sign_in(page, porch)
    for name, button in (("Spam Example", "Spam"), ("Removed Example", "Delete")):
        page.locator("article.item").filter(has_text=name).get_by_role(
            "button", name=button, exact=True
        ).click()
        expect(page.locator(".flash--success")).to_contain_text(name)
    answered = page.locator("article.item").filter(has_text="Answered Example")
    unfold(answered, "Answer")
    answered.get_by_label("Your answer to Answered Example").fill("Thanks, noted.")
    answered.get_by_role("button", name="Publish answer").click()
    expect(page.locator(".flash--success")).to_contain_text("is published")
    page.context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_tab_on_screen(browser, porch, one_in_each_tab, scheme):
    """One screenshot per tab and colour scheme, for a person to look at; axe-core finds no
    serious or critical violation on any of them, the thread or the sign-in page."""
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.goto(f"{porch.service.url}/auth/login")
    assert_accessible(page)
    sign_in(page, porch)
    expected = {"held": "Held Example", "spam": "Spam Example", "removed": "Removed Example"}
    expected["answered"] = "Answered Example"
    suffix = "" if scheme == "light" else "-dark"
    for view in VIEWS:
        page.goto(f"{porch.service.url}/moderation/?view={view}")
        expect(page.locator(".tabs [aria-current=page]")).to_be_visible()
        if view in expected:
            expect(page.locator("article.item").filter(has_text=expected[view])).to_have_count(1)
        screenshot(page, f"moderation-{view}{suffix}.png")
        assert_accessible(page)
    answered = page.get_by_role("heading", name=re.compile("^Comment by Answered Example"))
    unfold(page.locator("article.item").filter(has=answered), "More")
    page.get_by_role("link", name="Whole thread of the comment by Answered Example").click()
    expect(page.get_by_role("heading", name=re.compile("^Conversation on"))).to_be_visible()
    expect(page.locator(".thread > li")).to_have_count(2)
    page.locator(".thread > li").first.get_by_text(re.compile("^History")).click()
    screenshot(page, f"moderation-thread{suffix}.png")
    assert_accessible(page)
    context.close()


def focus_on(page: Page, accessible_name: str, key: str = "Tab", limit: int = 200) -> None:
    """Press Tab (or Shift+Tab) until the element with this label or text has the focus."""
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate(FOCUSED_NAME) == accessible_name:
            return
    raise AssertionError(f"{accessible_name!r} never took the focus with {key}")


FOCUSED_NAME = """() => {
  const el = document.activeElement;
  const label = el.id && document.querySelector(`label[for="${el.id}"]`);
  return (label ? label.textContent : el.textContent).trim();
}"""

FOCUS_RING_CONTRAST = """() => {
  const lum = (rgb) => {
    const [r, g, b] = rgb.match(/\\d+/g).slice(0, 3).map((v) => {
      const c = v / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ring = getComputedStyle(document.activeElement).outlineColor;
  let node = document.activeElement.parentElement;
  while (getComputedStyle(node).backgroundColor === "rgba(0, 0, 0, 0)") node = node.parentElement;
  const [hi, lo] = [lum(ring), lum(getComputedStyle(node).backgroundColor)].sort((a, b) => b - a);
  return (hi + 0.05) / (lo + 0.05);
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_keyboard_alone_deletes_a_comment_and_undoes_it(browser, porch, scheme):
    """Tab to a comment's checkbox, Space to tick it, Tab back to Delete, Enter; then Undo."""
    name = f"Keyboard Reader {scheme}"
    comment(porch, name, "Tabbing through the moderation page.")
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    sign_in(page, porch, "/moderation/?view=waiting")

    focus_on(page, f"Select the comment by {name}")
    assert page.evaluate(FOCUS_RING_CONTRAST) >= 3
    page.keyboard.press("Space")
    expect(page.get_by_label(f"Select the comment by {name}")).to_be_checked()
    focus_on(page, "Delete selected", key="Shift+Tab")
    assert page.evaluate(FOCUS_RING_CONTRAST) >= 3
    page.keyboard.press("Enter")
    expect(page.locator(".flash--success")).to_have_text(f"Comment by {name} deleted.")

    focus_on(page, "Undo")
    page.keyboard.press("Enter")
    expect(page.locator(".flash--success")).to_have_text(f"Comment by {name} restored.")
    expect(page.locator("article.item").filter(has_text=name)).to_have_count(1)
    screenshot(page, f"moderation-keyboard-{scheme}.png")
    context.close()


def test_tabs_and_search_work_with_the_keyboard(browser, porch):
    comment(porch, "Searchable Sam", "A needle in the haystack.")
    page = browser.new_context().new_page()
    sign_in(page, porch)
    focus_on(page, "Filter and search")
    page.keyboard.press("Enter")
    focus_on(page, "Search text, name, email or IP")
    page.keyboard.type("NEEDLE")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"q=NEEDLE"))
    expect(page.locator("article.item")).to_have_count(1)
    expect(page.locator("article.item")).to_contain_text("Searchable Sam")
    page.context.close()


def test_a_held_comment_is_answered_and_the_link_leads_to_the_answer_on_the_article(browser, porch):
    links = " ".join(f"[doc {i}](https://example.com/{i})" for i in range(4))
    held_id = comment(porch, "Linky Reader", f"Which of these is right? {links}")
    page = browser.new_context().new_page()
    sign_in(page, porch, "/moderation/?view=held")
    held = page.locator(f"#comment-{held_id}")
    unfold(held, "Answer")
    held.get_by_label(re.compile("^Your answer to Linky Reader")).fill("The second one.")
    held.get_by_role("button", name="Approve and publish answer").click()
    expect(page.locator(".flash--success")).to_have_text(
        "Your answer to Linky Reader is published."
    )
    expect(page.locator(f"#comment-{held_id}")).to_have_count(0)
    screenshot(page, "moderation-held-answered.png")

    page.get_by_role("link", name="See your answer on the blog").click()
    answer = page.locator(f"#comment-{held_id} li.comment--staff")
    expect(answer.locator(".comment-body")).to_contain_text("The second one.")
    expect(page.locator(f"#comment-{held_id} .comment-body").first).to_contain_text("Which")
    page.context.close()


def test_keyboard_alone_answers_one_comment_and_dismisses_another(browser, porch):
    comment(porch, "Asking Alex", "Can I export my routes?")
    comment(porch, "Thankful Toni", "Thanks for the post!")
    page = browser.new_context().new_page()
    sign_in(page, porch)

    focus_on(page, "Answer Asking Alex")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED_NAME) == "Your answer to Asking Alex (Markdown)"
    page.keyboard.type("Yes: Settings, then Export.")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED_NAME) == "Publish answer"
    page.keyboard.press("Enter")
    expect(page.locator(".flash--success")).to_have_text("Your answer to Asking Alex is published.")

    focus_on(page, "More for the comment by Thankful Toni")
    page.keyboard.press("Enter")
    focus_on(page, "No answer needed")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type("A thank-you")
    page.keyboard.press("Enter")
    expect(page.locator(".flash--success")).to_have_text(
        "Comment by Thankful Toni marked no answer needed."
    )
    page.context.close()
