"""The service's pages for readers wear the blog's stylesheet, name and header; staff pages
keep the service's own look."""

import pytest

from comments_service import create_app
from comments_service.extensions import db

from .conftest import BLOG_URL, settings

BLOG_STYLESHEET = f'<link rel="stylesheet" href="{BLOG_URL}/theme/css/porch.css">'


@pytest.fixture
def blog_app(app_with):
    return app_with(PORCH_BLOG_NAME="Lanternworks Porch")


def looks_like_the_blog(page: str) -> bool:
    header = f'<p class="site-title"><a href="{BLOG_URL}/">Lanternworks Porch</a></p>'
    return BLOG_STYLESHEET in page and header in page and "moderation.css" not in page


def test_readers_pages_look_like_the_blog(blog_app, make_post, make_comment):
    comment = make_comment(make_post("hello", title="Offline mode"))
    client = blog_app.test_client()
    form = client.post("/api/posts/hello/comments", data={"author_name": "", "body": "Hi"})
    pages = {
        "the kept form": form,
        "the reply page": client.get(f"/reply/{comment.id}"),
        "the privacy request": client.get("/privacy/request"),
        "a broken mail link": client.get("/subscriptions/confirm/broken"),
        "a reader's 404": client.get("/reply/999999"),
        "a plain form's 404": client.post("/api/posts/nope/comments", data={"body": "x"}),
    }
    for name, answer in pages.items():
        page = answer.get_data(as_text=True)
        assert looks_like_the_blog(page), name
        assert "<title>" in page and " · Lanternworks Porch</title>" in page, name
    kept = form.get_data(as_text=True)
    assert "<title>Check your comment on Offline mode · Lanternworks Porch</title>" in kept
    assert f'<a href="{BLOG_URL}/2026/11/hello/">Back to “Offline mode”</a>' in kept


def test_staff_pages_keep_their_own_look(blog_app):
    client = blog_app.test_client()
    for path in ("/auth/login", "/no/such/page"):
        page = client.get(path).get_data(as_text=True)
        assert "moderation.css" in page and BLOG_STYLESHEET not in page, path


def test_the_pages_may_load_the_blogs_stylesheet_and_nothing_else_from_it(client):
    policy = client.get("/privacy/request").headers["Content-Security-Policy"]
    assert f"style-src 'self' {BLOG_URL};" in policy
    assert "script-src 'none'" in policy


def test_a_reader_meets_the_blog_even_while_the_database_is_away(tmp_path):
    app = create_app(settings(f"sqlite:///{tmp_path}/missing-dir/db.sqlite3"))
    answer = app.test_client().get("/reply/1")
    assert answer.status_code == 503
    page = answer.get_data(as_text=True)
    assert BLOG_STYLESHEET in page and "Back in a moment" in page
    with app.app_context():
        db.engine.dispose()
