"""The reader's script sends one Idempotency-Key per comment, in a real browser.

A comment sent again after its answer was lost keeps its key, so the service stores it
once; the next comment gets a new key. The sample blog is built with `pelican` and
served over HTTP, the service runs as `flask run`; only the lost answer is staged, by
letting the request reach the service and dropping the response on its way back.
"""

import re

import pytest
from playwright.sync_api import Page, Route, expect

pytestmark = pytest.mark.browser

SLUG = "hello-porch"


@pytest.fixture(scope="module")
def blog(porch_site):
    # Playwright types faster than people
    return porch_site("porch-retry", slug=SLUG, MIN_FILL_SECONDS="0").publish().start()


def open_form(page: Page, blog):
    with page.expect_response(
        lambda r: r.request.method == "GET" and r.url == blog.api_url + "?page=1"
    ):
        page.goto(blog.article_url)
    return page.locator("#comments > form.comment-form")


def fill(form, body: str) -> None:
    form.get_by_label("Your name").fill("Robin")
    form.get_by_label("Your question or comment").fill(body)


def post(form):
    """Submit; return the script's POST request once the service has answered it."""
    with form.page.expect_response(lambda r: r.request.method == "POST") as answer:
        form.get_by_role("button", name="Post comment").click()
    return answer.value


def bodies_on_the_service(page: Page, blog) -> list[str]:
    comments = page.request.get(blog.api_url).json()["comments"]
    return [comment["html"] for comment in comments]


def test_comment_sent_again_after_a_lost_answer_is_stored_once(blog, page):
    form = open_form(page, blog)
    fill(form, "Is the route planner included in the basic plan?")
    lost_keys = []

    def lose_the_answer(route: Route) -> None:
        if route.request.method != "POST":
            return route.continue_()
        lost_keys.append(route.request.headers["idempotency-key"])
        route.fetch()  # the service gets the comment and stores it...
        route.abort()  # ...but its answer never reaches the page

    page.route(blog.api_url, lose_the_answer)
    form.get_by_role("button", name="Post comment").click()
    expect(form.locator(".form-errors")).to_contain_text("could not be reached")
    page.unroute(blog.api_url)

    answer = post(form)
    assert answer.status == 201
    assert answer.request.headers["idempotency-key"] == lost_keys[0]
    expect(page.locator(f"#comment-{answer.json()['id']}")).to_be_visible()
    stored = bodies_on_the_service(page, blog)
    assert stored.count("<p>Is the route planner included in the basic plan?</p>") == 1

    fill(form, "And can crews share it?")
    assert post(form).request.headers["idempotency-key"] != lost_keys[0]


def test_pages_without_random_uuid_send_a_key_from_random_values(blog, page):
    """crypto.randomUUID exists only on https and localhost pages; a plain-http blog
    elsewhere falls back to crypto.getRandomValues."""
    page.add_init_script(
        "Object.defineProperty(Crypto.prototype, 'randomUUID', {value: undefined})"
    )
    form = open_form(page, blog)
    fill(form, "Does the app work offline?")
    answer = post(form)
    assert answer.status == 201
    assert re.fullmatch(r"[0-9a-f]{32}", answer.request.headers["idempotency-key"])
