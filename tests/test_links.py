"""Links into threads without JavaScript: a comment's reply page and its permalink."""

import re
from datetime import UTC, datetime

from comments_service.models import CommentStatus

from .conftest import BLOG_URL


def test_the_reply_page_shows_the_comment_and_a_form_that_answers_it(
    client, make_post, make_comment
):
    post = make_post("hello")
    asked = make_comment(
        post, name="Jo <Reader>", created_at=datetime(2026, 3, 4, 23, 30, tzinfo=UTC)
    )
    page = client.get(f"/reply/{asked.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<h1 id="form-title" class="page-title">Reply to Jo &lt;Reader&gt;</h1>' in html
    assert '<blockquote class="comment-body"><p>text</p></blockquote>' in html
    assert f'<input type="hidden" name="parent_id" value="{asked.id}">' in html
    assert 'action="/api/posts/hello/comments"' in html
    assert ">Post reply</button>" in html
    moment = '<time datetime="2026-03-04T23:30:00Z" title="4 March 2026, 23:30 UTC">'
    assert f'href="/c/{asked.id}">{moment}4 March 2026, 23:30 UTC</time>' in html


def test_a_replys_field_errors_come_back_on_the_reply_page(client, make_post, make_comment):
    post = make_post("hello")
    asked = make_comment(post, name="Jo Reader")
    form = {"author_name": " ", "body": "Same here.", "parent_id": str(asked.id)}
    answer = client.post("/api/posts/hello/comments", data=form, headers={"Origin": BLOG_URL})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert '<h1 id="form-title" class="page-title">Reply to Jo Reader</h1>' in html
    assert '<blockquote class="comment-body"><p>text</p></blockquote>' in html
    assert '<label for="field-body">Your reply</label>' in html
    assert ">Same here.</textarea>" in html
    assert f'<input type="hidden" name="parent_id" value="{asked.id}">' in html
    assert ">Post reply</button>" in html
    assert "Please tell us your name." in html


def test_a_reply_to_a_comment_readers_cannot_see_comes_back_as_a_plain_comment_form(
    client, make_post, make_comment
):
    make_post("hello")
    elsewhere = make_comment(make_post("other"))
    for parent in (str(elsewhere.id), "99999", "2147483648", "x"):
        form = {"author_name": " ", "body": "Same here.", "parent_id": parent}
        answer = client.post("/api/posts/hello/comments", data=form, headers={"Origin": BLOG_URL})
        assert answer.status_code == 422, parent
        html = answer.get_data(as_text=True)
        assert "Almost there: please check your comment" in html, parent
        assert "<blockquote" not in html


def test_a_reply_sent_from_the_reply_page_is_stored_under_the_comment(
    client, make_post, make_comment
):
    post = make_post("hello")
    asked = make_comment(post)
    form = {"author_name": "Sam", "body": "Same here.", "parent_id": str(asked.id)}
    answer = client.post("/api/posts/hello/comments", data=form, headers={"Origin": BLOG_URL})
    assert answer.status_code == 303
    thread = client.get("/api/posts/hello/comments").get_json()["comments"]
    assert [(node["author_name"], node["parent_id"]) for node in thread][-1] == ("Sam", asked.id)


def test_held_removed_erased_and_unknown_comments_have_no_reply_page_or_permalink(
    client, make_post, make_comment
):
    """An erased comment with a reply stays in its thread as a placeholder: approved, but
    not public, so it has no page of its own either."""
    post = make_post("hello")
    held = make_comment(post, status=CommentStatus.PENDING)
    removed = make_comment(post, status=CommentStatus.DELETED)
    erased = make_comment(post, name="[erased]", erased_at=datetime.now(UTC))
    make_comment(post, parent=erased, name="Sam")
    for comment_id in (held.id, removed.id, erased.id, 10**9):
        for address in (f"/reply/{comment_id}", f"/c/{comment_id}"):
            response = client.get(address)
            assert response.status_code == 404, address
            assert b"There is no published comment at this address" in response.data
            assert f'href="{BLOG_URL}/theme/css/porch.css"'.encode() in response.data


def test_a_number_past_any_comment_id_is_an_unknown_address_not_a_refused_query(client):
    """PostgreSQL refuses an integer past 2**31 - 1 in a query, SQLite one past 2**63 - 1."""
    for number in (2**31, 10**20):
        for address in (f"/reply/{number}", f"/c/{number}"):
            response = client.get(address)
            assert response.status_code == 404, address
            assert f'href="{BLOG_URL}/theme/css/porch.css"'.encode() in response.data


def test_a_permalink_on_the_first_page_leads_to_the_article(client, make_post, make_comment):
    post = make_post("hello")
    asked = make_comment(post)
    response = client.get(f"/c/{asked.id}")
    assert response.status_code == 302
    assert re.fullmatch(
        rf"{re.escape(BLOG_URL)}/2026/11/hello/#comment-{asked.id}", response.location
    )
