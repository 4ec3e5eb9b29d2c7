"""Every staff page on a phone, in real Chromium emulating one (touch, mobile viewport):
at 375 px (and 320 px for the queue), light and dark, the page is no wider than the
screen, every control is a 44 by 44 px target, and an answer is published by tapping.

A page wider than the phone's screen is not merely ugly: the mobile browser zooms the
whole page out to fit it, every target shrinks with it, and taps land on the wrong spot
(the cause of a "Publish answer" tap that never completed). So the width is measured
with the mobile viewport on, where it shows as a layout viewport wider than the screen.

The service runs as `flask run` on its own SQLite file, with accounts made by the
`flask` CLI; the comments are written to its database directly, one in every state,
with long words, addresses and links, a deep thread, a private answer and a follow-up.
"""

import re
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import Locator, Page, expect

from comments_service.enums import CommentStatus, FollowUp, PrivateChannel
from comments_service.extensions import db
from comments_service.models import Comment, Post, PostAuthor, Staff
from comments_service.services.comments.answers import record_answer
from comments_service.services.moderation import decisions

from .browser_support import TIMEOUT_MS
from .porch_support import service_database
from .test_end_to_end import AUTHOR, AUTHOR_EMAIL, AUTHOR_PASSWORD, screenshot

pytestmark = pytest.mark.browser

expect.set_options(timeout=TIMEOUT_MS)
BLOG_NAME = "Lanternworks Field Notes"
COLLEAGUE, COLLEAGUE_EMAIL = "Bo Stein", "bo@porch.test"
TAPPER = "Tapping Tess"
ANSWER = "Yes: the photos wait on the phone and upload once it has signal."
LONG_WORD = "Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichen" * 2
LONG_LINK = "https://example.com/" + "/".join(["a-rather-long-path-segment"] * 6)
LONG_EMAIL = "a.reader.with.a.remarkably.long.address@subdomain.example-company.org"
TARGET_PX = 44
PHONE = {"has_touch": True, "is_mobile": True}
VIEWS = ("waiting", "escalated", "held", "spam", "removed", "answered", "all")


def body(name: str) -> str:
    return (
        f'<p>{name} asks about <a href="{LONG_LINK}" rel="nofollow ugc">{LONG_LINK}</a>'
        f" and the {LONG_WORD}.</p>"
    )


def seed(database_url: str) -> dict[str, int]:
    """One comment in every state on a post with a long title; their ids by name."""
    with service_database(database_url):
        ana = db.session.scalar(db.select(Staff).where(Staff.name == AUTHOR))
        post = Post(
            slug="phone",
            title="What your crew sees when the signal drops: offline mode, explained",
            path="/2026/11/phone/",
        )
        post.authors = [PostAuthor(name=AUTHOR, position=0)]
        now = datetime.now(UTC)

        def comment(name, hours_ago, status=CommentStatus.APPROVED, **fields) -> Comment:
            at = now - timedelta(hours=hours_ago)
            made = Comment(
                post=post,
                author_name=name,
                body_markdown=name,
                body_html=body(name),
                status=status,
                created_at=at,
                published_at=at if status == CommentStatus.APPROVED else None,
                author_email=f"{name.split()[0].lower()}.{LONG_EMAIL}",
                **fields,
            )
            db.session.add(made)
            db.session.flush()
            return made

        made = {
            TAPPER: comment(TAPPER, 2, author_website=LONG_LINK, kind="question"),
            "Escalated Eli": comment("Escalated Eli", 5 * 24),
            "Held Hana": comment("Held Hana", 3, CommentStatus.PENDING),
            "Spam Sid": comment("Spam Sid", 4),
            "Removed Rae": comment("Removed Rae", 5),
            "Answered Ada": comment("Answered Ada", 30, kind="idea"),
        }
        decisions.mark_spam(made["Spam Sid"], ana)
        decisions.delete(made["Removed Rae"], ana, "Off topic")
        answered = made["Answered Ada"]
        answered.private_answered_at, answered.private_answered_by = now, ana
        answered.private_channel, answered.private_note = PrivateChannel.PHONE, LONG_WORD
        answered.follow_up, answered.follow_up_team = FollowUp.ACTED_ON, "Mobile"
        answered.follow_up_note, answered.follow_up_at = "Shipped in 4.2", now
        parent = answered
        for depth in range(1, 8):  # a thread deeper than the page indents
            staff = ana if depth == 1 else None
            reply = comment(
                AUTHOR if staff else f"Deep Reader {depth}", 29 - depth, parent=parent, staff=staff
            )
            if staff:
                record_answer(reply)
            parent = reply
        db.session.commit()
        return {name: each.id for name, each in made.items()}


