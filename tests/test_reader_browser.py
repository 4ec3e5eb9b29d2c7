"""The reader's side of the comment forms in a real browser, JavaScript on.

Held comments (PORCH_MODERATION_POLICY=queue): the comment comes in place at once,
marked as seen by its writer only, and nobody else sees it; the service's per-field
errors show next to their fields and go away once fixed. Replies (default policy,
published at once): a reply sent from a baked comment's own form appears nested under
it without a reload.

Nothing is mocked: each blog is the sample site built with `pelican` and served over
HTTP, each service runs as `flask run` on its own SQLite file, Chromium talks to both.
"""

import re
import shutil
from types import SimpleNamespace

import pytest
from playwright.sync_api import Locator, Page, Response, expect

from .browser_support import ROOT, TIMEOUT_MS
from .porch_support import PorchSite

pytestmark = pytest.mark.browser

SLUG = "hello-porch"
PARENT_AUTHOR = "Pat Early"
PARENT_BODY = "Will the blog keep working when your comment service is down for a while?"
READER = "Jo Reader"
READER_EMAIL = "jo@example.com"
QUESTION = "Can a crew lead see the jobs of the whole team on the phone?"
REPLY = "Same question here: does the static page still show the old answers then?"
HELD_MARK = "Awaiting a check: only you see it for now."
ARTIFACTS = ROOT / "test-artifacts"

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def blogs(porch_site):
    """Two blogs: one whose service holds every comment, one that publishes at once and
    already has an approved comment baked into the post (exported, then rebuilt)."""
    # Playwright types faster than people; the fill-time check has its own tests.
    settings = {"slug": SLUG, "MIN_FILL_SECONDS": "0"}
    held = porch_site("porch-reader-held", MODERATION_POLICY="queue", **settings)
    published = porch_site("porch-reader-published", **settings)  # default: "publish"
    held.publish()
    # Same migrated posts for the second service, without running the CLI twice.
    shutil.copy(held.database, published.database)
    held.start()
    published.start()

    parent = published.comment(author_name=PARENT_AUTHOR, body=PARENT_BODY)
    assert parent["status"] == "approved", parent
    published.bake_comments()
    baked = (published.output / published.post["path"].lstrip("/") / "index.html").read_text()
    assert f'id="comment-{parent["id"]}"' in baked, "the approved comment is not baked in"
    return SimpleNamespace(held=held, published=published, parent_id=parent["id"])


def open_article(page: Page, blog: PorchSite) -> None:
    """Open the post and wait until the script has fetched the live thread."""
    with page.expect_response(
        lambda r: r.request.method == "GET" and r.url == blog.api_url + "?page=1"
    ) as got:
        page.goto(blog.article_url)
    assert got.value.status == 200


def send(form: Locator, button: str) -> Response:
    """Click the form's submit button; return the service's answer to the script's POST."""
    with form.page.expect_response(lambda r: r.request.method == "POST") as answer:
        form.get_by_role("button", name=button).click()
    return answer.value


def new_comment_form(page: Page) -> Locator:
    return page.locator("#comments > form.comment-form")


def test_held_comment_comes_in_place_at_once_for_its_writer_only(blogs, open_page):
    page = open_page()
    open_article(page, blogs.held)
    form = new_comment_form(page)
    form.get_by_label("Your name").fill(READER)
    form.get_by_label("Your question or comment").fill(QUESTION)

    answer = send(form, "Post comment")
    assert answer.status == 201
    assert answer.json()["status"] == "pending"

    held = page.locator("#comments .comment-list > li.comment--held")
    expect(held).to_have_count(1)
    expect(held.locator(".comment-held")).to_have_text(HELD_MARK)
    expect(held.locator(".comment-body")).to_have_text(QUESTION)
    expect(held).to_be_focused()
    expect(held.get_by_role("link", name=re.compile("^Reply"))).to_be_hidden()
    expect(page.locator("#comments .comment-count")).to_have_text("")  # not public: not counted
    expect(page.locator("#comments .comment-empty")).to_have_count(0)
    expect(form.locator(".form-errors")).to_be_empty()
    expect(form.locator(".field-error")).to_have_count(0)
    expect(form.get_by_label("Your name")).to_have_value("")
    expect(form.get_by_label("Your question or comment")).to_have_value("")
    expect(form.get_by_role("button", name="Post comment")).to_be_enabled()
    expect(page).to_have_url(blogs.held.article_url)
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#comments").screenshot(path=ARTIFACTS / "reader-held-in-place.png")

    stranger = open_page()
    open_article(stranger, blogs.held)
    expect(stranger.locator("#comments .comment-list > li")).to_have_count(0)
    expect(stranger.locator("#comments")).not_to_contain_text(QUESTION)
    expect(stranger.locator("#comments .comment-empty")).to_be_visible()


