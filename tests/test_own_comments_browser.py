"""A reader's own comment in a real browser: edit, delete, preview, see it while it is held;
refused after the team answers or the window closes. And, with JavaScript off, the
service's pages for readers look like the blog; every page checked with axe-core.

Two running stacks (service under `flask run`, the sample blog built by Pelican): one
publishes at once and gives 15 minutes to edit, the other holds every comment and gives
six seconds.
"""

import re
import sqlite3
from contextlib import closing

import pytest
from playwright.sync_api import Page, expect

from .axe_support import ARTIFACTS, assert_accessible, keep_screenshot
from .browser_support import TIMEOUT_MS
from .porch_support import PorchSite
from .queue_support import unfold

pytestmark = pytest.mark.browser
expect.set_options(timeout=TIMEOUT_MS)

SLUG = "offline-mode-explained"
AUTHOR, AUTHOR_EMAIL, AUTHOR_PASSWORD = "Ana Lima", "ana@porch.test", "one bar in the basement"
SECRET = "own-comments-secret"
BLOG_NAME = "Lanternworks Porch"
SHORT_WINDOW_SECONDS = 6


def own_blog(porch_site, name: str, **settings: str) -> PorchSite:
    """A built blog and its comment service, both serving."""
    porch = porch_site(
        name,
        slug=SLUG,
        SECRET_KEY=SECRET,
        MIN_FILL_SECONDS="0",  # Playwright types faster than people
        COMMENT_RATE_LIMIT="100 per minute",  # one reader writing every test's comments
        BLOG_NAME=BLOG_NAME,
        **settings,
    )
    porch.add_author(AUTHOR, AUTHOR_EMAIL, AUTHOR_PASSWORD)
    return porch.publish().start()


@pytest.fixture(scope="module")
def blog(porch_site):
    return own_blog(porch_site, "own-publish")


@pytest.fixture(scope="module")
def strict_blog(porch_site):
    minutes = str(SHORT_WINDOW_SECONDS / 60)
    return own_blog(porch_site, "own-queue", MODERATION_POLICY="queue", READER_EDIT_MINUTES=minutes)


def new_comment_form(page: Page):
    return page.locator("#comments > form.comment-form")


def post_with_javascript(page: Page, name: str, text: str) -> str:
    form = new_comment_form(page)
    form.get_by_label("Your name").fill(name)
    form.get_by_label("Your question or comment").fill(text)
    form.get_by_role("button", name="Post comment").click()
    expect(form.get_by_label("Your question or comment")).to_have_value("")
    return name


def mailed_token(stack: PorchSite, recipient: str, kind: str) -> str:
    """The token of the link of this kind in the mail queued for the recipient."""
    database = stack.env["PORCH_DATABASE_URL"].removeprefix("sqlite:///")
    with closing(sqlite3.connect(database)) as connection:
        query = "SELECT body_text FROM mail_outbox WHERE recipient = ? ORDER BY id DESC"
        bodies = [row[0] for row in connection.execute(query, (recipient,))]
    for body in bodies:
        found = re.search(rf"/{kind}/([A-Za-z0-9_.\-]+)", body)
        if found:
            return found.group(1)
    raise AssertionError(f"no {kind} link mailed to {recipient}")


def own_comment(page: Page, text: str):
    return page.locator("li.comment").filter(has=page.locator(".comment-body", has_text=text))


def assert_accessible_as_served(open_page, page: Page) -> None:
    """axe-core runs as a script, which a page with JavaScript off never starts: check the
    same HTML at the same address in a page with JavaScript on."""
    html, url = page.content(), page.url
    checker = open_page()
    checker.route(lambda address: address == url, lambda route: route.fulfill(body=html))
    checker.goto(url)
    assert_accessible(checker)


