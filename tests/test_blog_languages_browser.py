"""The blog in Arabic and in German, in Chromium: right to left at a phone's and a desk's
width, light and dark, accessible; and a reader's comment, posted with JavaScript, said in
the blog's language by the script. Screenshots go to test-artifacts/."""

import pytest
from playwright.sync_api import Page, expect

from porch_pelican.filters import time_label
from porch_pelican.language import theme_translations

from .axe_support import assert_accessible, keep_screenshot
from .browser_support import ROOT, TIMEOUT_MS
from .porch_support import PorchSite

pytestmark = pytest.mark.browser
expect.set_options(timeout=TIMEOUT_MS)

SLUG = "hello-porch"
AUTHOR, AUTHOR_EMAIL, AUTHOR_PASSWORD = "Ana Lima", "ana@porch.test", "the fourth floor lift"


def blog_in(porch_site, language: str) -> PorchSite:
    porch = porch_site(
        f"blog-{language}",
        slug=SLUG,
        LANGUAGE=language,
        MIN_FILL_SECONDS="0",  # Playwright types faster than people
    )
    porch.add_author(AUTHOR, AUTHOR_EMAIL, AUTHOR_PASSWORD)
    porch.publish().start()
    porch.comment(author_name="Jo Reader", body="Is there an offline mode?")
    reader = porch.comment(author_name="Sam Field", body="And on older phones?")
    porch.comment(author_name="Jo Reader", body="Same question here.", parent_id=reader["id"])
    porch.bake_comments()
    return porch


@pytest.fixture(scope="module")
def arabic(porch_site):
    return blog_in(porch_site, "ar")


@pytest.fixture(scope="module")
def german(porch_site):
    return blog_in(porch_site, "de")


def words(language: str):
    return theme_translations(str(ROOT / "theme"), language).gettext


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_an_arabic_article_reads_right_to_left(arabic, open_page, width, scheme):
    page = open_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page.goto(arabic.article_url)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#comment-form-title")).to_have_text(
        words("ar")("Ask a question or leave a comment")
    )
    replies = page.locator(".comment-replies").first
    # The thread's line and indent are on the right, where an Arabic line starts.
    assert replies.evaluate("e => getComputedStyle(e).borderRightWidth") == "2px"
    assert replies.evaluate("e => getComputedStyle(e).borderLeftWidth") == "0px"
    reply_box, parent_box = replies.bounding_box(), page.locator(".comment-list").bounding_box()
    assert reply_box["x"] + reply_box["width"] < parent_box["x"] + parent_box["width"]
    # Skip links come first, in Arabic, and lead to the content.
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text(words("ar")("Skip to content"))
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    keep_screenshot(page, f"blog-ar-{width}-{scheme}.png")
    assert_accessible(page)


def test_a_german_reader_hears_back_in_german(german, page: Page):
    said = words("de")
    page.goto(german.article_url)
    form = page.locator("#comments > form.comment-form")
    form.get_by_label(said("Your name")).fill("Lena Leserin")
    form.get_by_label(said("Your question or comment")).fill("Gibt es das auch offline?")
    form.get_by_role("button", name=said("Post comment")).click()
    mine = page.locator(".comment", has_text="Gibt es das auch offline?")
    expect(mine).to_be_visible()
    expect(mine.locator(".comment-reply-link")).to_contain_text(said("Reply"))
    expect(mine.locator("button.own.edit")).to_have_text(said("Edit"))
    expect(mine.locator(".own-left")).to_contain_text("Minuten lang bearbeiten")
    expect(mine.locator("time")).not_to_have_text("now")
    # The time's title says the moment as the build prints it, in German.
    moment = mine.locator("time")
    assert moment.get_attribute("title") == time_label(moment.get_attribute("datetime"), "de")
    # Replying: the moved form says it in German too.
    page.locator(".comment-reply-link").first.click()
    expect(page.locator(".comment-card form.comment-form button[type=submit]")).to_have_text(
        said("Post reply")
    )
    keep_screenshot(page, "blog-de-reader.png")
    assert_accessible(page)


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_arabic_moderation_page_reads_right_to_left(arabic, open_page, width, scheme):
    """The author of an Arabic blog signs in and sees what waits for her, from the right."""
    page = open_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page.goto(f"{arabic.service.url}/auth/login?next=/moderation/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.locator("input[name=email]").fill(AUTHOR_EMAIL)
    page.locator("input[name=password]").fill(AUTHOR_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    cards = page.locator(".card", has_text="Is there an offline mode?")
    expect(cards.first).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    # A card's answer box starts on the right, as Arabic lines do.
    card = cards.first.bounding_box()
    title = page.locator("h1").first.bounding_box()
    assert title["x"] + title["width"] > card["x"] + card["width"] * 0.5
    keep_screenshot(page, f"moderation-ar-{width}-{scheme}.png")
    assert_accessible(page)