def test_held_comment_is_marked_even_where_the_browser_refuses_storage(blogs, open_page):
    page = open_page()
    # As a browser that blocks site data: every use of localStorage throws.
    page.add_init_script(
        "Object.defineProperty(window, 'localStorage', {get() {"
        " throw new DOMException('The operation is insecure.', 'SecurityError'); }})"
    )
    open_article(page, blogs.held)
    form = new_comment_form(page)
    form.get_by_label("Your name").fill(READER)
    form.get_by_label("Your question or comment").fill("Held, and nothing kept here")
    assert send(form, "Post comment").status == 201
    held = page.locator("#comments .comment-list > li.comment--held")
    expect(held.locator(".comment-held")).to_have_text(HELD_MARK)
    expect(held).to_be_focused()
    expect(held.get_by_role("button", name="Edit")).to_have_count(0)  # no token kept
    expect(form.get_by_label("Your question or comment")).to_have_value("")


def test_service_field_errors_show_next_to_their_fields_then_clear(blogs, page):
    open_article(page, blogs.held)
    form = new_comment_form(page)
    # The browser's own checks (`required`, type="email") would stop the submit before the
    # script runs, so the service's 422 and its messages would never be shown. The service
    # is the authority (old browsers, autofill quirks, names of only spaces), so turn the
    # browser's checks off for this form, as `novalidate` does.
    form.evaluate("form => { form.noValidate = true; }")
    name = form.get_by_label("Your name")
    email = form.get_by_label(re.compile(r"^Email"))
    body = form.get_by_label("Your question or comment")
    email.fill("jo at example")
    body.fill(QUESTION)

    answer = send(form, "Post comment")
    assert answer.status == 422
    assert set(answer.json()["fields"]) == {"author_name", "email"}

    name_error = form.locator("#cf-new-author_name + p.field-error#cf-new-author_name-error")
    email_error = form.locator("#cf-new-email + p.field-error#cf-new-email-error")
    expect(name_error).to_have_text("Please tell us your name.")
    expect(email_error).to_have_text(re.compile(r"email address does not look right"))
    expect(form.locator(".field-error")).to_have_count(2)
    for field, error_id in ((name, "cf-new-author_name-error"), (email, "cf-new-email-error")):
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_attribute("aria-describedby", re.compile(rf"\b{error_id}\b"))
    expect(name).to_be_focused()
    expect(body).not_to_have_attribute("aria-invalid", "true")
    expect(body).to_have_value(QUESTION)
    expect(email).to_have_value("jo at example")
    expect(form.locator(".form-errors")).to_be_empty()
    expect(page.locator("#comments .comment--held")).to_have_count(0)
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#comments").screenshot(path=ARTIFACTS / "reader-field-errors.png")

    name.fill(READER)
    email.fill(READER_EMAIL)
    answer = send(form, "Post comment")
    assert answer.status == 201
    assert answer.json()["status"] == "pending"
    expect(page.locator("#comments .comment--held .comment-held")).to_have_text(HELD_MARK)
    expect(form.locator(".field-error")).to_have_count(0)
    for field in (name, email):
        expect(field).not_to_have_attribute("aria-invalid", "true")
        expect(field).not_to_have_attribute("aria-describedby", re.compile("error"))
    expect(form.locator(".form-errors")).to_be_empty()
    expect(body).to_have_value("")
    expect(page.locator("#comments .comment-list > li")).to_have_count(1)  # the held one


def test_reply_appears_under_its_baked_parent_live(blogs, page):
    blog, parent_id = blogs.published, blogs.parent_id
    open_article(page, blog)
    page.evaluate("window.porchSamePage = true")  # gone if the page reloads or navigates
    parent = page.locator(f"#comment-{parent_id}")
    expect(parent.locator(".comment-author")).to_have_text(PARENT_AUTHOR)
    card = parent.locator(":scope > .comment-card")
    form = card.locator("form.comment-form")
    expect(form).to_have_count(0)  # one reply form on the page, moved where it is needed

    card.get_by_role("link", name=f"Reply to {PARENT_AUTHOR}").click()
    expect(form).to_be_visible()
    expect(page.locator("form.comment-form")).to_have_count(2)  # the article's and this one
    form.get_by_label("Your name").fill(READER)
    form.get_by_label("Your reply").fill(REPLY)
    answer = send(form, "Post reply")
    assert answer.status == 201
    created = answer.json()
    assert created["status"] == "approved"
    assert created["comment"]["parent_id"] == parent_id

    reply = page.locator(f"#comment-{parent_id} > .comment-replies > li")
    expect(reply).to_have_count(1)
    expect(reply).to_have_id(f"comment-{created['id']}")
    expect(reply.locator(".comment-author")).to_have_text(READER)
    expect(reply.locator(".comment-body")).to_have_text(REPLY)
    expect(reply).to_be_focused()
    expect(page.locator("#comments > .comment-list > li")).to_have_count(1)  # not top level
    expect(form).to_have_count(0)  # the reply form leaves once the reply is in place
    expect(page.locator("#comments .comment--held")).to_have_count(0)
    assert page.evaluate("window.porchSamePage") is True
    expect(page).to_have_url(blog.article_url)