def sign_in(page: Page, blog: PorchSite) -> None:
    page.goto(f"{blog.service.url}/auth/login")
    assert_accessible(page)
    page.get_by_label("Email", exact=True).fill(AUTHOR_EMAIL)
    page.get_by_label("Password", exact=True).fill(AUTHOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{blog.service.url}/moderation/")


def test_the_writer_edits_their_comment_in_place(open_page, blog):
    page = open_page()
    page.goto(blog.article_url)
    post_with_javascript(page, "Jo Edit", "Does offline mode keep *photos*?")
    mine = own_comment(page, "Does offline mode keep photos?")
    expect(mine.locator(".comment-body em")).to_have_text("photos")
    # The window the service gives (PORCH_READER_EDIT_MINUTES, 15 by default), counted down.
    expect(mine.locator(".own-bar")).to_contain_text("You can edit this for 15 more minutes.")

    mine.get_by_role("button", name="Edit").focus()
    page.keyboard.press("Enter")
    editor = mine.get_by_label("Your comment")
    expect(editor).to_be_focused()
    expect(editor).to_have_value("Does offline mode keep *photos*?")
    # While editing, Save and Cancel only: Edit and Delete come back after.
    expect(mine.get_by_role("button", name="Edit")).to_be_hidden()
    expect(mine.get_by_role("button", name="Delete")).to_be_hidden()
    expect(mine.get_by_role("button", name="Save")).to_be_visible()
    expect(mine.locator(".own-editor")).to_contain_text("You can edit this for 15 more minutes.")
    mine.scroll_into_view_if_needed()
    mine.screenshot(path=ARTIFACTS / "own-editing.png")
    editor.fill("Does offline mode keep **videos**?")
    mine.get_by_role("button", name="Save").click()

    edited = own_comment(page, "Does offline mode keep videos?")
    expect(edited.locator(".comment-body strong")).to_have_text("videos")
    expect(edited.locator(".comment-edited")).to_have_text(" · edited")
    expect(edited.get_by_role("button", name="Edit")).to_be_visible()
    assert_accessible(page)

    page.reload()  # the change is the service's, and the buttons come back from its answer
    edited = own_comment(page, "Does offline mode keep videos?")
    expect(edited.locator(".comment-body strong")).to_have_text("videos")
    expect(edited.get_by_role("button", name="Delete")).to_be_visible()

    stranger = open_page()
    stranger.goto(blog.article_url)
    theirs = own_comment(stranger, "Does offline mode keep videos?")
    expect(theirs).to_have_count(1)
    expect(theirs.get_by_role("button", name="Edit")).to_have_count(0)


def test_cancel_or_an_empty_save_keeps_the_comment_as_it_was(open_page, blog):
    page = open_page()
    page.goto(blog.article_url)
    post_with_javascript(page, "Jo Cancel", "Is there a dark theme?")
    mine = own_comment(page, "Is there a dark theme?")
    mine.get_by_role("button", name="Edit").click()
    mine.get_by_label("Your comment").fill("")
    mine.get_by_role("button", name="Save").click()  # an empty text deletes nothing
    expect(mine.locator(".own-note")).to_have_text("Please write a comment.")
    mine.get_by_label("Your comment").fill("Something else")
    expect(mine.get_by_role("button", name="Delete")).to_be_hidden()
    mine.get_by_role("button", name="Cancel").click()
    expect(mine.get_by_label("Your comment")).to_have_count(0)
    expect(mine.get_by_role("button", name="Delete")).to_be_visible()
    expect(mine.locator(".own-note")).to_have_count(0)
    expect(mine.locator(".comment-body")).to_have_text("Is there a dark theme?")
    expect(mine.get_by_role("button", name="Edit")).to_be_visible()


def test_the_writer_deletes_their_comment(open_page, blog):
    page = open_page()
    page.goto(blog.article_url)
    post_with_javascript(page, "Jo Delete", "Posted by mistake, sorry.")
    count = page.locator(".comment-count")
    before = int(re.search(r"\d+", count.inner_text()).group())
    mine = own_comment(page, "Posted by mistake, sorry.")
    page.once("dialog", lambda dialog: dialog.accept())
    mine.get_by_role("button", name="Delete").click()
    expect(mine).to_have_count(0)
    expect(count).to_have_text(f"({before - 1})" if before > 1 else "")
    page.reload()
    expect(page.locator(".comment-list > li.comment").first).to_be_visible()
    expect(own_comment(page, "Posted by mistake, sorry.")).to_have_count(0)


def test_preview_shows_the_services_rendering_and_clears_once_posted(open_page, blog):
    page = open_page()
    page.goto(blog.article_url)
    form = new_comment_form(page)
    form.get_by_label("Your question or comment").fill("Try **bold** and <script>x</script>")
    region = form.locator(".comment-preview")
    expect(region).to_have_attribute("aria-live", "polite")
    form.get_by_role("button", name="Preview").click()
    expect(region.locator("strong")).to_have_text("bold")
    expect(region.locator("script")).to_have_count(0)
    form.get_by_label("Your question or comment").fill("")
    form.get_by_role("button", name="Preview").click()
    expect(region).to_have_text("Please write a comment.")
    assert_accessible(page)

    form.get_by_label("Your name").fill("Jo Preview")
    form.get_by_label("Your question or comment").fill("Previewed, then *posted*")
    form.get_by_role("button", name="Preview").click()
    expect(region.locator("em")).to_have_text("posted")
    form.get_by_role("button", name="Post comment").click()
    expect(own_comment(page, "Previewed, then posted")).to_have_count(1)
    expect(region).to_be_empty()
    expect(region).to_be_hidden()
    keep_screenshot(page, "own-preview-cleared.png")


def test_an_answered_comment_can_no_longer_be_changed(open_page, blog):
    page = open_page()
    page.goto(blog.article_url)
    post_with_javascript(page, "Jo Answered", "Can crews share one tablet?")
    mine = own_comment(page, "Can crews share one tablet?")
    mine.get_by_role("button", name="Edit").click()

    staff = open_page()
    sign_in(staff, blog)
    waiting = staff.locator("article.item").filter(has_text="Can crews share one tablet?")
    unfold(waiting, "Answer")
    waiting.get_by_label("Your answer to Jo Answered").fill("Yes: each signs in with a PIN.")
    waiting.get_by_role("button", name="Publish answer").click()
    expect(staff.locator(".flash--success")).to_have_text(
        "Your answer to Jo Answered is published."
    )
    assert_accessible(staff)
    comment_id = mine.get_attribute("data-comment-id")
    staff.goto(f"{blog.service.url}/moderation/comments/{comment_id}/thread")
    expect(staff.get_by_role("heading", name=re.compile("^Conversation on"))).to_be_visible()
    assert_accessible(staff)
    staff.goto(f"{blog.service.url}/auth/settings")
    assert_accessible(staff)

    mine.get_by_label("Your comment").fill("Can crews share two tablets?")
    mine.get_by_role("button", name="Save").click()
    note = mine.locator(".own-note")
    expect(note).to_have_text(
        "The team has answered this comment, so it stays as they read it."
        " Add a reply below it instead."
    )
    expect(note).to_have_attribute("role", "status")
    expect(mine.get_by_role("button", name=re.compile("Edit|Delete|Save"))).to_have_count(0)
    expect(mine.locator(".comment-body").first).to_have_text("Can crews share one tablet?")

    page.reload()
    answered = own_comment(page, "Can crews share one tablet?")
    expect(answered.locator(".comment-answer").first).to_contain_text("Answered by Ana Lima")
    expect(answered.get_by_role("button", name="Edit")).to_have_count(0)


def test_the_held_comment_is_shown_to_its_writer_only(open_page, strict_blog):
    page = open_page()
    page.goto(strict_blog.article_url)
    post_with_javascript(page, "Jo Held", "Will this wait for a check?")
    for shown in ("at once", "after a reload"):
        held = own_comment(page, "Will this wait for a check?")
        expect(held, shown).to_have_class(re.compile(r"\bcomment--held\b"))
        expect(held.locator(".comment-held"), shown).to_have_text(
            "Awaiting a check: only you see it for now."
        )
        expect(held.get_by_role("link", name=re.compile("^Reply")), shown).to_be_hidden()
        expect(held.get_by_role("button", name="Edit"), shown).to_be_visible()
        assert_accessible(page)
        keep_screenshot(page, f"own-held-comment-{shown.replace(' ', '-')}.png")
        page.reload()

    stranger = open_page()
    stranger.goto(strict_blog.article_url)
    expect(stranger.locator("#comments .comment-empty")).to_be_visible()
    expect(own_comment(stranger, "Will this wait for a check?")).to_have_count(0)


def test_an_edit_after_the_window_is_refused_and_the_buttons_go(open_page, strict_blog):
    page = open_page()
    page.goto(strict_blog.article_url)
    post_with_javascript(page, "Jo Late", "Quick, before the window closes")
    page.reload()
    mine = own_comment(page, "Quick, before the window closes")
    expect(mine.locator(".own-bar")).to_contain_text("You can edit this for 1 more minute.")
    mine.get_by_role("button", name="Edit").click()
    mine.get_by_label("Your comment").fill("Too late now")
    expect(mine.locator(".own-editor")).to_contain_text("You can edit this for 1 more minute.")
    expect(mine.locator(".own-bar")).to_have_count(0, timeout=(SHORT_WINDOW_SECONDS + 4) * 1000)
    expect(mine.locator(".own-left")).to_have_count(0)
    page.wait_for_timeout(300)  # the page's timer and the service's clock meet to the second
    mine.get_by_role("button", name="Save").click()
    expect(mine.locator(".own-note")).to_contain_text(
        "Comments can be changed or deleted for 0.1 minutes after posting; that time is over."
    )
    expect(mine.get_by_role("button")).to_have_count(0)
    expect(mine.locator(".comment-body").first).to_have_text("Quick, before the window closes")


def test_without_javascript_a_field_error_is_a_page_that_looks_like_the_blog(open_page, blog):
    page = open_page(javascript=False)
    page.goto(blog.article_url)
    form = new_comment_form(page)
    form.get_by_label("Your name").fill("   ")  # passes the browser's `required`, not the service
    form.get_by_label(re.compile(r"^Email")).fill("jo@reader.test")
    form.get_by_label("Your question or comment").fill("Offline *maps* too?")
    form.get_by_label("when the team answers").check()
    form.get_by_role("button", name="Post comment").click()

    expect(page).to_have_url(re.compile(rf"^{re.escape(blog.service.url)}/api/"))
    expect(page.locator(".site-header .site-title")).to_have_text(BLOG_NAME)
    stylesheets = page.locator('link[rel="stylesheet"]')
    expect(stylesheets.first).to_have_attribute("href", f"{blog.site.url}/theme/css/porch.css")
    expect(stylesheets.nth(1)).to_have_attribute("href", f"{blog.site.url}/theme/css/pages.css")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background in ("rgb(251, 250, 247)", "rgb(23, 24, 27)"), "the blog's own colours"
    expect(page.get_by_role("link", name=blog.post["title"]).first).to_be_visible()
    name = page.get_by_label("Your name")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#error-author_name")).to_have_text("Please tell us your name.")
    expect(page.get_by_label(re.compile(r"^Email"))).to_have_value("jo@reader.test")
    expect(page.get_by_label("Your question or comment")).to_have_value("Offline *maps* too?")
    expect(page.get_by_label("when the team answers")).to_be_checked()
    keep_screenshot(page, "no-js-field-error.png")
    assert_accessible_as_served(open_page, page)

    page.get_by_role("link", name=f"Back to “{blog.post['title']}”").click()
    expect(page).to_have_url(blog.article_url)
    expect(page.locator("#comments")).to_be_visible()


def test_readers_service_pages_are_accessible_and_look_like_the_blog(open_page, blog):
    page = open_page()
    page.goto(blog.article_url)
    post_with_javascript(page, "Jo Pages", "A comment to reply to")
    comment_id = own_comment(page, "A comment to reply to").get_attribute("data-comment-id")
    form = new_comment_form(page)
    form.get_by_label("Your name").fill("Jo Mail")
    form.get_by_label(re.compile(r"^Email")).fill("jo.mail@reader.test")
    form.get_by_label("Your question or comment").fill("Email me please")
    form.get_by_label("when anyone replies").check()
    form.get_by_role("button", name="Post comment").click()
    expect(page.locator(".comment--subscription-note")).to_be_visible()
    confirm = mailed_token(blog, "jo.mail@reader.test", "subscriptions/confirm")

    plain = open_page()  # the service's pages run no script either way (CSP script-src 'none')
    for path, heading in [
        (f"/reply/{comment_id}", "Reply to Jo Pages"),
        (f"/subscriptions/confirm/{confirm}", "Confirm your address"),
        ("/privacy/request", "Your data"),
        ("/reply/999999", "Not Found"),
    ]:
        plain.goto(blog.service.url + path)
        expect(plain.get_by_role("heading", level=1)).to_have_text(heading)
        expect(plain.locator(".site-header .site-title")).to_have_text(BLOG_NAME)
        assert_accessible(plain)


def back_link(page: Page, title: str):
    """The page's own way back (the header links the blog too)."""
    return page.locator(".reader-page").get_by_role("link", name=f"Back to {title}")


def test_mailed_pages_lead_back_and_unsubscribing_can_be_undone(open_page, blog):
    reader = open_page()
    reader.goto(blog.article_url)
    form = new_comment_form(reader)
    form.get_by_label("Your name").fill("Jo Back")
    form.get_by_label(re.compile(r"^Email")).fill("jo.back@reader.test")
    form.get_by_label("Your question or comment").fill("Tell me when someone replies")
    form.get_by_label("when anyone replies").check()
    form.get_by_role("button", name="Post comment").click()
    expect(reader.locator(".comment--subscription-note")).to_be_visible()
    asked = own_comment(reader, "Tell me when someone replies").get_attribute("data-comment-id")
    to_post = f"“{blog.post['title']}”"

    page = open_page()
    page.goto(
        f"{blog.service.url}/subscriptions/confirm/"
        + mailed_token(blog, "jo.back@reader.test", "subscriptions/confirm")
    )
    expect(back_link(page, to_post)).to_have_attribute("href", blog.article_url)
    page.get_by_role("button", name="Yes, email me").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thanks, your address is confirmed")
    expect(back_link(page, to_post)).to_have_attribute("href", blog.article_url)
    assert_accessible(page)

    blog.comment(author_name="Sam Reply", body="Here is a reply", parent_id=int(asked))
    unsubscribe = mailed_token(blog, "jo.back@reader.test", "subscriptions/unsubscribe")
    page = open_page()  # as from the mail, with no cookie from the confirmation
    page.goto(f"{blog.service.url}/subscriptions/unsubscribe/{unsubscribe}")
    expect(back_link(page, to_post)).to_be_visible()
    assert page.context.cookies() == [], "no cookie for a reader who only opens the link"
    page.get_by_role("button", name="Stop these emails").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Done: no more emails")
    expect(back_link(page, to_post)).to_have_attribute("href", blog.article_url)
    assert_accessible(page)
    keep_screenshot(page, "reader-unsubscribed.png")

    page.get_by_role("button", name="Email me again").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Done: emails are back on")
    expect(page.get_by_role("status")).to_contain_text("We will email you again")
    expect(page.get_by_role("button", name="Stop these emails")).to_be_visible()
    assert_accessible(page)
    keep_screenshot(page, "reader-subscribed-again.png")
    back_link(page, to_post).click()
    expect(page).to_have_url(blog.article_url)

    for wish, kind in (("Send me a copy of my data", "export"), ("Erase my data", "forget")):
        page.goto(f"{blog.service.url}/privacy/request")
        page.get_by_label("Your email address").fill("jo.back@reader.test")
        page.get_by_label(wish).check()
        page.get_by_role("button", name="Email me the link").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
        token = mailed_token(blog, "jo.back@reader.test", f"privacy/{kind}")
        page.goto(f"{blog.service.url}/privacy/{kind}/{token}")
        expect(back_link(page, BLOG_NAME)).to_have_attribute("href", f"{blog.site.url}/")
        assert_accessible(page)
        keep_screenshot(page, f"reader-privacy-{kind}.png")
    erase = page.get_by_role("button", name="Erase my data")
    expect(erase).to_have_class("danger")
    for scheme, red in (("light", "rgb(180, 35, 24)"), ("dark", "rgb(255, 155, 143)")):
        page.emulate_media(color_scheme=scheme)
        expect(erase).to_have_css("background-color", red)
        assert_accessible(page)  # axe checks the button's contrast in each scheme
        erase.screenshot(path=ARTIFACTS / f"reader-erase-button-{scheme}.png")
