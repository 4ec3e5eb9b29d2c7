"""The reader's side of the blog in real Chromium: light, private, accessible, comfortable.

The sample site is built with `pelican` from the service's own export, the service runs
as `flask run`, and every check drives the pages a reader gets: saved details, times,
the keyboard, tap targets on a phone, reduced motion, the dark scheme, axe-core, and the
requests and cookies a reader's browser ends up with. Nothing is mocked.
"""

import json
import re
from datetime import UTC, datetime, timedelta
from functools import partial
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from comments_service.extensions import db
from comments_service.models import Post, Staff
from comments_service.services.comments.answers import record_answer

from .axe_support import ARTIFACTS, assert_accessible, keep_screenshot
from .browser_support import TIMEOUT_MS
from .porch_support import service_database
from .test_end_to_end import AUTHOR, AUTHOR_EMAIL, AUTHOR_PASSWORD, SLUG
from .test_figures_browser import comment

pytestmark = pytest.mark.browser

expect.set_options(timeout=TIMEOUT_MS)
WAITING_SLUG = "hello-porch"
READER = "Jo Reader"
READER_EMAIL = "jo@example.org"
READER_SITE = "https://jo.example/"
ABSOLUTE = re.compile(r"^\d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d UTC$")
PHONE, DESKTOP = {"width": 375, "height": 812}, {"width": 1280, "height": 900}
TAP_TARGETS = (
    ".comment-reply-link",
    ".comment-permalink",
    ".comment-form button",
    ".field--subscribe label",
    ".field--remember label",
)


def add_comments(database_url: str) -> dict:
    """A question answered by the post's author, and one on another post still waiting."""
    with service_database(database_url):
        posts = {post.slug: post for post in db.session.scalars(db.select(Post))}
        ana = db.session.scalar(db.select(Staff).where(Staff.name == AUTHOR))
        asked_at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
        asked = comment(posts[SLUG], "Sam Field", asked_at)
        record_answer(comment(posts[SLUG], AUTHOR, asked_at + timedelta(hours=2), asked, ana))
        comment(posts[WAITING_SLUG], "Lee Waiting", asked_at - timedelta(days=2))
        db.session.commit()
        return {"asked": asked.id, "asked_at": asked_at}


@pytest.fixture(scope="module")
def porch(porch_site):
    """The sample blog with the comments baked in, served, and its comment service."""
    porch = porch_site(
        "porch-reader-side",
        slug=SLUG,
        MIN_FILL_SECONDS="0",  # Playwright types faster than people
        COMMENT_RATE_LIMIT="100 per minute",
    )
    porch.add_author(AUTHOR, AUTHOR_EMAIL, AUTHOR_PASSWORD)
    porch.publish()
    seeded = add_comments(porch.database_url)
    porch.bake_comments()
    porch.start()
    return SimpleNamespace(
        site=porch.site,
        service=porch.service,
        index_url=porch.site.url + "/",
        article_url=porch.article_url,
        api_url=porch.api_url,
        **seeded,
    )


@pytest.fixture
def open_page(open_page):
    """A page in a browser context of its own: a desktop screen, light, unless a test says."""
    return partial(open_page, viewport=DESKTOP, color_scheme="light")


def open_article(page: Page, porch) -> None:
    """Open the post and wait until the script has fetched the live thread."""
    with page.expect_response(lambda r: r.url == porch.api_url + "?page=1"):
        page.goto(porch.article_url)


def new_comment_form(page: Page):
    return page.locator("#comments > form.comment-form")


def post_with_mouse(page: Page, body: str, remember: bool | None = None):
    """Fill the article's form and post it; return the comment the script inserts."""
    form = new_comment_form(page)
    form.get_by_label("Your name").fill(READER)
    form.get_by_label(re.compile(r"^Email")).fill(READER_EMAIL)
    form.get_by_label(re.compile(r"^Website")).fill(READER_SITE)
    form.get_by_label("Your question or comment").fill(body)
    if remember is not None:
        form.get_by_label("Save my name, email and website").set_checked(remember)
    form.get_by_role("button", name="Post comment").click()
    posted = page.locator("#comments li.comment").filter(has_text=body)
    expect(posted).to_have_count(1)
    return posted