@pytest.fixture(scope="module")
def porch(porch_site):
    porch = porch_site("porch-phone", blog=False, BLOG_URL="http://blog.test", BLOG_NAME=BLOG_NAME)
    porch.add_author(AUTHOR, AUTHOR_EMAIL, AUTHOR_PASSWORD, role="admin")
    porch.add_author(COLLEAGUE, COLLEAGUE_EMAIL, AUTHOR_PASSWORD)
    ids = seed(porch.database_url)
    porch.start()
    return SimpleNamespace(url=porch.service.url, database_url=porch.database_url, ids=ids)


@pytest.fixture
def phone(open_page):
    """Open a page as a phone of this width and colour scheme would (touch, mobile viewport)."""

    def open_(width: int = 375, scheme: str = "light", javascript: bool = True, **options):
        viewport = {"width": width, "height": 812}
        return open_page(javascript, viewport=viewport, color_scheme=scheme, **PHONE, **options)

    return open_


def sign_in(page: Page, url: str) -> None:
    """Sign in the way a phone does: tap the fields, type, tap the button."""
    page.goto(f"{url}/auth/login")
    for label, text in (("Email", AUTHOR_EMAIL), ("Password", AUTHOR_PASSWORD)):
        page.get_by_label(label, exact=True).tap()
        page.keyboard.type(text)
    page.get_by_role("button", name="Sign in").tap()
    expect(page.get_by_role("navigation", name="Views")).to_be_visible()


def staff_pages(porch, page: Page) -> dict[str, str]:
    """Every staff page a signed-in admin reaches, by a short name for screenshots."""
    today = date.today()
    since, until = today - timedelta(days=31), today + timedelta(days=1)
    pages = {f"queue-{view}": f"/moderation/?view={view}" for view in VIEWS}
    pages |= {
        "thread": f"/moderation/comments/{porch.ids['Answered Ada']}/thread",
        "figures": "/moderation/figures",
        "report": f"/moderation/report?since={since}&until={until}",
        "readers": "/moderation/readers",
        "settings": "/auth/settings",
        "saved-replies": "/moderation/saved-replies",
        "blocklist": "/moderation/blocklist",
        "empty-spam": "/moderation/spam/empty",
        "not-found": "/moderation/comments/999999/thread",
    }
    page.goto(f"{porch.url}/moderation/readers")
    pages["reader"] = page.get_by_role("link", name="Answered Ada").get_attribute("href")
    return pages


# Opens every fold (the controls inside count too), then measures the page.
MEASURE = """([target, screenWidth]) => {
  for (const fold of document.querySelectorAll("details")) fold.open = true;
  const name = (el) => `${el.tagName.toLowerCase()} "${(el.textContent || el.value || el.id)
    .trim().replace(/\\s+/g, " ").slice(0, 40)}"`;
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    return el.checkVisibility({visibilityProperty: true}) && box.width > 1 && box.height > 1
      && box.right > 0 && box.bottom > 0;
  };
  // WCAG 2.5.8: a link inside running text is sized by the text's lines, and exempt.
  const inRunningText = (el) => el.tagName === "A" && getComputedStyle(el).display === "inline"
    && [...el.parentElement.childNodes].some((n) => n !== el && n.textContent.trim());
  const checkable = "input[type=checkbox], input[type=radio]";
  const controls = [...document.querySelectorAll(
    `a[href], button, summary, select, textarea, input:not([type=hidden]):not(${checkable})`)];
  const labels = [...document.querySelectorAll(checkable)].flatMap((box) => [...box.labels]);
  const small = [...controls, ...labels]
    .filter((el) => shown(el) && !inRunningText(el))
    .map((el) => [el, el.getBoundingClientRect()])
    .filter(([, box]) => box.width < target - 0.01 || box.height < target - 0.01)
    .map(([el, box]) => `${name(el)} ${Math.round(box.width)}x${Math.round(box.height)}`);
  const wide = [...document.querySelectorAll("main *, header *")]
    .filter((el) => shown(el) && el.getBoundingClientRect().right > screenWidth + 0.5)
    .filter((el) => !el.closest(".table-scroll"))
    .map(name).slice(0, 5);
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
    small, wide};
}"""


