"""Saved replies: each person's own, shared by admins, kept on a page and inserted into an
answer box, without JavaScript (the service puts the draft back) and with it (at the cursor)."""

import json
import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from comments_service.extensions import db
from comments_service.models import Comment, Role, SavedReply

from .browser_support import TIMEOUT_MS, post_comment
from .conftest import answer_fields, csrf_token
from .queue_support import unfold

THANKS = "Thanks for asking! Offline mode keeps **everything** you opened."


def page_of(client, path="/moderation/saved-replies") -> str:
    return client.get(path).get_data(as_text=True)


def add(client, **fields):
    token = csrf_token(page_of(client))
    return client.post("/moderation/saved-replies", data={**fields, "csrf_token": token})


def replies(app) -> list[tuple[str, str, bool]]:
    with app.app_context():
        rows = db.session.scalars(select(SavedReply).order_by(SavedReply.id))
        return [(reply.owner.name, reply.title, reply.shared) for reply in rows]


def reply_id(app, title: str) -> int:
    with app.app_context():
        return db.session.scalar(select(SavedReply.id).where(SavedReply.title == title))


def box_of(page: str, box: str) -> str:
    return re.search(rf'<textarea id="{box}".*?</textarea>', page, re.S).group(0)


def picker_of(page: str, comment_id: int) -> str:
    found = re.search(rf'<select id="answer-{comment_id}-saved".*?</select>', page, re.S)
    return found.group(0) if found else ""


def test_settings_lead_to_the_saved_replies_page(client, make_staff, login):
    login(make_staff("Ana Lima"))
    assert 'href="/moderation/saved-replies"' in page_of(client, "/auth/settings")
    assert "You have no saved replies of your own yet." in page_of(client)


def test_a_saved_reply_is_its_owners_alone(client, app, make_staff, make_post, make_comment, login):
    question = make_comment(make_post("ours", authors=("Ana Lima", "Ben Okafor")))
    ana, ben = make_staff("Ana Lima"), make_staff("Ben Okafor")
    login(ana)
    assert add(client, title="Offline", body=THANKS).status_code == 303
    assert replies(app) == [("Ana Lima", "Offline", False)]
    assert "Offline mode keeps <strong>everything</strong>" in page_of(client)
    option = f'<option value="{reply_id(app, "Offline")}">Offline</option>'
    assert option in picker_of(page_of(client, "/moderation/"), question.id)
    login(ben)
    assert "Offline" not in page_of(client)
    assert picker_of(page_of(client, "/moderation/"), question.id) == ""
    assert client.get("/moderation/saved-replies/texts").get_json() == {"replies": {}}


def test_an_admin_shares_a_reply_with_everyone_and_only_admins_may(
    client, app, make_staff, make_post, make_comment, login
):
    question = make_comment(make_post("mine"))
    ana, root = make_staff("Ana Lima"), make_staff("Root", role=Role.ADMIN)
    login(ana)
    assert "Share with everyone" not in page_of(client)
    assert add(client, title="Mine", body="Hello.", shared="y").status_code == 403
    assert replies(app) == []
    login(root)
    assert add(client, title="Welcome", body="Welcome to the blog!", shared="y").status_code == 303
    shared = reply_id(app, "Welcome")
    login(ana)
    picker = picker_of(page_of(client, "/moderation/"), question.id)
    assert f'<optgroup label="Shared with everyone">\n      <option value="{shared}">' in picker
    texts = client.get("/moderation/saved-replies/texts").get_json()
    assert texts == {"replies": {str(shared): "Welcome to the blog!"}}
    token = csrf_token(page_of(client))
    changed = {"title": "Mine now", "body": "Changed.", "csrf_token": token}
    assert client.post(f"/moderation/saved-replies/{shared}", data=changed).status_code == 403
    deleted = client.post(f"/moderation/saved-replies/{shared}/delete", data={"csrf_token": token})
    assert deleted.status_code == 403
    assert replies(app) == [("Root", "Welcome", True)]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "", "body": THANKS}, "Give the saved reply a title"),
        ({"title": "Offline", "body": "  "}, "Write the text of the saved reply."),
        ({"title": "x" * 81, "body": THANKS}, "Please keep the title under 80 characters."),
        ({"title": "Long", "body": "x" * 10_001}, "Please keep saved replies under 10,000"),
    ],
)
def test_a_refused_saved_reply_says_why_and_keeps_what_was_typed(
    client, app, make_staff, login, fields, message
):
    login(make_staff("Ana Lima"))
    answer = add(client, **fields)
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert message in page
    assert f'value="{fields["title"]}"' in page
    assert 'aria-invalid="true"' in page
    assert replies(app) == []