def saved_details(page: Page):
    return page.evaluate("localStorage.getItem('porchReader')")


def focused(page: Page) -> str:
    """The focused element, as "tag#id.class text" to compare and to read in a failure."""
    return page.evaluate(
        """() => { const e = document.activeElement;
            return `${e.tagName.toLowerCase()}#${e.id}.${e.className} ${e.textContent.trim()}`; }"""
    )


def tab_to(page: Page, pattern: str, key: str = "Tab", limit: int = 25) -> str:
    """Press Tab (or Shift+Tab) until the focused element matches pattern; at most limit times."""
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        if re.search(pattern, now):
            return now
    raise AssertionError(f"{pattern!r} never got the focus; last: {focused(page)!r}")


def no_horizontal_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= innerWidth")


def test_saved_details_come_back_and_go_when_unticked_never_in_a_cookie(open_page, porch):
    page = open_page()
    open_article(page, porch)
    form = new_comment_form(page)
    remember = form.get_by_label("Save my name, email and website")
    expect(remember).to_be_visible()
    expect(remember).not_to_be_checked()
    assert saved_details(page) is None

    post_with_mouse(page, "First time here: does the app keep my filters?", remember=True)
    assert json.loads(saved_details(page)) == {
        "author_name": READER,
        "email": READER_EMAIL,
        "website": READER_SITE,
    }
    expect(form.get_by_label("Your name")).to_have_value(READER)  # kept after posting
    expect(form.get_by_label("Your question or comment")).to_have_value("")

    open_article(page, porch)
    form = new_comment_form(page)
    expect(form.get_by_label("Your name")).to_have_value(READER)
    expect(form.get_by_label(re.compile(r"^Email"))).to_have_value(READER_EMAIL)
    expect(form.get_by_label(re.compile(r"^Website"))).to_have_value(READER_SITE)
    expect(form.get_by_label("Save my name, email and website")).to_be_checked()
    page.locator(f"#comment-{porch.asked} > .comment-card .comment-reply-link").click()
    reply = page.locator(f"#comment-{porch.asked} form.comment-form")
    expect(reply.get_by_label("Your name")).to_have_value(READER)
    expect(reply.get_by_label("Save my name, email and website")).to_be_checked()

    post_with_mouse(page, "And a second question, details forgotten.", remember=False)
    assert saved_details(page) is None
    open_article(page, porch)
    form = new_comment_form(page)
    expect(form.get_by_label("Your name")).to_have_value("")
    expect(form.get_by_label(re.compile(r"^Email"))).to_have_value("")
    expect(form.get_by_label("Save my name, email and website")).not_to_be_checked()
    assert page.context.cookies() == []


def test_times_read_relative_with_the_utc_time_on_hover(open_page, porch):
    page = open_page()
    open_article(page, porch)
    asked = page.locator(f"#comment-{porch.asked} > .comment-card time")
    absolute = f"{porch.asked_at.day} {porch.asked_at:%B %Y, %H:%M} UTC"
    expect(asked).to_have_text("3 hours ago")
    expect(asked).to_have_attribute("title", absolute)
    expect(asked).to_have_attribute("datetime", f"{porch.asked_at:%Y-%m-%dT%H:%M:%S}Z")
    expect(page.locator(".comment-replies time")).to_have_text("1 hour ago")

    posted = post_with_mouse(page, "Is the time of this comment right?")
    live = posted.locator("time")
    expect(live).to_have_text(re.compile(r"^(now|\d+ seconds? ago)$"))
    expect(live).to_have_attribute("title", ABSOLUTE)
    expect(live).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"))


def test_without_javascript_times_are_absolute_in_utc(open_page, porch):
    page = open_page(javascript=False)
    page.goto(porch.article_url)
    times = page.locator("#comments .comment-list time")
    expect(times).to_have_count(2)
    for time in times.all():
        expect(time).to_have_text(ABSOLUTE)
        assert time.inner_text() == time.get_attribute("title")
        expect(time).to_have_attribute("datetime", re.compile(r"Z$"))
    expect(page.locator(".field--remember")).to_be_hidden()  # nothing to save it in


