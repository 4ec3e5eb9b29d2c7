"""Preview of a staff answer: rendered and sanitised exactly as the published answer, shown
above the box without JavaScript (the draft is kept) and in place with it."""

import json
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from comments_service.extensions import db
from comments_service.models import Comment

from .browser_support import TIMEOUT_MS, post_comment
from .conftest import answer_fields, csrf_token
from .queue_support import unfold

TYPED = (
    "**Yes**, see [the docs](https://porch.test/docs) <script>alert(1)</script>"
    " [x](javascript:alert(1))"
)


def page_of(client, path="/moderation/") -> str:
    return client.get(path).get_data(as_text=True)


def preview_area(page: str, box: str) -> str:
    return re.search(
        rf'<div class="answer-preview" id="{box}-preview".*?</div>\s*<label', page, re.S
    )[0]


def preview(client, comment_id: int, body: str):
    fields = answer_fields(page_of(client), comment_id)
    form = {**fields, "body": body, "into": f"answer-{comment_id}"}
    return client.post(f"/moderation/comments/{comment_id}/preview", data=form)


def comments_in(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Comment))


def published_html(app, parent_id: int) -> str:
    with app.app_context():
        return db.session.scalar(select(Comment.body_html).where(Comment.parent_id == parent_id))


def test_without_javascript_the_preview_shows_above_the_box_as_it_would_be_published(
    client, app, make_staff, make_post, make_comment, login
):
    question = make_comment(make_post("mine"))
    login(make_staff("Ana Lima"))
    answer = preview(client, question.id, TYPED)
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"#answer-{question.id}")
    page = page_of(client)
    area = preview_area(page, f"answer-{question.id}")
    assert "Preview: readers would see" in area
    assert "<script" not in area and "javascript:" not in area
    box = re.search(rf'<textarea id="answer-{question.id}".*?</textarea>', page, re.S)[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in box and "aria-invalid" not in box
    assert comments_in(app) == 1  # nothing published
    shown_again = preview_area(page_of(client), f"answer-{question.id}")
    assert "Preview: readers would see" not in shown_again  # shown once

    fields = answer_fields(page, question.id)
    sent = client.post(f"/moderation/comments/{question.id}/answer", data={**fields, "body": TYPED})
    assert sent.status_code == 303
    published = published_html(app, question.id)
    assert f'<div class="body">{published}</div>' in area


def test_a_preview_of_an_answer_that_would_be_refused_says_why(
    client, make_staff, make_post, make_comment, login
):
    question = make_comment(make_post("mine"))
    login(make_staff("Ana Lima"))
    preview(client, question.id, "<b></b>")
    page = page_of(client)
    assert "Nothing of this answer would show: HTML tags are removed." in page
    assert (
        'aria-invalid="true"' in re.search(rf'<textarea id="answer-{question.id}"[^>]*>', page)[0]
    )


def json_preview(client, body, token: str | None):
    headers = {"X-CSRFToken": token} if token else {}
    return client.post("/moderation/preview", json=body, headers=headers)


def test_the_preview_endpoint_renders_as_a_published_answer(
    client, app, make_staff, make_post, make_comment, login
):
    question = make_comment(make_post("mine"))
    login(make_staff("Ana Lima"))
    token = csrf_token(page_of(client))
    answer = json_preview(client, {"body": TYPED}, token)
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "private, no-store"
    fields = answer_fields(page_of(client), question.id)
    client.post(f"/moderation/comments/{question.id}/answer", data={**fields, "body": TYPED})
    assert answer.get_json() == {"html": published_html(app, question.id), "problems": []}
    blank = json_preview(client, {"body": " "}, token).get_json()
    assert blank == {"html": "", "problems": ["Write an answer first."]}


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ([1, 2], 400, "Send a JSON object"),
        ({"body": 5}, 400, "Send a JSON object"),
        ({"body": "x" * 10_001}, 422, "Please keep answers under 10,000 characters (10,001 now)."),
    ],
)
def test_the_preview_endpoint_refuses_what_is_not_an_answer(
    client, make_staff, login, body, status, message
):
    login(make_staff("Ana Lima"))
    answer = json_preview(client, body, csrf_token(page_of(client)))
    assert answer.status_code == status
    assert message in answer.get_json()["message"]


def test_the_preview_endpoint_needs_the_csrf_token(client, make_staff, login):
    login(make_staff("Ana Lima"))
    refused = json_preview(client, {"body": "Hi"}, None)
    assert refused.status_code == 400
    assert "CSRF" in refused.get_json()["message"]


# In Chromium, with JavaScript

BLOG = "http://blog.test"
PASSWORD = "correct horse battery"
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def service(porch_site):
    porch = porch_site("porch-preview", blog=False, BLOG_URL=BLOG)
    post = {"slug": "hello", "title": "Hello Porch", "path": "/hello/", "authors": ["Ana Lima"]}
    paging = {"per_page": 50, "page_url": "comments/{number}/"}
    porch.manifest.write_text(json.dumps({"version": 2, "comments": paging, "posts": [post]}))
    porch.add_author("Ana Lima", "ana@porch.test", PASSWORD)
    porch.sync_posts()
    return porch.start().service


@pytest.mark.browser
def test_with_javascript_the_preview_shows_in_place(page, service):
    post_comment(service.url, "hello", BLOG, author_name="Priya", body="Does it work offline?")
    page.goto(f"{service.url}/auth/login")
    page.get_by_label("Email", exact=True).fill("ana@porch.test")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    item = page.locator("article.item").filter(has_text="Does it work offline?")
    unfold(item, "Answer")
    item.get_by_label("Your answer to Priya (Markdown)").fill("It **does**, <script>x</script>")
    url = page.url
    item.get_by_role("button", name="Preview").click()
    shown = item.locator(".answer-preview")
    expect(shown.locator("strong")).to_have_text("does")
    expect(shown).to_contain_text("Preview: readers would see")
    assert shown.locator("script").count() == 0
    assert page.url == url
    page.screenshot(path="test-artifacts/answer-preview-js.png", full_page=True)


def test_only_staff_pages_load_the_answer_boxes_script(client, make_staff, login):
    """Staff pages may run the service's own files, and nothing inline; readers' pages none."""
    assert "script-src 'none'" in client.get("/privacy/request").headers["Content-Security-Policy"]
    login(make_staff("Ana Lima"))
    page = client.get("/moderation/")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in page.headers["Content-Security-Policy"]
    assert '<script src="/static/answer-tools.js" defer></script>' in page.get_data(as_text=True)
    assert "<script>" not in client.get("/auth/settings").get_data(as_text=True)
