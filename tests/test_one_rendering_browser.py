"""One comment, one rendering, in real Chromium: a thread baked into the page and the same
thread added by the script read the same, and a long thread's pages load in place.

The sample site is built twice with `pelican`: once with the comments export baked in
(/baked/), once before the comments existed (/live/), so the article's script adds every
comment itself from the page's template. The thread has staff answers, a removed comment
whose reply keeps its place, replies deeper than PORCH_THREAD_DEPTH, a reader's website,
an edited comment, one edited by the team and one written at 23:30 UTC, read by a browser
in Auckland (already the next day there). Nothing is mocked.
"""

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from comments_service.enums import FollowUp
from comments_service.extensions import db
from comments_service.models import CommentStatus, Post, Staff
from comments_service.services.comments.answers import record_answer

from .browser_support import TIMEOUT_MS
from .porch_support import service_database
from .test_end_to_end import AUTHOR, AUTHOR_EMAIL, AUTHOR_PASSWORD, SLUG
from .test_figures_browser import comment

pytestmark = pytest.mark.browser

expect.set_options(timeout=TIMEOUT_MS)
PER_PAGE = 4  # top-level threads per page, so this small thread has two
DEEP = 8  # a reply chain deeper than PORCH_THREAD_DEPTH (5)
LATE = datetime(2026, 3, 4, 23, 30, tzinfo=UTC)  # 5 March in Auckland, 4 March in UTC


def add_thread(database_url: str) -> None:
    """Seven top-level threads: answered, removed with a reply, deep, late (edited, acted on),
    waiting (edited by the team), answered privately, and erased at its writer's request
    with a reply."""
    with service_database(database_url):
        post = db.session.scalar(db.select(Post).where(Post.slug == SLUG))
        ana = db.session.scalar(db.select(Staff).where(Staff.name == AUTHOR))
        start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
        asked = comment(post, "Jo Reader", start)
        asked.author_website = "https://jo.example/blog"
        record_answer(comment(post, AUTHOR, start + timedelta(hours=3), asked, ana))
        removed = comment(post, "Gone Reader", start + timedelta(hours=4))
        comment(post, "Still Here", start + timedelta(hours=5), removed)
        removed.status = CommentStatus.DELETED
        parent = None
        for depth in range(DEEP):
            parent = comment(
                post, f"Deep {depth}", start + timedelta(days=1, minutes=depth), parent
            )
        late = comment(post, "Late Reader", LATE)
        late.edited_at = LATE + timedelta(minutes=5)
        late.follow_up, late.follow_up_note = FollowUp.ACTED_ON, "Offline maps ship in 4.2."
        waiting = comment(post, "Still Waiting", LATE + timedelta(days=1))
        waiting.edited_at = waiting.team_edited_at = LATE + timedelta(days=1, hours=1)  # a typo
        private = comment(post, "Phoned Reader", LATE + timedelta(days=2))
        private.private_answered_by = private.answered_by = ana
        private.private_answered_at = private.answered_at = LATE + timedelta(days=3)
        private.private_answer_shown = True
        erased = comment(post, "Erased Reader", LATE + timedelta(days=4))
        comment(post, "Reply Kept", LATE + timedelta(days=5), erased)
        erased.status, erased.erased_at = CommentStatus.DELETED, LATE + timedelta(days=6)
        db.session.commit()


@pytest.fixture(scope="module")
def porch(porch_site):
    porch = porch_site(
        "porch-one-rendering",
        slug=SLUG,
        build_settings={"PORCH_COMMENTS_PER_PAGE": PER_PAGE},
        COMMENTS_PER_PAGE=str(PER_PAGE),
        MIN_FILL_SECONDS="0",  # Playwright types faster than people
    )
    porch.add_author(AUTHOR, AUTHOR_EMAIL, AUTHOR_PASSWORD)
    porch.publish(into="live")
    add_thread(porch.database_url)
    porch.bake_comments(into="baked")
    porch.start()
    baked_url = porch.article(built="baked")
    return SimpleNamespace(
        baked_url=baked_url,
        live_url=porch.article(built="live"),
        baked_page_2=f"{baked_url}comments/2/",
    )