def test_a_reader_posts_and_replies_with_the_keyboard_alone(open_page, porch):
    page = open_page()
    open_article(page, porch)
    skip = page.get_by_role("link", name="Leave a comment")
    assert skip.bounding_box()["y"] < 0  # out of sight until focused
    assert tab_to(page, "Skip to content").startswith("a#.skip-link")
    assert tab_to(page, "Leave a comment").startswith("a#.skip-link")
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["height"] > 0
    page.keyboard.press("Enter")
    assert page.url.endswith("#comment-form")

    assert tab_to(page, r"^input#cf-new-author_name")
    page.keyboard.type("Kim Keys")
    tab_to(page, r"^textarea#cf-new-body")
    page.keyboard.type("Can I do all of this without a mouse?")
    tab_to(page, r"^button#\.\s+Post comment")
    page.keyboard.press("Enter")
    posted = page.locator("#comments li.comment").filter(has_text="without a mouse")
    expect(posted).to_be_focused()

    tab_to(page, r"Reply to Kim Keys")
    page.keyboard.press("Enter")
    reply = posted.locator("form.comment-form")
    expect(reply.get_by_label("Your reply")).to_be_focused()
    page.keyboard.type("Answering myself, still without a mouse.")
    tab_to(page, r"^input#cf-new-author_name-reply", key="Shift+Tab")
    page.keyboard.type("Kim Keys")
    tab_to(page, r"^button#\.\s+Post reply")
    page.keyboard.press("Space")
    answer = posted.locator(".comment-replies li.comment")
    expect(answer).to_have_count(1)
    expect(answer.locator(".comment-body")).to_have_text("Answering myself, still without a mouse.")
    expect(answer).to_be_focused()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pages_fit_the_screen_and_pass_axe(open_page, porch, viewport, scheme):
    page = open_page(viewport=viewport, color_scheme=scheme)
    suffix = f"{viewport['width']}{'-dark' if scheme == 'dark' else ''}"
    page.goto(porch.index_url)
    assert no_horizontal_scroll(page)
    assert_accessible(page)
    keep_screenshot(page, f"reader-index-{suffix}.png")

    open_article(page, porch)
    page.locator(f"#comment-{porch.asked} > .comment-card .comment-reply-link").click()
    expect(page.locator(f"#comment-{porch.asked} form.comment-form")).to_be_visible()
    assert no_horizontal_scroll(page)
    assert_accessible(page)
    keep_screenshot(page, f"reader-article-{suffix}.png")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_forms_error_state_passes_axe(open_page, porch, scheme):
    page = open_page(color_scheme=scheme)
    open_article(page, porch)
    form = new_comment_form(page)
    form.evaluate("form => { form.noValidate = true; }")  # let the service answer, as it would
    form.get_by_label(re.compile(r"^Email")).fill("not an address")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        form.get_by_role("button", name="Post comment").click()
    assert answer.value.status == 422
    expect(form.locator(".field-error")).to_have_count(3)
    assert_accessible(page)


def test_tap_targets_are_44_px_on_a_phone(open_page, porch):
    page = open_page(viewport=PHONE)
    open_article(page, porch)
    page.locator(f"#comment-{porch.asked} > .comment-card .comment-reply-link").click()
    measured = []
    for selector in TAP_TARGETS:
        targets = page.locator(f"#comments {selector}").all()
        assert targets, selector
        for target in targets:
            box = target.bounding_box()
            measured.append((selector, round(box["width"]), round(box["height"])))
    small = [item for item in measured if item[1] < 44 or item[2] < 44]
    assert small == [], small


@pytest.mark.parametrize("width", [375, 320])
def test_the_navigation_leaves_no_item_alone_on_a_line_on_a_phone(open_page, porch, width):
    page = open_page(viewport={"width": width, "height": 700})
    page.goto(porch.article_url)
    items = page.locator(".site-nav li")
    tops = [box["y"] for box in (item.bounding_box() for item in items.all())]
    rows = [tops.count(top) for top in sorted(set(tops))]
    assert len(tops) >= 4, "the sample site's menu: posts, people, topics, archives, pages"
    assert min(rows) > 1, f"items per line at {width} px: {rows}"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.locator(".site-header").screenshot(path=ARTIFACTS / f"reader-nav-{width}.png")


