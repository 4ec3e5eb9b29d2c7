"""Answer times in real Chromium: the baked and the live answer lines agree word for word,
and the figures dashboard renders for a signed-in author.

Nothing is mocked: the sample site is built twice with `pelican` (once with the comments
export baked in, once without, so the article's script adds every comment itself), the
service runs as `flask run` on its own SQLite file, and the answers are recorded by the
service's own answered rule.
"""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from comments_service.enums import CommentStatus
from comments_service.extensions import db
from comments_service.models import Comment, Post, Staff, utcnow
from comments_service.services.comments.answers import record_answer
from comments_service.services.moderation import decisions as moderation

from .browser_support import TIMEOUT_MS
from .porch_support import service_database
from .test_end_to_end import ARTIFACTS, AUTHOR, AUTHOR_EMAIL, AUTHOR_PASSWORD, SLUG, screenshot

pytestmark = pytest.mark.browser

expect.set_options(timeout=TIMEOUT_MS)
# How long after each reader comment Ana's answer came, in seconds: around each rounding step.
ANSWERED_AFTER = [29, 30, 90, 12 * 60, 3570, 5400, 3 * 3600 + 10 * 60, 47 * 3600 + 1800, 3 * 86400]
EXPECTED = [
    "Answered by Ana Lima in under a minute",
    "Answered by Ana Lima in 1 minute",
    "Answered by Ana Lima in 2 minutes",
    "Answered by Ana Lima in 12 minutes",
    "Answered by Ana Lima in 1 hour",
    "Answered by Ana Lima in 2 hours",
    "Answered by Ana Lima in 3 hours",
    "Answered by Ana Lima in 2 days",
    "Answered by Ana Lima in 3 days",
    "Waiting for an answer",
]


def add_comments(database_url: str) -> None:
    """Reader comments on the post with known answer times, one still waiting, one dismissed."""
    with service_database(database_url):
        post = db.session.scalar(db.select(Post).where(Post.slug == SLUG))
        ana = db.session.scalar(db.select(Staff).where(Staff.name == AUTHOR))
        start = utcnow() - timedelta(days=10)
        for index, seconds in enumerate(ANSWERED_AFTER):
            asked = start + timedelta(hours=index)
            question = comment(post, f"Reader {index}", asked)
            answer = comment(post, AUTHOR, asked + timedelta(seconds=seconds), question, ana)
            record_answer(answer)
        comment(post, "Still Waiting", start + timedelta(days=1))
        dismissed = comment(post, "Just Thanks", start + timedelta(days=2))
        dismissed.dismissed_at, dismissed.dismissed_by = start + timedelta(days=3), ana
        db.session.commit()


def comment(post, name, created_at, parent=None, staff=None) -> Comment:
    made = Comment(
        post=post,
        parent=parent,
        staff=staff,
        author_name=name,
        body_markdown=f"From {name}",
        body_html=f"<p>From {name}</p>",
        status=CommentStatus.APPROVED,
        created_at=created_at,
        published_at=created_at,
    )
    db.session.add(made)
    db.session.flush()
    return made


@pytest.fixture(scope="module")
def porch(porch_site):
    """One service, and the sample blog built twice, served from one origin (its pages link
    relatively): with the comments baked in (/baked/), and without (/live/)."""
    porch = porch_site("porch-figures", slug=SLUG)
    porch.add_author(AUTHOR, AUTHOR_EMAIL, AUTHOR_PASSWORD)
    porch.publish(into="live")
    add_comments(porch.database_url)
    porch.bake_comments(into="baked")
    porch.start()
    return SimpleNamespace(
        service=porch.service,
        database_url=porch.database_url,
        baked_url=porch.article(built="baked"),
        live_url=porch.article(built="live"),
    )


def artifact(name: str):
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name


def answer_lines(page: Page) -> list[tuple[str, str | None]]:
    """Each comment's writer and answer line, in the order the page shows them."""
    lines = []
    for card in page.locator(".comment-card").all():
        line = card.locator(":scope > .comment-answer")
        name = card.locator(".comment-author").inner_text()
        lines.append((name, line.inner_text() if line.count() else None))
    return lines


