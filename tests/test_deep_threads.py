"""Threads are as deep as readers make them: nothing that reads, exports, bakes, shows or
answers a thread may recurse on its depth.

A reply chain 2,000 comments deep goes through the API, the export command, a real
build of the sample site, the moderation page and the answer rules; the page nests
replies PORCH_THREAD_DEPTH levels deep and shows deeper ones beside their parent with
"In reply to NAME". The last test checks the same in Chromium for comments the script
adds live. Nothing is mocked.
"""

import re
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from itertools import pairwise
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from sqlalchemy import event, insert, update

from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus, Role
from comments_service.queries.states import unanswered
from comments_service.services.comments.posting import add_staff_answer
from comments_service.services.moderation import decisions as moderation

from .browser_support import ROOT
from .site_support import build_sample_site

DEPTH = 2000
LEVELS = 5  # PORCH_THREAD_DEPTH's default: how many levels replies nest on the page
SLUG = "hello-porch"
PAGE = f"2026/11/{SLUG}/index.html"


@pytest.fixture
def chain(app, make_post):
    """hello-porch with one reply chain DEPTH deep: "Reader 0" at the top, each later one
    replying to the one before. Returns the post and the comment ids from the top down."""
    post = make_post(SLUG, authors=("Ana Lima", "Ben Okafor"))
    start = datetime.now(UTC) - timedelta(days=1)
    rows = [
        {
            "post_id": post.id,
            "author_name": f"Reader {index}",
            "body_markdown": f"Reply number {index}.",
            "body_html": f"<p>Reply number {index}.</p>",
            "status": CommentStatus.APPROVED,
            "created_at": start + timedelta(seconds=index),
            "published_at": start + timedelta(seconds=index),
        }
        for index in range(DEPTH)
    ]
    with app.app_context():
        # Two statements instead of 2,000: insert every row, then link each to the one before.
        returning = insert(Comment).returning(Comment.id, sort_by_parameter_order=True)
        ids = db.session.scalars(returning, rows).all()
        links = [{"id": reply, "parent_id": parent} for parent, reply in pairwise(ids)]
        db.session.execute(update(Comment), links)
        db.session.commit()
    return SimpleNamespace(post=post, ids=ids)


class BakedThread(HTMLParser):
    """Where each baked comment sits: how many replies lists hold it, and whom it names."""

    def __init__(self, html):
        super().__init__()
        self.lists = []  # open <ol>s: True for a replies list
        self.items = []  # open <li>s: the comment id, or None for any other list item
        self.levels = {}
        self.replies_to = {}
        self._link = None
        self._inert = False  # inside the <template> the script fills: not on the page
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._inert = self._inert or tag == "template"
        if self._inert:
            return
        if tag == "ol":
            self.lists.append(attrs.get("class") == "comment-replies")
        elif tag == "li":
            comment_id = attrs.get("data-comment-id")
            self.items.append(comment_id)
            if comment_id:
                self.levels[comment_id] = sum(self.lists)
        elif tag == "a" and self._link == "":
            self._link = attrs["href"]
        elif tag == "p" and attrs.get("class") == "comment-in-reply-to":
            self._link = ""

    def handle_data(self, data):
        if self._link:
            self.replies_to[self.items[-1]] = (self._link, data)
            self._link = None

    def handle_endtag(self, tag):
        if self._inert:
            self._inert = tag != "template"
            return
        if tag == "ol":
            self.lists.pop()
        elif tag == "li":
            self.items.pop()


@contextmanager
def counted_queries():
    """Collect the SQL statements sent while the block runs (inside an app context)."""
    statements = []

    def collect(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", collect)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", collect)


def test_api_reads_a_2000_deep_chain_as_one_flat_list(client, chain):
    response = client.get(f"/api/posts/{SLUG}/comments")

    assert response.status_code == 200
    body = response.get_json()
    assert body["count"] == DEPTH
    assert [node["id"] for node in body["comments"]] == chain.ids
    assert [node["depth"] for node in body["comments"]] == list(range(DEPTH))
    deepest = body["comments"][-1]
    assert deepest["parent_id"] == chain.ids[-2]
    assert deepest["in_reply_to"] == f"Reader {DEPTH - 2}"


def test_a_2000_deep_chain_is_exported_and_baked_nesting_only_thread_depth_levels(
    app, chain, tmp_path
):
    export = tmp_path / "comments-export.json"
    result = app.test_cli_runner().invoke(args=["comments", "export", str(export)])
    assert result.exit_code == 0, result.output
    assert f"Exported {DEPTH} comments on 1 posts" in result.output

    output, _ = build_sample_site(tmp_path, export)

    html = (output / PAGE).read_text(encoding="utf-8")
    assert f'<span class="comment-count">({DEPTH})</span>' in html
    baked = BakedThread(html)
    assert list(baked.levels) == [str(comment_id) for comment_id in chain.ids]
    assert list(baked.levels.values()) == [min(depth, LEVELS - 1) for depth in range(DEPTH)]
    flattened = [str(comment_id) for comment_id in chain.ids[LEVELS:]]
    assert list(baked.replies_to) == flattened
    assert baked.replies_to[str(chain.ids[-1])] == (
        f"#comment-{chain.ids[-2]}",
        f"Reader {DEPTH - 2}",
    )


