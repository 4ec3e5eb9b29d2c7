"""End to end in a real browser: a reader asks on the built blog, the post's author
answers from the moderation page, and the answer shows under the question, first
live (JavaScript) and then baked into the static page (JavaScript off).

Nothing is mocked: the sample site is built with `pelican`, the service is set up
with its own CLI and runs as `flask run`, and Chromium talks to both over HTTP.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from .browser_support import ROOT, TIMEOUT_MS
from .porch_support import PorchSite
from .queue_support import unfold

pytestmark = pytest.mark.browser

SLUG = "offline-mode-explained"
AUTHOR = "Ana Lima"
AUTHOR_ROLE = "Head of Customer Support"  # from content/authors/ana-lima.md
AUTHOR_EMAIL = "ana@porch.test"
AUTHOR_PASSWORD = "one bar in the basement"
READER = "Jo Reader"
QUESTION = "Do photos taken in a basement upload by themselves once the phone has signal again?"
ANSWER = "Yes. They wait on the phone and upload on their own as soon as there is a connection."
SECOND_READER = "Sam Field"
SECOND_QUESTION = "Does the offline copy include the customer's gate code?"
ARTIFACTS = ROOT / "test-artifacts"

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def porch(porch_site):
    """A fresh SQLite service with Ana's account and the built sample blog, both serving."""
    # Playwright types faster than people
    porch = porch_site("porch-e2e", slug=SLUG, MIN_FILL_SECONDS="0")
    porch.add_author(AUTHOR, AUTHOR_EMAIL, AUTHOR_PASSWORD)
    return porch.publish().start()


def screenshot(page: Page, name: str) -> None:
    """Keep a full-page PNG for a person to look at; layout is judged by eye, not compared."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / name, full_page=True)


def new_comment_form(page: Page):
    """The form for a new top-level comment (each comment also has its own reply form)."""
    return page.locator("#comments > form.comment-form")


def ask_with_javascript(page: Page, article_url: str) -> str:
    """Post the reader's question; the script inserts it without leaving the page."""
    form = new_comment_form(page)
    form.get_by_label("Your name").fill(READER)
    form.get_by_label("Your question or comment").fill(QUESTION)
    form.get_by_role("button", name="Post comment").click()
    question = page.locator(".comment-list > li.comment").filter(has_text=QUESTION)
    expect(question).to_be_visible()
    expect(question.locator(".comment-author")).to_have_text(READER)
    expect(page.locator("#comments .comment-empty")).to_have_count(0)
    expect(page).to_have_url(article_url)
    return question.get_attribute("data-comment-id")


def answer_from_moderation(page: Page, porch: PorchSite) -> None:
    """Sign in as the post's author, find the question waiting, answer it in place."""
    page.goto(f"{porch.service.url}/moderation/")
    expect(page).to_have_url(re.compile(r"/auth/login\?next="))
    expect(page.get_by_text("Please sign in to see what is waiting for you.")).to_be_visible()
    page.get_by_label("Email", exact=True).fill(AUTHOR_EMAIL)
    page.get_by_label("Password", exact=True).fill(AUTHOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(f"{porch.service.url}/moderation/")
    expect(page.get_by_role("heading", name=re.compile(r"^Waiting for you"))).to_be_visible()
    waiting = page.locator("article.item").filter(has_text=QUESTION)
    expect(waiting).to_have_count(1)
    expect(waiting.locator(".body")).to_contain_text(QUESTION)
    expect(waiting.get_by_role("link", name=porch.post["title"])).to_be_visible()
    screenshot(page, "moderation-waiting.png")

    unfold(waiting, "Answer")
    waiting.get_by_label(f"Your answer to {READER}").fill(ANSWER)
    waiting.get_by_role("button", name="Publish answer").click()
    expect(page.locator(".flash--success")).to_have_text(f"Your answer to {READER} is published.")
    expect(page.locator("#view-title .count")).to_have_text("0")
    expect(page.get_by_text("Nothing is waiting for you.")).to_be_visible()


def expect_answer_under_question(page: Page, question_id: str) -> None:
    """The staff answer is nested in the question's replies, with the author's face and role."""
    question = page.locator(f"#comment-{question_id}")
    expect(question.locator(".comment-body").first).to_contain_text(QUESTION)
    answer = page.locator(f"#comment-{question_id} > .comment-replies > li.comment--staff")
    expect(answer).to_have_count(1)
    expect(answer.locator(".comment-body")).to_contain_text(ANSWER)
    expect(answer.locator(".comment-author")).to_have_text(AUTHOR)
    expect(answer.locator(".staff-badge")).to_contain_text(AUTHOR)
    expect(answer.locator(".staff-badge")).to_contain_text(AUTHOR_ROLE)
    expect(answer.locator("img.avatar")).to_have_attribute("src", re.compile(r"ana-lima\.svg$"))


def ask_with_plain_form(page: Page, article_url: str) -> None:
    """Without JavaScript the form posts to the service, which sends the reader back."""
    form = new_comment_form(page)
    form.get_by_label("Your name").fill(SECOND_READER)
    form.get_by_label("Your question or comment").fill(SECOND_QUESTION)
    form.get_by_role("button", name="Post comment").click()
    expect(page).to_have_url(f"{article_url}#comment-status-approved")
    expect(page.locator("#comment-status-approved")).to_be_visible()
    expect(page.locator("#comment-status-approved")).to_contain_text("Your comment is published")
    expect(page.locator("#comment-status-approved")).to_contain_text(AUTHOR)
    expect(page.locator("#comment-status-pending")).to_be_hidden()
    screenshot(page, "article-plain-form-status.png")


def test_reader_question_gets_named_answer_live_then_baked(open_page, porch):
    """The promise of the blog, in order: ask, get a named answer, see it with or without JS."""
    reader = open_page()
    reader.goto(porch.article_url)
    expect(reader.locator("#comments .comment-empty")).to_be_visible()
    question_id = ask_with_javascript(reader, porch.article_url)

    answer_from_moderation(open_page(), porch)

    reader.reload()
    expect_answer_under_question(reader, question_id)
    screenshot(reader, "article-live-answer.png")

    porch.bake_comments()
    static = open_page(javascript=False)
    static.goto(porch.article_url)
    expect_answer_under_question(static, question_id)
    expect(static.locator("#comments .comment-empty")).to_have_count(0)
    screenshot(static, "article-baked-no-js.png")

    ask_with_plain_form(static, porch.article_url)


def test_plain_form_with_a_mistake_is_corrected_on_the_service_and_lands_back(open_page, porch):
    """Without JavaScript a wrong field gets a page on the service that keeps the text;
    fixing it there posts the comment and sends the reader back to the article."""
    page = open_page(javascript=False)
    page.goto(porch.article_url)
    form = new_comment_form(page)
    form.get_by_label("Your name").fill("   ")  # passes the browser's `required`, not the service
    form.get_by_label("Your question or comment").fill("Can crews see each other's routes?")
    form.get_by_role("button", name="Post comment").click()

    expect(
        page.get_by_role("heading", name=re.compile("please check your comment"))
    ).to_be_visible()
    expect(page.get_by_text("Please tell us your name.").first).to_be_visible()
    expect(page.get_by_label("Your question or comment")).to_have_value(
        "Can crews see each other's routes?"
    )
    screenshot(page, "service-form-correction.png")

    page.get_by_label("Your name").fill("Robin")
    page.get_by_role("button", name="Post comment").click()
    expect(page).to_have_url(f"{porch.article_url}#comment-status-approved")
    expect(page.locator("#comment-status-approved")).to_be_visible()