def problems(page: Page, width: int) -> list[str]:
    """What is wrong with the page on this phone, in words; empty when nothing is."""
    found = page.evaluate(MEASURE, [TARGET_PX, width])
    wrong = []
    if found["innerWidth"] != width or found["scrollWidth"] > width:
        wrong.append(
            f"{found['scrollWidth']} px wide on a {width} px screen (viewport "
            f"{found['innerWidth']} px), overflowing: {found['wide']}"
        )
    if found["small"]:
        wrong.append(f"targets under {TARGET_PX} px: {found['small']}")
    return wrong


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_staff_page_fits_a_375_px_phone_with_finger_sized_targets(porch, phone, scheme):
    page = phone(375, scheme)
    sign_in(page, porch.url)
    wrong = {}
    for name, path in staff_pages(porch, page).items():
        page.goto(porch.url + path)
        expect(page.locator("main h1")).to_be_visible()
        screenshot(page, f"phone-{name}-375-{scheme}.png")
        wrong[name] = problems(page, 375)
    signed_out = phone(375, scheme)
    signed_out.goto(f"{porch.url}/auth/login")
    screenshot(signed_out, f"phone-sign-in-375-{scheme}.png")
    wrong["sign-in"] = problems(signed_out, 375)
    signed_out.goto(f"{porch.url}/no/such/page")
    wrong["not-found-signed-out"] = problems(signed_out, 375)
    assert {name: found for name, found in wrong.items() if found} == {}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_tab_of_the_queue_fits_a_320_px_phone(porch, phone, scheme):
    page = phone(320, scheme)
    sign_in(page, porch.url)
    wrong = {}
    for view in VIEWS:
        page.goto(f"{porch.url}/moderation/?view={view}")
        expect(page.get_by_role("navigation", name="Views")).to_be_visible()
        screenshot(page, f"phone-queue-{view}-320-{scheme}.png")
        wrong[view] = problems(page, 320)
    assert {view: found for view, found in wrong.items() if found} == {}


def test_the_top_bar_reaches_every_page_on_a_phone_without_javascript(porch, phone):
    """Readers, Settings and Sign out were off-screen at 375 px: each is now a tap away."""
    page = phone(320, javascript=False)
    sign_in(page, porch.url)
    for link, heading in (
        ("Readers", "Readers"),
        ("Settings", "Email settings"),
        ("Answer times", "Answer times"),
        ("Report", "What readers told us"),
    ):
        within_screen(
            page.get_by_role("navigation", name="Moderation")
            .or_(page.get_by_role("navigation", name="Account"))
            .get_by_role("link", name=link),
            320,
        )
        page.get_by_role("link", name=link, exact=True).tap()
        expect(page.get_by_role("heading", level=1, name=re.compile(heading))).to_be_visible()
    sign_out = page.get_by_role("button", name="Sign out")
    within_screen(sign_out, 320)
    sign_out.tap()
    expect(
        page.get_by_role("heading", name=f"Sign in to answer the readers of {BLOG_NAME}")
    ).to_be_visible()
    expect(page).to_have_title(f"Sign in · {BLOG_NAME}")


def within_screen(target: Locator, width: int) -> None:
    box = target.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, box


