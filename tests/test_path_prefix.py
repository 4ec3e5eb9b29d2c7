"""The service under the blog's own origin: nginx passes /porch/ to it with X-Forwarded-*.

The proxy strips the prefix and says so in X-Forwarded-Prefix; every link, form and
redirect the service writes must lead back under it.
"""

import re

import pytest

from .conftest import BLOG_URL, PASSWORD, csrf_token

PROXY = {
    "X-Forwarded-For": "198.51.100.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "blog.example.com",
    "X-Forwarded-Prefix": "/porch",
}
PUBLIC_URL = "https://blog.example.com/porch"
# Over HTTPS, Flask-WTF also wants the form to come from a page of the same origin.
FROM_PAGE = {**PROXY, "Referer": f"{PUBLIC_URL}/auth/settings"}


@pytest.fixture
def proxied(app_with):
    app = app_with(
        PORCH_TRUSTED_PROXIES=1,
        PORCH_PUBLIC_URL=PUBLIC_URL,
        PORCH_BLOG_URL="https://blog.example.com",
    )
    return app, app.test_client()


def sign_in(client, staff):
    page = client.get("/auth/login", headers=PROXY).get_data(as_text=True)
    assert '<form method="post" novalidate>' in page  # posts back to where the browser is
    data = {"email": staff.email, "password": PASSWORD, "csrf_token": csrf_token(page)}
    return client.post("/auth/login", data=data, headers=FROM_PAGE)


def test_signed_out_staff_are_sent_to_the_sign_in_page_under_the_prefix(proxied):
    _, client = proxied
    response = client.get("/moderation/", headers=PROXY)
    assert response.status_code == 302
    assert response.headers["Location"] == "/porch/auth/login?next=%2Fporch%2Fmoderation%2F"


def test_sign_in_lands_on_the_moderation_page_whose_links_stay_under_the_prefix(
    proxied, make_staff
):
    _, client = proxied
    response = sign_in(client, make_staff("Ana Lima"))
    assert response.status_code == 303
    assert response.headers["Location"] == "/porch/moderation/"
    page = client.get("/moderation/", headers=PROXY)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'href="/porch/static/moderation.css' in html
    local = re.findall(r'(?:href|action)="(/[^"]*)"', html)
    assert local and all(link.startswith("/porch/") for link in local), local


def test_the_feed_address_shown_once_is_the_public_one_under_the_prefix(proxied, make_staff):
    _, client = proxied
    sign_in(client, make_staff("Ana Lima"))
    settings = client.get("/auth/settings", headers=PROXY).get_data(as_text=True)
    form = re.search(r'action="/porch/auth/settings/feed"[\s\S]*?</form>', settings).group(0)
    response = client.post(
        "/auth/settings/feed", data={"csrf_token": csrf_token(form)}, headers=FROM_PAGE
    )
    assert response.status_code == 200
    feed_url = re.search(r'id="feed-url"[^>]*readonly[^>]*>([^<]+)</textarea>', response.text)[1]
    assert feed_url.startswith(f"{PUBLIC_URL}/feeds/") and "/porch/porch/" not in feed_url
    path = feed_url.removeprefix(PUBLIC_URL)
    assert client.get(path, headers=PROXY).status_code == 200


def test_a_plain_form_from_the_blog_is_accepted_and_sent_back_to_the_blog(proxied, make_post):
    _, client = proxied
    make_post("hello")
    response = client.post(
        "/api/posts/hello/comments",
        data={"author_name": "Jo Reader", "body": "Hello from behind nginx"},
        headers={**PROXY, "Origin": "https://blog.example.com"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].startswith("https://blog.example.com/2026/11/hello/")


def test_without_trusted_proxies_the_prefix_header_is_ignored(client, make_post):
    make_post("hello")
    response = client.get("/moderation/", headers=PROXY)
    assert response.headers["Location"] == "/auth/login?next=%2Fmoderation%2F"
    thread = client.get("/api/posts/hello/comments", headers={**PROXY, "Origin": BLOG_URL})
    assert thread.status_code == 200