def test_the_owner_changes_and_deletes_a_saved_reply(client, app, make_staff, login):
    login(make_staff("Ana Lima"))
    add(client, title="Offline", body=THANKS)
    number = reply_id(app, "Offline")
    token = csrf_token(page_of(client))
    refused = client.post(
        f"/moderation/saved-replies/{number}",
        data={"title": "Offline too", "body": "", "csrf_token": token},
    )
    assert refused.status_code == 422
    assert "<details open>" in refused.get_data(as_text=True)
    assert 'value="Offline too"' in refused.get_data(as_text=True)
    changed = {"title": "Offline mode", "body": "It works offline.", "csrf_token": token}
    assert client.post(f"/moderation/saved-replies/{number}", data=changed).status_code == 303
    assert replies(app) == [("Ana Lima", "Offline mode", False)]
    gone = client.post(f"/moderation/saved-replies/{number}/delete", data={"csrf_token": token})
    assert gone.status_code == 303
    assert replies(app) == []


def test_saved_reply_forms_need_their_csrf_token(client, app, make_staff, login):
    login(make_staff("Ana Lima"))
    answer = client.post("/moderation/saved-replies", data={"title": "T", "body": "B"})
    assert answer.status_code == 400
    assert replies(app) == []


def insert(client, comment_id: int, body: str, saved: int | str, box: str | None = None):
    fields = answer_fields(page_of(client, "/moderation/"), comment_id)
    box = box or f"answer-{comment_id}"
    form = {**fields, "body": body, "saved_reply": saved, "into": box}
    return client.post(f"/moderation/comments/{comment_id}/insert-reply?view=waiting", data=form)


def test_without_javascript_insert_puts_the_reply_after_the_typed_text(
    client, app, make_staff, make_post, make_comment, login
):
    question = make_comment(make_post("mine"), name="Jo")
    login(make_staff("Ana Lima"))
    add(client, title="Offline", body=THANKS)
    answer = insert(client, question.id, "Hi Jo,  ", reply_id(app, "Offline"))
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"/moderation/?view=waiting#answer-{question.id}"
    page = page_of(client, "/moderation/?view=waiting")
    box = box_of(page, f"answer-{question.id}")
    assert f">Hi Jo,\n\n{THANKS}</textarea>" in box
    assert "aria-invalid" not in box
    assert "“Offline” is in the box: read it over before you publish." in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 1  # nothing sent


def test_inserting_a_reply_one_may_not_use_keeps_the_text_and_says_why(
    client, app, make_staff, make_post, make_comment, login
):
    question = make_comment(make_post("ours", authors=("Ana Lima", "Ben Okafor")))
    ana, ben = make_staff("Ana Lima"), make_staff("Ben Okafor")
    login(ben)
    add(client, title="Bens", body="Ben's own words.")
    login(ana)
    answer = insert(client, question.id, "Typed first.", reply_id(app, "Bens"))
    assert answer.status_code == 303
    page = page_of(client, "/moderation/?view=waiting")
    assert ">Typed first.</textarea>" in box_of(page, f"answer-{question.id}")
    assert "Choose one of your saved replies to insert." in page
    assert "Ben&#39;s own words." not in page
    wrong_box = insert(client, question.id, "Typed.", reply_id(app, "Bens"), box="answer-999")
    assert wrong_box.status_code == 400


# In Chromium: the same page with and without JavaScript