def test_an_answer_is_published_by_tapping_on_a_375_px_phone(porch, phone):
    page = phone(375)
    sign_in(page, porch.url)
    # Folded under "Answer", the box is hidden: found with hidden ones, then revealed.
    box = page.get_by_role(
        "textbox", name=re.compile(f"^Your answer to {TAPPER}"), include_hidden=True
    )
    reveal(box)
    box.tap()
    expect(box).to_be_focused()
    assert float(box.evaluate("el => getComputedStyle(el).fontSize")[:-2]) >= 16  # no iOS zoom
    assert box.evaluate(UNCOVERED), "something is drawn over the answer box"
    page.keyboard.type(ANSWER)
    publish = box.locator("xpath=ancestor::form").get_by_role("button", name="Publish answer")
    publish.tap()
    published = f"Your answer to {TAPPER} is published."
    expect(page.get_by_role("status").filter(has_text=published)).to_be_visible()
    screenshot(page, "phone-answered-by-tapping.png")
    assert answers_to(porch, porch.ids[TAPPER]) == [ANSWER]
    page.goto(f"{porch.url}/moderation/?view=answered")
    expect(page.locator("main")).to_contain_text(f"{TAPPER} asks about")


# The box's corners and middle are the box itself: no bar or banner lies on top of it.
UNCOVERED = """(box) => {
  const r = box.getBoundingClientRect();
  const points = [[r.left + 4, r.top + 4], [r.right - 4, r.top + 4],
    [(r.left + r.right) / 2, (r.top + r.bottom) / 2], [r.left + 4, r.bottom - 4]];
  return r.top >= 0 && r.bottom <= window.innerHeight
    && points.every(([x, y]) => document.elementFromPoint(x, y) === box);
}"""


def reveal(box: Locator) -> None:
    """Open the fold the answer box sits in, if it sits in a closed one, by tapping it."""
    fold = box.locator("xpath=ancestor::details[not(@open)][1]/summary")
    if fold.count():
        fold.tap()
    expect(box).to_be_visible()


def answers_to(porch, comment_id: int) -> list[str]:
    with service_database(porch.database_url):
        return list(
            db.session.scalars(
                db.select(Comment.body_markdown).where(
                    Comment.parent_id == comment_id, Comment.staff_id.is_not(None)
                )
            )
        )


def new_feed_address(page: Page, porch) -> Locator:
    page.goto(f"{porch.url}/auth/settings")
    page.get_by_role("button", name="Make a new address").tap()
    expect(page.get_by_role("status").filter(has_text="Your new feed address")).to_be_visible()
    return page.get_by_label("Your feed address")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_private_feed_address_is_shown_whole_and_copied_with_one_tap(porch, phone, scheme):
    page = phone(320, scheme, permissions=["clipboard-read", "clipboard-write"])
    sign_in(page, porch.url)
    address = new_feed_address(page, porch)
    value = address.input_value()
    assert re.fullmatch(rf"{re.escape(porch.url)}/feeds/\S+", value), value
    assert address.evaluate("el => el.scrollHeight <= el.clientHeight"), "the address is cut"
    assert address.evaluate("el => el.scrollWidth <= el.clientWidth"), "the address is cut"
    assert problems(page, 320) == []
    screenshot(page, f"phone-settings-feed-320-{scheme}.png")

    address.tap()
    assert address.evaluate("el => [el.selectionStart, el.selectionEnd]") == [0, len(value)]
    page.get_by_role("button", name="Copy the address").tap()
    expect(page.locator("#feed-url-copied")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == value


def test_without_javascript_the_feed_address_is_still_selectable(porch, phone):
    page = phone(375, javascript=False)
    sign_in(page, porch.url)
    address = new_feed_address(page, porch)
    expect(page.get_by_role("button", name="Copy the address")).to_be_hidden()
    expect(address).not_to_be_editable()
    address.focus()
    page.keyboard.press("Control+A")
    assert address.evaluate("el => el.value.slice(el.selectionStart, el.selectionEnd)") == (
        address.input_value()
    )


def test_only_staff_pages_may_run_the_services_own_scripts(porch, phone):
    page = phone(375)
    for path, scripts in (("/auth/login", "'self'"), ("/privacy/request", "'none'")):
        policy = page.goto(porch.url + path).headers["content-security-policy"]
        assert f"script-src {scripts};" in policy, (path, policy)
