"""Moderation with the keyboard alone, as on WordPress's Comments screen: j and k move, r
answers, a approves, s marks spam, d deletes, u undoes, x selects, ? shows the keys. Real
Chromium; no mouse. Each test posts its own readers and picks them with a search."""

import pytest
from playwright.sync_api import Page, expect

from .browser_support import TIMEOUT_MS
from .queue_support import comment, held_comment, sign_in, start_queue
from .test_end_to_end import screenshot

pytestmark = pytest.mark.browser

expect.set_options(timeout=TIMEOUT_MS)
SCREEN = {"width": 1280, "height": 800}
POST = "job-card-redesign"


@pytest.fixture(scope="module")
def porch(porch_site):
    return start_queue(porch_site, "porch-shortcuts")


def open_queue(open_page, porch, path: str) -> Page:
    page = open_page(viewport=SCREEN)
    sign_in(page, porch, path)
    expect(shortcuts_button(page)).to_be_visible()  # the script has run
    return page


def shortcuts_button(page: Page):
    return page.get_by_role("button", name="Keyboard shortcuts (?)")


def news(page: Page):
    """The live region the shortcuts speak through."""
    return page.locator("#shortcut-news")


def current(page: Page):
    return page.locator("article.card[data-current]")


def test_j_and_k_move_between_comments_and_say_which(open_page, porch):
    ids = [comment(porch, f"Mover {n}", POST, f"Mover comment number {n}.") for n in (1, 2, 3)]
    page = open_queue(open_page, porch, "/moderation/?q=Mover")
    expect(page.locator("article.card")).to_have_count(3)

    page.keyboard.press("j")
    expect(current(page)).to_have_id(f"comment-{ids[0]}")
    expect(page.locator(f"#comment-{ids[0]}")).to_be_focused()
    expect(news(page)).to_have_text("Comment 1 of 3: Mover 1 on The new job card")
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(current(page)).to_have_id(f"comment-{ids[2]}")
    expect(news(page)).to_have_text("Comment 3 of 3: Mover 3 on The new job card")
    page.keyboard.press("k")
    expect(current(page)).to_have_id(f"comment-{ids[1]}")
    expect(current(page)).to_have_count(1)
    expect(news(page)).to_have_text("Comment 2 of 3: Mover 2 on The new job card")
    screenshot(page, "cards-shortcut-current.png")


def test_r_opens_the_answer_box_and_ctrl_enter_publishes(open_page, porch):
    comment(porch, "Answer Me", POST, "Can the job card show the gate code?")
    page = open_queue(open_page, porch, "/moderation/?q=Answer+Me")
    box = page.get_by_label("Your answer to Answer Me (Markdown)")
    expect(box).to_be_hidden()
    page.keyboard.press("j")
    page.keyboard.press("r")
    expect(box).to_be_focused()
    page.keyboard.type("Yes, under Access. And a question: does it approve?")
    expect(page.locator("article.card[data-current]")).to_have_count(1)
    expect(page.locator(".flash")).to_have_count(0)  # typing "a" in the box approves nothing
    page.keyboard.press("Control+Enter")
    expect(page.locator(".flash--success")).to_have_text("Your answer to Answer Me is published.")


def test_r_then_tab_to_the_button_and_enter_publishes(open_page, porch):
    comment(porch, "Tab Reader", POST, "Is there a dark mode for the card?")
    page = open_queue(open_page, porch, "/moderation/?q=Tab+Reader")
    page.keyboard.press("j")
    page.keyboard.press("r")
    page.keyboard.type("Not yet; it is planned.")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Publish answer")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".flash--success")).to_have_text("Your answer to Tab Reader is published.")


def test_a_approves_a_held_comment(open_page, porch):
    held_id = held_comment(porch, "Held Harriet")
    page = open_queue(open_page, porch, "/moderation/?view=held&q=Held+Harriet")
    page.keyboard.press("j")
    page.keyboard.press("a")
    expect(page.locator(".flash--success")).to_have_text("Comment by Held Harriet approved.")
    expect(page.locator(f"#comment-{held_id}")).to_have_count(0)
    page.keyboard.press("u")  # approving offers no undo
    expect(news(page)).to_have_text("There is nothing to undo.")


def test_a_on_a_comment_that_is_not_held_approves_nothing(open_page, porch):
    comment(porch, "Published Pat", POST, "Already on the blog.")
    page = open_queue(open_page, porch, "/moderation/?q=Published+Pat")
    page.keyboard.press("j")
    page.keyboard.press("a")
    expect(news(page)).to_have_text("Approve is not offered for this comment.")
    expect(page.locator(".flash")).to_have_count(0)


