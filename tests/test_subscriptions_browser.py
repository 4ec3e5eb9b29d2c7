"""A reader hears back, in a real browser: subscribe on the built blog, confirm from the
mail, get the author's answer by mail and follow its link to the answer on the blog.

Nothing is mocked: the sample site is built with `pelican`, the service runs as
`flask run`, mail leaves through `flask mail send` to a real SMTP server (aiosmtpd),
and Chromium follows the links the messages carry.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from .browser_support import ROOT, TIMEOUT_MS, flask
from .queue_support import unfold
from .smtp_support import SmtpServer

pytestmark = pytest.mark.browser

SLUG = "offline-mode-explained"
AUTHOR = "Ana Lima"
AUTHOR_EMAIL = "ana@porch.test"
AUTHOR_PASSWORD = "one bar in the basement"
READER = "Jo Reader"
READER_EMAIL = "jo@reader.test"
QUESTION = "Will the app tell me when my offline notes have finished syncing?"
ANSWER = "Yes: a small tick appears on each note once the server has it."
ARTIFACTS = ROOT / "test-artifacts"

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def porch(porch_site, smtp):
    """The built sample blog and a fresh service that sends its mail to the SMTP sink."""
    porch = porch_site(
        "porch-subscriptions",
        slug=SLUG,
        MIN_FILL_SECONDS="0",  # Playwright types faster than people
        **smtp_environment(smtp),
    )
    porch.add_author(AUTHOR, AUTHOR_EMAIL, AUTHOR_PASSWORD)
    porch.publish().start()
    return {"env": porch.env, "service": porch.service.url, "article": porch.article_url}


def smtp_environment(smtp) -> dict:
    """The sink's SMTP settings; the service's public URL stays its own (ServiceProcess)."""
    settings = smtp.settings()
    del settings["PORCH_PUBLIC_URL"]
    return {key.removeprefix("PORCH_"): str(value) for key, value in settings.items()}


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / name, full_page=True)


def send_mail(porch, smtp, subject_starts: str):
    """Run the real sender once; the reader's message whose subject starts so."""
    flask("mail", "send", env=porch["env"])
    for item in smtp.sink.received:
        if READER_EMAIL in item.recipients and item.message["Subject"].startswith(subject_starts):
            return item.message
    raise AssertionError(f"No mail '{subject_starts}…' reached the reader")


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def subscribe_on_the_blog(page: Page, article: str) -> None:
    page.goto(article)
    form = page.locator("#comments > form.comment-form")
    form.get_by_label("Your name").fill(READER)
    form.get_by_label(re.compile(r"^Email")).fill(READER_EMAIL)
    form.get_by_label("when the team answers").check()
    form.get_by_label("Your question or comment").fill(QUESTION)
    screenshot(page, "subscribe-form.png")
    form.get_by_role("button", name="Post comment").click()
    expect(page.locator(".comment-list > li.comment").filter(has_text=QUESTION)).to_be_visible()
    expect(form.get_by_label("No, thanks")).to_be_checked()
    expect(page.locator(".comment--subscription-note")).to_contain_text("confirm your address")


def answer_from_moderation(page: Page, service: str) -> None:
    page.goto(f"{service}/moderation/")
    page.get_by_label("Email", exact=True).fill(AUTHOR_EMAIL)
    page.get_by_label("Password", exact=True).fill(AUTHOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    waiting = page.locator("article.item").filter(has_text=QUESTION)
    unfold(waiting, "Answer")
    waiting.get_by_label(f"Your answer to {READER}").fill(ANSWER)
    waiting.get_by_role("button", name="Publish answer").click()
    expect(page.locator(".flash--success")).to_have_text(f"Your answer to {READER} is published.")


def test_a_reader_subscribes_confirms_and_follows_the_answer_mail_to_the_blog(browser, porch, smtp):
    reader = browser.new_context().new_page()
    staff = browser.new_context().new_page()
    try:
        subscribe_on_the_blog(reader, porch["article"])

        confirmation = send_mail(porch, smtp, "Please confirm")
        confirm_url = re.search(r"http://\S+/subscriptions/confirm/\S+", text_of(confirmation))
        reader.goto(confirm_url.group(0))
        reader.get_by_role("button", name="Yes, email me").click()
        expect(
            reader.get_by_role("heading", name="Thanks, your address is confirmed")
        ).to_be_visible()

        answer_from_moderation(staff, porch["service"])
        answered = send_mail(porch, smtp, f"{AUTHOR} answered")
        assert answered["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        blog_link = re.search(r"Read it and reply on the blog: (\S+)", text_of(answered)).group(1)
        assert blog_link.startswith(porch["article"] + "#comment-")

        reader.goto(blog_link)
        answer = reader.locator(blog_link[blog_link.index("#") :])
        expect(answer).to_have_class(re.compile(r"comment--staff"))
        expect(answer.locator(".comment-body")).to_contain_text(ANSWER)
        expect(answer).to_be_in_viewport()
        screenshot(reader, "subscription-answer-on-blog.png")

        reader.goto(answered["List-Unsubscribe"].strip("<>"))
        reader.get_by_role("button", name="Stop these emails").click()
        expect(reader.get_by_role("heading", name="Done: no more emails")).to_be_visible()
    finally:
        reader.context.close()
        staff.context.close()


def post_asking_for_email(page: Page, name: str, email: str, question: str) -> None:
    form = page.locator("#comments > form.comment-form")
    form.get_by_label("Your name").fill(name)
    form.get_by_label(re.compile(r"^Email")).fill(email)
    form.get_by_label("when anyone replies").check()
    form.get_by_label("Your question or comment").fill(question)
    form.get_by_role("button", name="Post comment").click()
    expect(page.locator(".comment-list > li.comment").filter(has_text=question)).to_be_visible()


def confirmations_to(smtp, address: str) -> list:
    return [
        item.message
        for item in smtp.sink.received
        if address in item.recipients and item.message["Subject"].startswith("Please confirm")
    ]


def test_the_writers_browser_subscribes_at_once_and_another_browser_is_asked_by_mail(
    browser, porch, smtp
):
    """The script sends the tokens of this browser's comments: the writer of a confirmed
    comment is trusted at once; the same address typed in another browser is asked again."""
    address, first, later = "sam@reader.test", "Does sync use much data?", "And on roaming?"
    writer = browser.new_context().new_page()
    stranger = browser.new_context().new_page()
    try:
        writer.goto(porch["article"])
        post_asking_for_email(writer, "Sam Field", address, first)
        expect(writer.locator(".comment--subscription-note")).to_be_visible()
        flask("mail", "send", env=porch["env"])
        (confirmation,) = confirmations_to(smtp, address)
        writer.goto(re.search(r"http://\S+/subscriptions/confirm/\S+", text_of(confirmation))[0])
        writer.get_by_role("button", name="Yes, email me").click()
        expect(
            writer.get_by_role("heading", name="Thanks, your address is confirmed")
        ).to_be_visible()

        writer.goto(porch["article"])
        expect(writer.locator(".comment-list > li.comment").filter(has_text=first)).to_be_visible()
        post_asking_for_email(writer, "Sam Field", address, later)
        expect(writer.locator(".comment--subscription-note")).to_have_count(0)

        stranger.goto(porch["article"])
        post_asking_for_email(stranger, "Not Sam", address, "Sign me up for Sam's replies")
        expect(stranger.locator(".comment--subscription-note")).to_contain_text(
            "confirm your address"
        )
        flask("mail", "send", env=porch["env"])
        assert len(confirmations_to(smtp, address)) == 2, "the first comment's, and the stranger's"
    finally:
        writer.context.close()
        stranger.context.close()