def test_moderation_page_lists_the_waiting_comments_of_a_2000_deep_chain(
    app, client, chain, make_staff, login
):
    login(make_staff("Root", role=Role.ADMIN))

    response = client.get("/moderation/")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<span class="count">{DEPTH}</span>' in html
    assert html.count('<article class="item') == app.config["PORCH_MODERATION_PAGE_SIZE"]
    assert "In reply to Reader 0" in html


def test_staff_answer_at_the_bottom_of_a_deep_chain_answers_every_reader_above_it(
    app, chain, make_staff
):
    ana = make_staff("Ana Lima")
    with app.app_context():
        deepest = db.session.get(Comment, chain.ids[-1])
        staff = db.session.merge(ana)
        with counted_queries() as statements:
            answer = add_staff_answer(deepest, staff, "Answered, all the way down.")
        db.session.commit()
        # Batched work only: the answer, the chain in one query, and the Readers view's
        # rows of its 2,000 readers recounted 100 to 500 at a time.
        assert len(statements) < DEPTH // 25, (
            "walking up the chain must not load one parent at a time"
        )
        assert db.session.scalars(unanswered()).all() == []
        top = db.session.get(Comment, chain.ids[0])
        assert (top.answered_at, top.answered_by_id) == (answer.created_at, ana.id)


def test_taking_down_a_deep_answer_leaves_the_next_answer_below_in_charge(app, chain, make_staff):
    ana = make_staff("Ana Lima")
    with app.app_context():
        staff = db.session.merge(ana)
        first = add_staff_answer(db.session.get(Comment, chain.ids[999]), staff, "Early answer")
        later = add_staff_answer(db.session.get(Comment, chain.ids[1499]), staff, "Later answer")
        db.session.commit()

        moderation.delete(first, staff, "said in error")
        db.session.commit()

        waiting = [comment.id for comment in db.session.scalars(unanswered())]
        assert waiting == chain.ids[1500:]
        top = db.session.get(Comment, chain.ids[0])
        assert top.answered_at == later.created_at


@pytest.mark.browser
def test_live_replies_past_the_thread_depth_sit_beside_their_parent_and_name_it(porch_site, page):
    """Six comments deep are baked; two deeper ones arrive after the build and one is posted
    from the page: each past the fifth level sits in the fifth level's list, with its link."""
    porch = porch_site(
        "porch-deep",
        slug=SLUG,
        MIN_FILL_SECONDS="0",  # Playwright types faster than people
        COMMENT_RATE_LIMIT="100 per minute",
    )
    porch.publish().start()

    ids = []
    for depth in range(8):
        if depth == 6:  # the first six are baked in, the rest arrive after the build
            porch.bake_comments()
        parent = {"parent_id": ids[-1]} if ids else {}
        fields = {"author_name": f"Reader {depth}", "body": f"At depth {depth}.", **parent}
        ids.append(porch.comment(**fields)["id"])

    api = porch.api_url
    with page.expect_response(lambda response: response.url == api + "?page=1"):
        page.goto(f"{porch.site.url}/{PAGE.removesuffix('index.html')}")

    nested = " > .comment-replies > ".join(f"#comment-{i}" for i in ids[:4])
    folded = page.locator(f"{nested} > details.comment-folded")  # PORCH_THREAD_COLLAPSE
    expect(folded).not_to_have_attribute("open", "")
    folded.locator(":scope > summary").click()
    fifth_level = folded.locator(":scope > .comment-replies > li")
    expect(fifth_level).to_have_count(4)
    expect(fifth_level.nth(3)).to_have_id(f"comment-{ids[7]}")
    for depth in (5, 6, 7):
        link = page.locator(f"#comment-{ids[depth]} .comment-in-reply-to a")
        expect(link).to_have_text(f"Reader {depth - 1}")
        expect(link).to_have_attribute("href", f"#comment-{ids[depth - 1]}")
    expect(page.locator(f"#comment-{ids[4]} .comment-in-reply-to")).to_have_count(0)

    deepest = page.locator(f"#comment-{ids[7]}")
    deepest.get_by_role("link", name="Reply to Reader 7").click()
    deepest.get_by_label("Your name").fill("Reader 8")
    deepest.locator("textarea[name=body]").fill("Still here, eight replies down.")
    deepest.get_by_role("button", name="Post reply").click()
    expect(fifth_level).to_have_count(5)
    posted = fifth_level.nth(4)
    expect(posted.locator(".comment-in-reply-to")).to_have_text("In reply to Reader 7")
    expect(posted.locator(".comment-body")).to_have_text("Still here, eight replies down.")

    posted.locator(".comment-in-reply-to a").click()
    expect(page).to_have_url(re.compile(f"#comment-{ids[7]}$"))
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    page.locator(f"#comment-{ids[2]}").screenshot(path=artifacts / "deep-thread-capped.png")
