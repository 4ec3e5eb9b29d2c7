"""The blog and its service in each shipped language, in Chromium: a reader comments with
JavaScript and hears back in the blog's language, an author signs in and answers; no
English message of either catalog is left on their pages (tests/language_support.py).
Arabic reads right to left at a phone's and a desk's width, light and dark, accessible.
Screenshots go to test-artifacts/."""

import pytest
from playwright.sync_api import Page, expect

from porch_pelican.filters import time_label
from porch_pelican.language import theme_translations

from .axe_support import assert_accessible, keep_screenshot
from .browser_support import ROOT, TIMEOUT_MS
from .language_support import (
    BLOG_CATALOG,
    SERVICE_CATALOG,
    SHIPPED,
    english_left,
    english_messages,
    page_texts,
)
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
def blogs(porch_site):
    """Each shipped language's blog, made when a test first asks for it."""
    made = {}

    def blog_of(language: str) -> PorchSite:
        if language not in made:
            made[language] = blog_in(porch_site, language)
        return made[language]

    return blog_of


@pytest.fixture
def arabic(blogs):
    return blogs("ar")


@pytest.fixture
def german(blogs):
    return blogs("de")


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


def reader_comments(page: Page, porch: PorchSite, text: str):
    """A reader posts a comment with JavaScript; the comment as the script shows it."""
    page.goto(porch.article_url)
    form = page.locator("#comments > form.comment-form")
    form.locator("input[name=author_name]").fill("Lena")
    form.locator("textarea[name=body]").fill(text)
    form.locator("button[type=submit]").click()
    mine = page.locator(".comment", has_text=text)
    expect(mine.locator(".own-left")).not_to_be_empty()
    return mine


@pytest.mark.parametrize("language", SHIPPED)
def test_a_reader_and_an_author_meet_in_the_blogs_language(blogs, open_page, language):
    porch = blogs(language)
    reader = open_page()
    mine = reader_comments(reader, porch, f"Question in {language}?")
    expect(mine.locator(".comment-reply-link")).to_contain_text(words(language)("Reply"))
    left = english_left(page_texts(reader.content()), english_messages(BLOG_CATALOG, language))
    assert left == {}

    author = open_page()
    author.goto(f"{porch.service.url}/auth/login?next=/moderation/")
    author.locator("input[name=email]").fill(AUTHOR_EMAIL)
    author.locator("input[name=password]").fill(AUTHOR_PASSWORD)
    author.locator("input[name=password]").press("Enter")
    card = author.locator("article.item", has_text=f"Question in {language}?")
    card.locator("details.fold--answer > summary").click()
    card.locator("form.answer textarea[name=body]").fill("Yes: Settings, Sync.")
    card.locator("form.answer button.primary").click()
    expect(author.locator(".flash--success")).to_be_visible()
    keep_screenshot(author, f"moderation-{language}-answered.png")
    service = english_messages(SERVICE_CATALOG, language)
    assert english_left(page_texts(author.content()), service) == {}