def test_baked_and_live_answer_lines_are_the_same(browser, porch):
    no_script = browser.new_context(java_script_enabled=False)
    page = no_script.new_page()
    page.goto(porch.baked_url)
    baked = answer_lines(page)
    page.locator("#comments").screenshot(path=artifact("answer-lines-baked.png"))
    no_script.close()

    with_script = browser.new_context()
    page = with_script.new_page()
    page.goto(porch.live_url)
    expect(page.locator(".comment-list .comment-card")).to_have_count(len(baked))
    live = answer_lines(page)
    with_script.close()

    assert live == baked
    by_name = dict(baked)
    readers = [f"Reader {i}" for i in range(len(ANSWERED_AFTER))] + ["Still Waiting"]
    assert [by_name[name] for name in readers] == EXPECTED
    assert by_name["Just Thanks"] is None  # marked no answer needed
    assert {line for name, line in baked if name == AUTHOR} == {None}  # staff answers: neither


# Before any script of the page: counts the answer lines taken out of the page.
COUNT_REMOVED_LINES = """
window.removedLines = 0;
new MutationObserver((records) => {
  for (const record of records)
    for (const node of record.removedNodes)
      if (node.classList?.contains("comment-answer")) window.removedLines += 1;
}).observe(document, { childList: true, subtree: true });
"""


def test_the_script_leaves_answer_lines_the_build_got_right(browser, porch):
    """Rewriting every line after the thread is fetched laid the long page out again;
    lines that still hold stay as they are (and test_a_baked_comment_answered_since_
    the_build_says_so_live checks that a changed one is replaced)."""
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(COUNT_REMOVED_LINES)
    with page.expect_response(lambda response: "/comments" in response.url):
        page.goto(porch.baked_url)
    page.wait_for_load_state("networkidle")
    expect(page.locator(".comment-count")).to_have_text(re.compile(r"\(\d+\)"))
    assert page.locator(".comment-card > .comment-answer").count() >= len(EXPECTED)
    assert page.evaluate("window.removedLines") == 0
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_dashboard_renders_in_chromium(browser, porch, scheme):
    size = {"width": 1100, "height": 900}
    context = browser.new_context(viewport=size, color_scheme=scheme)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"{porch.service.url}/auth/login?next=/moderation/")
    page.get_by_label("Email", exact=True).fill(AUTHOR_EMAIL)
    page.get_by_label("Password", exact=True).fill(AUTHOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Moderation").get_by_role(
        "link", name="Answer times"
    ).click()

    expect(page.get_by_role("heading", name="Answer times", exact=True)).to_be_visible()
    share = page.get_by_role("img", name="Share of reader comments answered")
    expect(share).to_be_visible()
    expect(share.locator("rect.chart-bar")).to_have_count(12)
    assert share.bounding_box()["height"] > 100  # drawn, not collapsed
    expect(page.get_by_role("img", name=re.compile("^Median time"))).to_be_visible()
    blog = page.locator("table.figures").first
    expect(blog.locator("caption")).to_have_text("Every post, newest month first")
    expect(page.locator("table.figures caption", has_text=AUTHOR)).to_have_count(1)
    screenshot(page, "figures-dashboard.png" if scheme == "light" else "figures-dashboard-dark.png")
    context.close()


def test_a_baked_comment_answered_since_the_build_says_so_live(browser, porch):
    """Runs after the others: Ana answers the waiting comment; the answer is taken down after."""
    with service_database(porch.database_url):
        waiting = db.session.scalar(
            db.select(Comment).where(Comment.author_name == "Still Waiting")
        )
        ana = db.session.scalar(db.select(Staff).where(Staff.name == AUTHOR))
        answer = comment(waiting.post, AUTHOR, waiting.created_at + timedelta(days=9), waiting, ana)
        record_answer(answer)
        db.session.commit()
        answer_id = answer.id
    try:
        context = browser.new_context()
        page = context.new_page()
        page.goto(porch.baked_url)
        card = page.locator(".comment-card").filter(has_text="From Still Waiting")
        line = card.locator(":scope > .comment-answer")
        expect(line).to_have_text("Answered by Ana Lima in 9 days")
        expect(line).not_to_have_class(re.compile("comment-answer--waiting"))
        context.close()
    finally:
        with service_database(porch.database_url):
            taken_down = db.session.get(Comment, answer_id)
            moderation.delete(taken_down, taken_down.staff, "test answer")
            db.session.commit()