def test_reduced_motion_turns_off_transitions_and_smooth_scrolling(open_page, porch):
    page = open_page()
    open_article(page, porch)
    moving = ".comment-card { transition: opacity 2s; animation: 2s spin; }"
    page.add_style_tag(content=moving + " html { scroll-behavior: smooth; }")
    motion = """() => { const card = getComputedStyle(document.querySelector('.comment-card'));
        return [card.transitionDuration, card.animationName,
                getComputedStyle(document.documentElement).scrollBehavior]; }"""
    assert page.evaluate(motion) == ["2s", "spin", "smooth"]
    page.emulate_media(reduced_motion="reduce")
    assert page.evaluate(motion) == ["0s", "none", "auto"]


def test_the_dark_scheme_swaps_the_palette(open_page, porch):
    page = open_page()
    page.goto(porch.article_url)
    colours = "(s => [s.backgroundColor, s.color])(getComputedStyle(document.body))"
    assert page.evaluate(colours) == ["rgb(251, 250, 247)", "rgb(28, 29, 31)"]
    page.emulate_media(color_scheme="dark")
    assert page.evaluate(colours) == ["rgb(23, 24, 27)", "rgb(236, 235, 232)"]


def test_reading_asks_only_the_blog_and_its_service_and_sets_no_cookie(open_page, porch):
    page = open_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(porch.index_url)
    open_article(page, porch)
    page.locator("#comments").scroll_into_view_if_needed()
    page.wait_for_load_state("networkidle")

    strangers = [
        url for url in requested if not url.startswith((porch.site.url, porch.service.url))
    ]
    assert strangers == []
    assert porch.api_url + "?page=1" in requested
    assert any(url.endswith("/theme/js/porch-comments.js") for url in requested)
    assert any(url.endswith("ana-lima.svg") for url in requested)  # the author's local face
    assert page.context.cookies() == []


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_index_tells_each_posts_comments_and_who_waits(open_page, porch, javascript):
    page = open_page(javascript=javascript)
    page.goto(porch.index_url)
    summary = page.locator(".post-summary")
    answered = summary.filter(has=page.locator(f"a[href$='{SLUG}/']")).locator(".post-summary-more")
    waiting = summary.filter(has=page.locator(f"a[href$='{WAITING_SLUG}/']"))
    # Between the two parts, words for screen readers only: which post the count is of.
    expect(answered).to_contain_text(re.compile(r"\b2 comments\b.*·\s*every reader answered", re.S))
    expect(waiting.locator(".post-summary-more")).to_contain_text(
        re.compile(r"\b1 comment\b.*·\s*1 reader waiting", re.S)
    )
    quiet = summary.filter(has_text="Ask the first question").first.locator(".post-summary-more")
    expect(quiet).not_to_contain_text("answered")
    expect(quiet).not_to_contain_text("waiting")


def test_without_javascript_a_reader_reads_and_posts(open_page, porch):
    page = open_page(javascript=False)
    page.goto(porch.article_url)
    expect(page.locator(f"#comment-{porch.asked} .comment-body").first).to_have_text(
        "From Sam Field"
    )
    form = new_comment_form(page)
    form.get_by_label("Your name").fill(READER)
    form.get_by_label("Your question or comment").fill("Posted with scripts off.")
    form.get_by_role("button", name="Post comment").click()
    expect(page).to_have_url(f"{porch.article_url}#comment-status-approved")
    expect(page.locator("#comment-status-approved")).to_be_visible()
    assert page.context.cookies() == []


def test_without_javascript_the_landing_says_published_and_asks_to_confirm(open_page, porch):
    page = open_page(javascript=False)
    page.goto(porch.article_url)
    form = new_comment_form(page)
    form.get_by_label("Your name").fill(READER)
    form.get_by_label(re.compile(r"^Email")).fill("jo.landing@example.org")
    form.get_by_label("Your question or comment").fill("Posted with scripts off, mail me.")
    form.get_by_label("when the team answers").check()
    form.get_by_role("button", name="Post comment").click()
    expect(page).to_have_url(f"{porch.article_url}#comment-status-approved-confirm")
    note = page.locator("#comment-status-approved-confirm")
    expect(note).to_be_visible()
    expect(note).to_contain_text(f"Your comment is published, and {AUTHOR} will answer it here.")
    expect(note).to_contain_text("open the link in the email we sent you to confirm")
    expect(page.locator(".comment-status:visible")).to_have_count(1)
    note.screenshot(path=ARTIFACTS / "reader-no-js-landing.png")


