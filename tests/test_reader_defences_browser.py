"""The cheap defences as readers meet them, in Chromium: a honeypot no person (nor screen
reader, nor keyboard) reaches, and a fill time the script measures and sends.
"""

import pytest
from playwright.sync_api import Page, expect

from .test_reader_browser import ARTIFACTS, QUESTION, READER, SLUG, new_comment_form, open_article

pytestmark = pytest.mark.browser

HONEYPOT_LABEL = "Leave this field empty"
TABS = 12  # more than the form has fields: enough to walk past all of it


@pytest.fixture(scope="module")
def blog(porch_site):
    """The sample blog whose service counts forms sent within a second as spam."""
    return porch_site("porch-defences", slug=SLUG, MIN_FILL_SECONDS="4").publish().start()


def test_the_honeypot_is_out_of_reach_of_people_keyboards_and_screen_readers(blog, page: Page):
    open_article(page, blog)
    form = new_comment_form(page)
    expect(form.locator("[name=leave_blank]")).to_be_hidden()
    expect(form.get_by_role("textbox", name=HONEYPOT_LABEL)).to_have_count(0)
    assert HONEYPOT_LABEL not in form.aria_snapshot()
    assert "Your name" in form.aria_snapshot(), "the snapshot does show the form"
    form.get_by_label("Your name").focus()
    focused = []
    for _ in range(TABS):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.name || document.activeElement.id"))
    assert "leave_blank" not in focused
    assert "body" in focused, "tabbing did walk through the form"
    ARTIFACTS.mkdir(exist_ok=True)
    form.screenshot(path=ARTIFACTS / "reader-form-without-honeypot.png")


def sent_fields(page: Page, form, button: str) -> tuple[dict, dict]:
    """Click send; return the JSON the script posted and the service's answer."""
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        form.get_by_role("button", name=button).click()
    return answer.value.request.post_data_json, answer.value.json()


def test_the_script_sends_how_long_the_reader_took_and_hasty_forms_are_held(blog, page: Page):
    open_article(page, blog)
    form = new_comment_form(page)
    form.get_by_label("Your name").fill(READER)
    form.get_by_label("Your question or comment").fill(QUESTION)
    hasty, answer = sent_fields(page, form, "Post comment")
    assert 0 <= hasty["fill_seconds"] < 4  # sent within moments of the page opening
    assert answer["status"] == "pending"

    form.get_by_label("Your name").fill(READER)
    page.wait_for_timeout(4200)  # a person reads, then writes
    form.get_by_label("Your question or comment").fill(QUESTION + " (again)")
    patient, answer = sent_fields(page, form, "Post comment")
    assert patient["fill_seconds"] >= 4.2
    assert answer["status"] == "approved"
    assert "leave_blank" not in patient


def test_readers_without_javascript_are_not_timed(blog, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(blog.article_url)
        form = new_comment_form(page)
        form.get_by_label("Your name").fill(READER)
        form.get_by_label("Your question or comment").fill("Sent at once, no script")
        with page.expect_request(lambda r: r.method == "POST") as sent:
            form.get_by_role("button", name="Post comment").click()
        assert "fill_seconds" not in sent.value.post_data
        expect(page).to_have_url(f"{blog.article_url}#comment-status-approved")
    finally:
        context.close()