expect.set_options(timeout=TIMEOUT_MS)
BLOG = "http://blog.test"
PAGING = {"per_page": 50, "page_url": "comments/{number}/"}
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def service(porch_site):
    """The service with Ana's post, her account and one saved reply of hers, serving."""
    porch = porch_site("porch-saved-replies", blog=False, BLOG_URL=BLOG)
    post = {"slug": "hello", "title": "Hello Porch", "path": "/hello/", "authors": ["Ana Lima"]}
    porch.manifest.write_text(json.dumps({"version": 2, "comments": PAGING, "posts": [post]}))
    porch.add_author("Ana Lima", "ana@porch.test", PASSWORD)
    porch.sync_posts()
    return porch.start().service


def signed_in(open_page, service, javascript: bool) -> Page:
    page = open_page(javascript=javascript)
    page.goto(f"{service.url}/auth/login")
    page.get_by_label("Email", exact=True).fill("ana@porch.test")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Views")).to_be_visible()
    return page


def keep_a_reply(page: Page, service, title: str, text: str) -> None:
    page.goto(f"{service.url}/moderation/saved-replies")
    adding = page.get_by_role("region", name="Add a saved reply")
    adding.get_by_label("Title").fill(title)
    adding.get_by_label("Text (Markdown)").fill(text)
    adding.get_by_role("button", name="Add saved reply").click()
    expect(page.locator(".flash--success")).to_have_text(f"Saved reply “{title}” added.")
    page.screenshot(path="test-artifacts/saved-replies-page.png", full_page=True)
    page.goto(f"{service.url}/moderation/")


@pytest.mark.browser
def test_with_javascript_a_saved_reply_goes_in_at_the_cursor(open_page, service):
    post_comment(service.url, "hello", BLOG, author_name="Priya", body="Does it work offline?")
    page = signed_in(open_page, service, javascript=True)
    keep_a_reply(page, service, "Offline, with JS", "it *does*")
    item = page.locator("article.item").filter(has_text="Does it work offline?")
    unfold(item, "Answer")
    box = item.get_by_label("Your answer to Priya (Markdown)")
    box.fill("Hi Priya, yes: !")
    box.evaluate("box => box.setSelectionRange(15, 15)")  # just before the "!"
    item.get_by_label("Saved reply").select_option(label="Offline, with JS")
    url = page.url
    item.get_by_role("button", name="Insert the saved reply").click()
    expect(box).to_have_value("Hi Priya, yes: it *does*!")
    assert page.url == url  # no reload
    expect(box).to_be_focused()
    page.screenshot(path="test-artifacts/saved-reply-inserted-js.png", full_page=True)
    item.get_by_role("button", name="Publish answer").click()
    expect(page.locator(".flash--success")).to_have_text("Your answer to Priya is published.")


@pytest.mark.browser
def test_without_javascript_a_saved_reply_comes_back_in_the_box(open_page, service):
    post_comment(service.url, "hello", BLOG, author_name="Sam", body="Is there a dark mode?")
    page = signed_in(open_page, service, javascript=False)
    keep_a_reply(page, service, "Dark mode, no JS", "Yes, it follows your system.")
    item = page.locator("article.item").filter(has_text="Is there a dark mode?")
    unfold(item, "Answer")
    item.get_by_label("Your answer to Sam (Markdown)").fill("Hi Sam,")
    item.get_by_label("Saved reply").select_option(label="Dark mode, no JS")
    item.get_by_role("button", name="Insert the saved reply").click()
    item = page.locator("article.item").filter(has_text="Is there a dark mode?")
    box = item.get_by_label("Your answer to Sam (Markdown)")
    expect(box).to_have_value("Hi Sam,\n\nYes, it follows your system.")
    assert page.url.endswith(f"#{box.get_attribute('id')}")
    page.screenshot(path="test-artifacts/saved-reply-inserted-no-js.png", full_page=True)
    item.get_by_role("button", name="Publish answer").click()
    expect(page.locator(".flash--success")).to_have_text("Your answer to Sam is published.")