def test_without_javascript_a_reader_replies_on_the_services_page(open_page, porch):
    page = open_page(javascript=False)
    page.goto(porch.article_url)
    page.locator(f"#comment-{porch.asked} > .comment-card .comment-reply-link").click()
    expect(page).to_have_url(f"{porch.service.url}/reply/{porch.asked}")
    asked = page.locator(f"a[href='/c/{porch.asked}'] time")
    absolute = f"{porch.asked_at.day} {porch.asked_at:%B %Y, %H:%M} UTC"
    expect(asked).to_have_text(absolute)
    expect(asked).to_have_attribute("title", absolute)
    expect(asked).to_have_attribute("datetime", f"{porch.asked_at:%Y-%m-%dT%H:%M:%S}Z")

    page.get_by_label("Your name").fill(READER)
    page.get_by_label("Your reply").fill("Replied with scripts off.")
    page.get_by_role("button", name="Post reply").click()
    expect(page).to_have_url(f"{porch.article_url}#comment-status-approved")
    assert page.context.cookies() == []


def test_a_replys_error_page_keeps_the_reply_page(open_page, porch):
    page = open_page(javascript=False)
    page.goto(f"{porch.service.url}/reply/{porch.asked}")
    quoted = page.locator("blockquote.comment-body").inner_text()
    form = page.locator("form.comment-form")
    form.evaluate("form => { form.noValidate = true; }")  # as an old browser would send it
    page.get_by_label("Your reply").fill("   ")
    page.get_by_role("button", name="Post reply").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Reply to Sam Field")
    expect(page.locator("blockquote.comment-body")).to_have_text(quoted)
    expect(page.locator(".form-errors")).to_contain_text("Please tell us your name.")
    expect(page.locator(".form-errors")).to_contain_text("Please write a comment.")
    expect(page.get_by_label("Your reply")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Your name")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("button", name="Post reply")).to_be_visible()
    expect(page.locator("input[name=parent_id]")).to_have_value(str(porch.asked))
    keep_screenshot(page, "reader-reply-error-no-js.png")
    html, url = page.content(), page.url
    checker = open_page()  # axe runs as a script: the same HTML, JavaScript on
    checker.route(url, lambda route: route.fulfill(body=html, content_type="text/html"))
    checker.goto(url)
    assert_accessible(checker)

    page.get_by_label("Your name").fill(READER)
    page.get_by_label("Your reply").fill("Replied after a correction.")
    page.get_by_role("button", name="Post reply").click()
    expect(page).to_have_url(f"{porch.article_url}#comment-status-approved")


def form_words(form) -> dict:
    """What a form says: labels, hints, the legend, the submit button."""
    return form.evaluate(
        """form => ({
          labels: [...form.querySelectorAll(".field > label, .field--subscribe label")]
            .map((e) => e.textContent.trim().replace(/\\s+/g, " ")),
          hints: [...form.querySelectorAll(".hint")].map((e) => e.textContent.trim()),
          legend: form.querySelector("legend").textContent.trim().replace(/\\s+/g, " "),
          submit: form.querySelector("[type=submit]").textContent.trim(),
        })"""
    )


def test_the_reply_page_and_the_scripts_reply_form_say_the_same(open_page, porch):
    page = open_page()
    open_article(page, porch)
    page.locator(f"#comment-{porch.asked} > .comment-card .comment-reply-link").click()
    scripted = form_words(page.locator(f"#comment-{porch.asked} form.comment-form"))

    plain = open_page(javascript=False)
    plain.goto(f"{porch.service.url}/reply/{porch.asked}")
    served = form_words(plain.locator("form.comment-form"))

    assert scripted == served
    assert scripted["submit"] == "Post reply"
    assert "Your reply" in scripted["labels"]