def rendering(page: Page) -> dict:
    """What a reader gets from the comment section, folded replies unfolded: its text, and
    each comment's shape."""
    folded = page.locator("#comments details.comment-folded:not([open]) > summary")
    for _ in range(folded.count()):  # folds sit side by side: no fold holds another
        folded.first.click()
    expect(folded).to_have_count(0)
    # With the script a time reads "3 hours ago"; its title is the time the baked page prints.
    page.locator("#comments time").evaluate_all("ts => ts.forEach(t => (t.textContent = t.title))")
    comments = page.locator("#comments .comment-list li.comment")
    return {
        "count": page.locator("#comments .comment-count").inner_text(),
        "text": page.locator("#comments .comment-list").inner_text(),
        # Addresses as the browser resolves them: further pages sit deeper than the article.
        "comments": comments.evaluate_all(
            """items => items.map((li) => {
                const card = (sel) => li.querySelector(':scope > .comment-card ' + sel);
                const avatar = card('> header > .avatar');
                const link = card('.comment-permalink');
                return [
                    li.id, li.className, li.parentElement.className,
                    avatar && [avatar.className, avatar.textContent, avatar.src],
                    card('.comment-author')?.innerHTML,
                    link && [link.href, link.innerHTML],
                    card('.comment-reply-link')?.outerHTML,
                ];
            })"""
        ),
    }


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line]


@pytest.fixture
def reader(open_page):
    """A browser in Auckland: a day ahead of UTC for part of every day."""
    return open_page(timezone_id="Pacific/Auckland")


def test_the_baked_thread_and_the_live_thread_render_the_same(browser, porch, reader):
    no_script = browser.new_context(java_script_enabled=False)
    page = no_script.new_page()
    page.goto(porch.baked_url)
    baked = rendering(page)
    no_script.close()

    reader.goto(porch.live_url)
    expect(reader.locator("#comments .comment-list li.comment")).to_have_count(
        len(baked["comments"])
    )
    # Both builds are served from one origin, /baked/ and /live/: the addresses say which.
    live = json.loads(json.dumps(rendering(reader)).replace("/live/", "/baked/"))

    assert live == baked
    assert baked["count"] == f"({2 + 1 + DEEP + 4})"  # the whole thread; the removed one not
    assert "This comment was removed." in baked["text"]
    assert "In reply to Deep 6" in baked["text"]
    assert "Show replies" in baked["text"]  # replies at PORCH_THREAD_COLLAPSE fold
    assert "Answered by Ana Lima in 3 hours" in baked["text"]


def test_the_second_page_reads_the_same_baked_and_loaded_in_place(browser, porch, reader):
    no_script = browser.new_context(java_script_enabled=False)
    page = no_script.new_page()
    page.goto(porch.baked_page_2)
    second = rendering(page)
    page.goto(porch.baked_url)
    first = rendering(page)
    no_script.close()
    everything = first["text"] + second["text"]
    assert "4 March 2026, 23:30 UTC · edited" in everything  # 5 March in Auckland: UTC's day
    assert "5 March 2026, 23:30 UTC · edited by the team" in everything
    for line in (
        "Waiting for an answer",
        "What we did: Offline maps ship in 4.2.",
        "Ana Lima got in touch privately",
        "This comment was removed at the author’s request.",
    ):
        assert line in second["text"] or line in first["text"], line
    assert "Erased Reader" not in everything

    reader.goto(porch.baked_url)
    reader.locator("#comments .comment-pages-next").first.click()
    expect(reader.locator("#comments .comment-pages-next")).to_have_count(0)
    both = rendering(reader)
    assert both["comments"][: len(first["comments"])] == first["comments"]
    assert both["comments"][len(first["comments"]) :] == second["comments"]
    assert lines(both["text"]) == lines(first["text"]) + lines(second["text"])
    assert reader.url == porch.baked_url


def test_a_link_to_a_folded_comment_the_script_adds_unfolds_and_scrolls_to_it(porch, reader):
    reader.goto(porch.live_url)
    deepest = reader.locator("#comments li.comment").filter(
        has=reader.locator(":scope > .comment-card .comment-author", has_text=f"Deep {DEEP - 1}")
    )
    expect(deepest).to_be_hidden()  # in folded replies
    target = deepest.get_attribute("id")
    reader.goto("about:blank")
    reader.goto(f"{porch.live_url}#{target}")
    expect(reader.locator(f"#{target}")).to_be_visible()
    expect(reader.locator(f"#{target}")).to_be_in_viewport()


def test_a_comment_posted_live_is_counted_at_once(porch, reader):
    """Runs last: it adds to the thread the other tests read."""
    reader.goto(porch.live_url)
    count = reader.locator("#comments .comment-count")
    expect(count).to_have_text(f"({2 + 1 + DEEP + 4})")
    form = reader.locator("#comments > form.comment-form")
    form.get_by_label("Your name").fill("New Reader")
    form.get_by_label("Your question or comment").fill("Counted straight away?")
    form.get_by_role("button", name="Post comment").click()
    expect(
        reader.locator("#comments li.comment").filter(has_text="Counted straight")
    ).to_be_visible()
    expect(count).to_have_text(f"({2 + 1 + DEEP + 4 + 1})")
