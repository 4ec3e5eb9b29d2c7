"""What readers told us, in real Chromium: the "got in touch privately" line and the
"What we did" note read the same baked and live, and an author tags with the keyboard.

Nothing is mocked: the sample site is built twice with `pelican` (with the comments export
baked in, and without, so the article's script adds every comment itself), the service
runs as `flask run` on its own SQLite file, and every step is taken with the `flask` CLI.
"""

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from comments_service.extensions import db
from comments_service.models import Comment, Post

from .browser_support import TIMEOUT_MS
from .porch_support import service_database
from .test_end_to_end import AUTHOR, AUTHOR_EMAIL, AUTHOR_PASSWORD, SLUG, screenshot
from .test_figures_browser import add_comments, comment

pytestmark = pytest.mark.browser

expect.set_options(timeout=TIMEOUT_MS)
PRIVATE_NOTE = "Rang Jo about the gate code; sorted."
INTERNAL = "Passed to the Mobile board."
WHAT_WE_DID = "Offline copies now leave out gate codes."
READERS = ("Called Shown", "Called Hidden", "Idea Reader", "Untagged Reader")


def add_readers(database_url: str) -> dict[str, int]:
    """The reader comments this test looks after, by name."""
    with service_database(database_url):
        post = db.session.scalar(db.select(Post).where(Post.slug == SLUG))
        made = [comment(post, name, post.published_at) for name in READERS]
        db.session.commit()
        return {made_one.author_name: made_one.id for made_one in made}


@pytest.fixture(scope="module")
def porch(porch_site):
    porch = porch_site("porch-listening", slug=SLUG)
    porch.add_author(AUTHOR, AUTHOR_EMAIL, AUTHOR_PASSWORD)
    porch.publish(into="live")
    add_comments(porch.database_url)
    ids = add_readers(porch.database_url)
    by = ["--by", AUTHOR_EMAIL, "--how", "phone", "--note", PRIVATE_NOTE]
    porch.flask("comments", "answer-privately", str(ids["Called Shown"]), *by, "--show-on-blog")
    porch.flask("comments", "answer-privately", str(ids["Called Hidden"]), *by)
    idea = ["comments", "follow-up", str(ids["Idea Reader"])]
    porch.flask(*idea, "passed-on", "--team", "Mobile", "--note", INTERNAL, "--by", AUTHOR_EMAIL)
    porch.flask(*idea, "acted-on", "--note", WHAT_WE_DID, "--by", AUTHOR_EMAIL)
    porch.bake_comments(into="baked")
    porch.start()
    return SimpleNamespace(
        service=porch.service,
        database_url=porch.database_url,
        ids=ids,
        baked_url=porch.article(built="baked"),
        live_url=porch.article(built="live"),
    )


def notes_under(page: Page) -> dict[str, tuple[str | None, str | None]]:
    """Each reader's answer line and "What we did" note, as the page shows them."""
    shown = {}
    for card in page.locator(".comment-card").all():
        name = card.locator(".comment-author").inner_text()
        line, note = (
            card.locator(":scope > .comment-answer"),
            card.locator(":scope > .comment-follow-up"),
        )
        shown[name] = (
            line.inner_text() if line.count() else None,
            note.inner_text() if note.count() else None,
        )
    return shown


def test_the_private_line_and_what_we_did_read_the_same_baked_and_live(browser, porch):
    no_script = browser.new_context(java_script_enabled=False)
    page = no_script.new_page()
    page.goto(porch.baked_url)
    baked = notes_under(page)
    cards = page.locator(".comment-card").count()
    baked_html = page.content()
    no_script.close()

    with_script = browser.new_context()
    page = with_script.new_page()
    page.goto(porch.live_url)
    expect(page.locator(".comment-list .comment-card")).to_have_count(cards)
    live = notes_under(page)
    live_html = page.content()
    with_script.close()

    assert live == baked
    assert baked["Called Shown"] == ("Ana Lima got in touch privately", None)
    assert baked["Called Hidden"] == (None, None)
    assert baked["Idea Reader"] == ("Waiting for an answer", f"What we did: {WHAT_WE_DID}")
    for html in (baked_html, live_html):
        assert PRIVATE_NOTE not in html and INTERNAL not in html


def test_an_author_tags_a_comment_with_the_keyboard(browser, porch):
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"{porch.service.url}/auth/login?next=/moderation/")
    page.get_by_label("Email", exact=True).fill(AUTHOR_EMAIL)
    page.get_by_label("Password", exact=True).fill(AUTHOR_PASSWORD)
    page.get_by_label("Password", exact=True).press("Enter")
    untagged = page.locator(".untagged")
    expect(untagged).to_contain_text("have no kind yet")
    card = page.locator(f"#comment-{porch.ids['Untagged Reader']}")
    card.locator("summary").filter(has_text=re.compile("^More")).focus()
    page.keyboard.press("Enter")  # the kinds are under "More"
    card.get_by_role("button", name="question", exact=True).focus()
    page.keyboard.press("Tab")  # on to the next kind
    page.keyboard.press("Enter")
    card = page.locator(f"#comment-{porch.ids['Untagged Reader']}")
    expect(card.locator(".kind-badge")).to_have_text("Kind: idea")
    card.locator("summary").filter(has_text=re.compile("^More")).click()  # brings the tools
    expect(card.locator("button.kind[value=idea]")).to_have_attribute("aria-pressed", "true")
    card.scroll_into_view_if_needed()
    screenshot(page, "listening-kinds.png")
    context.close()
    with service_database(porch.database_url):
        assert db.session.get(Comment, porch.ids["Untagged Reader"]).kind == "idea"
