"""The moderation page stays cheap however many comments and posts there are: long tabs
are counted only so far, the post filter offers the newest posts, a search is one
lookup for the whole page."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, update

from comments_service.enums import CommentStatus
from comments_service.extensions import db
from comments_service.models import Post, Role
from comments_service.moderation import routes
from comments_service.moderation.routes import COUNTED_UP_TO, POST_CHOICES

from .test_moderation_page import html_of, sign_in


def shown_counts(html: str) -> dict[str, str]:
    return dict(re.findall(r'view=(\w+)[^>]*>[^<]+<span class="count">([\d,+]+)</span>', html))


def test_a_long_tab_reads_as_counted_so_far_and_its_pages_lead_on(
    app_with, make_staff, make_post, make_comment
):
    post = make_post("busy")
    for minutes in range(COUNTED_UP_TO + 2):
        make_comment(
            post, name=f"Spammer {minutes}", minutes_ago=minutes, status=CommentStatus.SPAM
        )
    make_comment(post, name="Waiting reader")
    client = app_with(PORCH_MODERATION_PAGE_SIZE=50).test_client()
    sign_in(client, make_staff("Root", role=Role.ADMIN))

    spam = html_of(client, "/moderation/?view=spam")
    counts = shown_counts(spam)
    assert counts["spam"] == f"{COUNTED_UP_TO}+"
    assert (counts["waiting"], counts["removed"]) == ("1", "0")
    assert "Page 1</span>" in spam and 'rel="next"' in spam
    last = html_of(client, f"/moderation/?view=spam&page={COUNTED_UP_TO // 50 + 1}")
    assert "Spammer 101" in last and 'rel="next"' not in last


def test_the_post_filter_offers_the_newest_posts_and_keeps_an_older_chosen_one(
    app, app_with, make_staff, make_post, make_comment
):
    first = datetime(2026, 1, 1, tzinfo=UTC)
    posts = [make_post(f"post-{number:03d}") for number in range(POST_CHOICES + 1)]
    with app.app_context():
        for number, post in enumerate(posts):
            db.session.execute(
                update(Post)
                .where(Post.id == post.id)
                .values(published_at=first + timedelta(days=number))
            )
        db.session.commit()
    make_comment(posts[0], name="Old reader")
    client = app_with().test_client()
    sign_in(client, make_staff("Ana Lima"))

    options = re.findall(r'<option value="(post-\d+)"', html_of(client))
    assert len(options) == POST_CHOICES
    assert options[0] == f"post-{POST_CHOICES:03d}" and "post-000" not in options
    chosen = html_of(client, "/moderation/?view=all&post=post-000")
    assert '<option value="post-000" selected>' in chosen
    assert "Old reader" in chosen


@pytest.fixture
def searched(make_post, make_comment):
    """Two comments a search for "offline mode" finds, in two tabs, and one it does not."""
    post = make_post("searched")
    make_comment(post, name="Ada", body_markdown="The offline mode lost my plan")
    make_comment(post, name="Bo", body_markdown="Offline MODE again", status=CommentStatus.SPAM)
    make_comment(post, name="Cy", body_markdown="Something else")


@pytest.mark.parametrize("found_by_id", [routes.FOUND_BY_ID, 1])
def test_every_count_of_a_search_is_narrowed_to_what_it_found(
    app_with, make_staff, searched, monkeypatch, found_by_id
):
    """Whether the search's ids are handed to the page's statements (few found) or each
    statement checks the words itself (more than FOUND_BY_ID), the page shows the same."""
    monkeypatch.setattr(routes, "FOUND_BY_ID", found_by_id)
    client = app_with().test_client()
    sign_in(client, make_staff("Ana Lima"))

    html = html_of(client, "/moderation/?view=all&q=offline+mode")

    counts = shown_counts(html)
    assert (counts["waiting"], counts["spam"], counts["all"]) == ("1", "1", "2")
    assert "Ada" in html and "Bo" in html and "Cy" not in html


def test_a_search_that_finds_few_comments_looks_them_up_once(app_with, make_staff, searched):
    """The words are looked for in one statement: the counts and the page read the ids it
    found, not the trigram indexes again (docs/indexes.md, "Search")."""
    served = app_with()
    client = served.test_client()
    sign_in(client, make_staff("Ana Lima"))
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    with served.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        html = html_of(client, "/moderation/?view=all&q=offline+mode")
    finally:
        event.remove(engine, "before_cursor_execute", record)

    assert "Ada" in html and "Bo" in html
    assert len([statement for statement in statements if "LIKE" in statement]) == 1
