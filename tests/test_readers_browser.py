"""Readers and tagging in real Chromium: bulk tagging, the Readers view and a reader's page
(axe-core, screenshots, the keyboard alone), and axe on the queue and the figures.

The service runs as `flask run` on its own SQLite file with Ana's account made by the
`flask` CLI; the post and the readers' comments are written to its database directly,
with exact times.
"""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from comments_service.enums import CommentStatus
from comments_service.extensions import db
from comments_service.models import Comment, Post, PostAuthor, Staff, utcnow
from comments_service.services.comments.answers import record_answer

from .axe_support import assert_accessible, keep_screenshot
from .browser_support import TIMEOUT_MS
from .porch_support import service_database
from .test_end_to_end import AUTHOR, AUTHOR_EMAIL, AUTHOR_PASSWORD

pytestmark = pytest.mark.browser

expect.set_options(timeout=TIMEOUT_MS)
# Who wrote what, hours after the start: (name, email, hours, kind).
WRITTEN = (
    ("Jo Rivera", "jo@example.com", 1, "question"),
    ("Kim Osei", None, 2, None),
    ("Jo Rivera", "JO@example.com", 3, None),
    ("Lee Park", "lee@example.com", 4, None),
)
MOST_TABS = 80


def add_readers(database_url: str) -> dict[int, int]:
    """The post, the readers' comments (by their place in WRITTEN) and Ana's answer to Jo."""
    with service_database(database_url):
        ana = db.session.scalar(db.select(Staff).where(Staff.name == AUTHOR))
        post = Post(slug="readers", title="Readers and listening", path="/2026/11/readers/")
        post.authors = [PostAuthor(name=AUTHOR, position=0)]
        start = utcnow() - timedelta(days=3)
        made = [
            _comment(post, name, start + timedelta(hours=hours), author_email=email, kind=kind)
            for name, email, hours, kind in WRITTEN
        ]
        answer = _comment(post, AUTHOR, start + timedelta(hours=1, minutes=30), staff=ana)
        answer.parent = made[0]
        record_answer(answer)
        db.session.commit()
        return {index: comment.id for index, comment in enumerate(made)}


def _comment(post, name, created_at, **fields) -> Comment:
    made = Comment(
        post=post,
        author_name=name,
        body_markdown=f"From {name}",
        body_html=f"<p>From {name}</p>",
        status=CommentStatus.APPROVED,
        created_at=created_at,
        published_at=created_at,
        **fields,
    )
    db.session.add(made)
    db.session.flush()
    return made


@pytest.fixture(scope="module")
def porch(porch_site):
    porch = porch_site("porch-readers", blog=False, BLOG_URL="http://blog.test")
    porch.add_author(AUTHOR, AUTHOR_EMAIL, AUTHOR_PASSWORD)
    ids = add_readers(porch.database_url)
    porch.start()
    return SimpleNamespace(service=porch.service, database_url=porch.database_url, ids=ids)


@pytest.fixture(params=["light"])
def signed_in(request, open_page, porch):
    """Ana signed in, in the light palette unless a test asks for another."""
    page = open_page(viewport={"width": 1200, "height": 900}, color_scheme=request.param)
    page.goto(f"{porch.service.url}/auth/login?next=/moderation/")
    page.get_by_label("Email", exact=True).fill(AUTHOR_EMAIL)
    page.get_by_label("Password", exact=True).fill(AUTHOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Views")).to_be_visible()
    return page


def kinds_of(porch, indexes) -> list[str | None]:
    with service_database(porch.database_url):
        return [db.session.get(Comment, porch.ids[index]).kind for index in indexes]


def test_bulk_tagging_from_the_untagged_list_tags_every_selected_comment(signed_in: Page, porch):
    page = signed_in
    page.goto(f"{porch.service.url}/moderation/?view=waiting&kind=untagged")
    page.get_by_label("Select the comment by Kim Osei").check()
    page.get_by_label("Select the comment by Lee Park").check()
    page.get_by_role("button", name="Tag selected as idea").click()
    expect(page.locator(".flash--success")).to_have_text("2 comments tagged: idea.")
    expect(page.get_by_label("Kind", exact=True)).to_have_value("untagged")
    assert kinds_of(porch, [1, 2, 3]) == ["idea", None, "idea"]


def test_the_readers_view_is_accessible_and_lists_each_reader(signed_in: Page, porch):
    page = signed_in
    page.get_by_role("navigation", name="Moderation").get_by_role("link", name="Readers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Readers 3")
    rows = page.locator("table.readers tbody tr")
    expect(rows.locator("th > a")).to_have_text(["Lee Park", "Jo Rivera", "Kim Osei"])
    expect(rows.locator("th .email")).to_have_text(
        ["lee@example.com", "JO@example.com", "no email"]
    )
    expect(rows.nth(1).locator("td").last).to_have_text("50% (1 of 2)")
    assert_accessible(page)
    keep_screenshot(page, "moderation-readers.png")


def test_a_readers_page_is_accessible_and_shows_their_history(signed_in: Page, porch):
    page = signed_in
    page.goto(f"{porch.service.url}/moderation/readers")
    page.get_by_role("link", name="Jo Rivera").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jo Rivera")
    states = page.locator(".reader-history .answer-state")
    expect(states.first).to_contain_text("Answered by Ana Lima")
    expect(states.last).to_have_text("Waiting for an answer")
    assert "example.com" not in page.url
    assert_accessible(page)
    keep_screenshot(page, "moderation-reader.png")


def tab_to(page: Page, name: str) -> None:
    """Press Tab until the focused element's text is ``name`` (a bounded number of times)."""
    for _ in range(MOST_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == name:
            return
    raise AssertionError(f"{name!r} was not reached in {MOST_TABS} presses of Tab")


def test_the_readers_view_and_a_readers_page_are_reached_with_the_keyboard(signed_in: Page):
    page = signed_in
    tab_to(page, "Readers")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Readers 3")
    tab_to(page, "Kim Osei")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kim Osei")


def test_the_queue_shows_the_first_comment_badge_and_is_accessible(signed_in: Page, porch):
    page = signed_in
    lee = page.locator(f"#comment-{porch.ids[3]}")
    expect(lee.locator(".badge--first")).to_have_text("First comment")
    expect(page.locator(f"#comment-{porch.ids[2]} .badge--first")).to_have_count(0)
    assert_accessible(page)


def test_the_figures_page_is_accessible(signed_in: Page, porch):
    page = signed_in
    page.goto(f"{porch.service.url}/moderation/figures")
    expect(page.get_by_role("heading", name="Answer times", exact=True)).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("signed_in", ["dark"], indirect=True)
def test_the_readers_pages_and_the_queue_are_accessible_in_the_dark_palette(signed_in: Page, porch):
    page = signed_in
    for path in ("/moderation/", "/moderation/readers"):
        page.goto(f"{porch.service.url}{path}")
        assert_accessible(page)
    page.get_by_role("link", name="Jo Rivera").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jo Rivera")
    assert_accessible(page)