def test_s_marks_spam_the_next_comment_is_chosen_and_u_undoes(open_page, porch):
    spam_id = comment(porch, "Spammy Sue", POST, "Cheap watches, visit now.")
    next_id = comment(porch, "Spammy Follower", POST, "A real question after the spam.")
    page = open_queue(open_page, porch, "/moderation/?q=Spammy")
    page.keyboard.press("j")
    page.keyboard.press("s")
    expect(page.locator(".flash--success")).to_have_text("Comment by Spammy Sue marked as spam.")
    expect(page.locator(f"#comment-{spam_id}")).to_have_count(0)
    expect(current(page)).to_have_id(f"comment-{next_id}")
    expect(news(page)).to_have_text(
        "Comment by Spammy Sue marked as spam. Comment 1 of 1: Spammy Follower on The new job card"
    )
    page.keyboard.press("u")
    expect(page.locator(".flash--success")).to_have_text("Comment by Spammy Sue taken out of spam.")
    expect(page.locator(f"#comment-{spam_id}")).to_have_count(1)


def test_d_deletes_and_x_selects(open_page, porch):
    gone_id = comment(porch, "Delete Dora", POST, "Please remove my comment.")
    kept_id = comment(porch, "Select Sid", POST, "Pick me for a bulk action.")
    page = open_queue(open_page, porch, "/moderation/?q=Dora")
    page.keyboard.press("j")
    page.keyboard.press("d")
    expect(page.locator(".flash--success")).to_have_text("Comment by Delete Dora deleted.")
    expect(page.locator(f"#comment-{gone_id}")).to_have_count(0)

    page.goto(f"{porch.service.url}/moderation/?q=Select+Sid")
    expect(shortcuts_button(page)).to_be_visible()
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.get_by_label("Select the comment by Select Sid")).to_be_checked()
    expect(news(page)).to_have_text("Selected")
    page.keyboard.press("x")
    expect(page.get_by_label("Select the comment by Select Sid")).not_to_be_checked()
    expect(page.locator(f"#comment-{kept_id}")).to_have_count(1)


def test_question_mark_shows_the_keys_and_escape_closes_them(open_page, porch):
    page = open_queue(open_page, porch, "/moderation/")
    help = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help).to_be_hidden()
    page.keyboard.press("?")
    expect(help).to_be_visible()
    expect(help).to_contain_text("Mark as spam")
    page.keyboard.press("j")  # shortcuts rest while the help is open
    expect(current(page)).to_have_count(0)
    screenshot(page, "cards-shortcut-help.png")
    page.keyboard.press("Escape")
    expect(help).to_be_hidden()


def test_shortcuts_rest_in_fields_and_with_modifier_keys(open_page, porch):
    comment(porch, "Quiet Quinn", POST, "Nothing should happen to me.")
    page = open_queue(open_page, porch, "/moderation/?q=Quiet+Quinn")
    page.keyboard.press("Control+j")
    page.keyboard.press("Alt+j")
    expect(current(page)).to_have_count(0)
    page.keyboard.press("j")
    page.keyboard.press("r")
    page.keyboard.type("s d a u x")
    expect(page.locator(".flash")).to_have_count(0)
    expect(page.get_by_label("Select the comment by Quiet Quinn")).not_to_be_checked()
    expect(page.get_by_label("Your answer to Quiet Quinn (Markdown)")).to_have_value("s d a u x")


def test_escape_folds_the_answer_box_away_and_j_goes_on(open_page, porch):
    first = comment(porch, "Escaping Eve", POST, "First of two.")
    second = comment(porch, "Escaping Ed", POST, "Second of two.")
    page = open_queue(open_page, porch, "/moderation/?q=Escaping")
    page.keyboard.press("j")
    page.keyboard.press("r")
    page.keyboard.type("Half a thought")
    page.keyboard.press("Escape")
    expect(page.get_by_label("Your answer to Escaping Eve (Markdown)")).to_be_hidden()
    expect(page.locator(f"#comment-{first}")).to_be_focused()
    page.keyboard.press("j")
    expect(current(page)).to_have_id(f"comment-{second}")
    page.keyboard.press("k")
    page.keyboard.press("r")
    expect(page.get_by_label("Your answer to Escaping Eve (Markdown)")).to_have_value(
        "Half a thought"
    )
