"""Big threads: 10,000 comments on one post bake into pages of 50 top-level threads, the API
serves the same pages, and a comment's permalink finds the page that holds it.

The thread goes through the export command, a real build of the sample site, a re-bake,
the API and the permalink endpoint. Nothing is mocked.
"""

import re
import shutil
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus
from comments_service.services.comments.threads import published_thread
from comments_service.services.site.answering import active_staff_names
from comments_service.services.site.rebake import thread_to_bake
from porch_pelican import rebake

from .conftest import BLOG_URL
from .site_support import ROOT, build_sample_site
from .test_deep_threads import BakedThread

SLUG = "hello-porch"
ARTICLE = f"2026/11/{SLUG}/"
THREADS = 2500  # top-level comments, each with three replies: 10,000 comments
PER_PAGE = 50
PAGES = THREADS // PER_PAGE
MAX_PAGE_BYTES = 1_000_000


@pytest.fixture
def big_thread(app, make_post):
    """hello-porch with THREADS top-level comments, oldest first, each answered by a reply
    that has a reply of its own, and a second reply: the top-level ids, and every id."""
    post = make_post(SLUG, authors=("Ana Lima", "Ben Okafor"))
    start = datetime.now(UTC) - timedelta(days=30)

    def rows(parents, offset):
        return [
            {
                "post_id": post.id,
                "parent_id": parent,
                "author_name": f"Reader {index}.{offset}",
                "body_markdown": f"Comment {index}.{offset}",
                "body_html": f"<p>Comment {index}.{offset}</p>",
                "status": CommentStatus.APPROVED,
                "created_at": start + timedelta(minutes=index, seconds=offset),
                "published_at": start + timedelta(minutes=index, seconds=offset),
            }
            for index, parent in enumerate(parents)
        ]

    with app.app_context():
        returning = insert(Comment).returning(Comment.id, sort_by_parameter_order=True)
        tops = db.session.scalars(returning, rows([None] * THREADS, 0)).all()
        firsts = db.session.scalars(returning, rows(tops, 1)).all()
        db.session.scalars(returning, rows(firsts, 2)).all()
        db.session.scalars(returning, rows(tops, 3)).all()
        db.session.commit()
        thread = published_thread(post)["comments"]
    assert len(thread) == 4 * THREADS
    return tops, thread


def top_level_ids(html: str) -> list[int]:
    """The top-level comments a baked page shows, in order."""
    levels = BakedThread(html).levels
    return [int(comment_id) for comment_id, level in levels.items() if level == 0]


def page_file(output, number: int):
    return output / ARTICLE / ("" if number == 1 else f"comments/{number}/") / "index.html"


def built_with(app, tmp_path, **settings):
    export = tmp_path / "comments-export.json"
    result = app.test_cli_runner().invoke(args=["comments", "export", str(export)])
    assert result.exit_code == 0, result.output
    return build_sample_site(tmp_path, export, **settings)


def test_a_10000_comment_thread_bakes_in_pages_of_50_threads(app, big_thread, tmp_path):
    tops, _ = big_thread
    output, _ = built_with(app, tmp_path)

    article = page_file(output, 1).read_text(encoding="utf-8")
    assert len(article.encode()) < MAX_PAGE_BYTES
    assert '<span class="comment-count">(10000)</span>' in article
    assert article.count('<form class="comment-form"') == 1  # one form, moved to reply
    for number in range(1, PAGES + 1):
        html = page_file(output, number).read_text(encoding="utf-8")
        assert len(html.encode()) < MAX_PAGE_BYTES
        expected = tops[(number - 1) * PER_PAGE : number * PER_PAGE]
        assert top_level_ids(html) == expected, f"page {number}"
        assert f"Page {number} of {PAGES}" in html
        assert ("comment-pages-next" in html) == (number < PAGES)
    assert not page_file(output, PAGES + 1).exists()
    later = re.search(r'class="comment-pages-next" rel="next" href="([^"]+)"', article)[1]
    assert later == "../../../2026/11/hello-porch/comments/2/"  # relative: no JavaScript needed


def test_api_pages_hold_the_same_threads_as_the_baked_pages(client, big_thread):
    tops, _ = big_thread
    for number in (1, 2, 37, PAGES):
        body = client.get(f"/api/posts/{SLUG}/comments?page={number}").get_json()
        assert (body["page"], body["pages"], body["count"]) == (number, PAGES, 4 * THREADS)
        assert len(body["comments"]) == 4 * PER_PAGE  # bounded, whatever the thread's size
        shown = [node["id"] for node in body["comments"] if node["depth"] == 0]
        assert shown == tops[(number - 1) * PER_PAGE : number * PER_PAGE]


def test_a_page_past_the_thread_is_refused_with_the_pages_there_are(client, big_thread):
    for asked in ("0", "51", "two", "-1"):
        response = client.get(f"/api/posts/{SLUG}/comments?page={asked}")
        assert response.status_code == 404
        assert response.get_json()["message"] == (
            f"Pages of this thread are numbered 1 to {PAGES}, not {asked!r}."
        )


def test_a_permalink_finds_the_page_of_the_comment_at_every_page_boundary(client, big_thread):
    """The first top-level comment of each page and the last reply on it."""
    _, thread = big_thread
    tops_seen = [index for index, node in enumerate(thread) if node["depth"] == 0]
    starts = tops_seen[::PER_PAGE]
    for number, start in enumerate(starts, start=1):
        end = starts[number] - 1 if number < len(starts) else len(thread) - 1
        for node in (thread[start], thread[end]):
            response = client.get(f"/c/{node['id']}")
            assert response.status_code == 302
            pages = "" if number == 1 else f"comments/{number}/"
            assert response.location == f"{BLOG_URL}/2026/11/{SLUG}/{pages}#comment-{node['id']}"


def test_a_permalink_to_a_removed_or_unknown_comment_says_so(client, big_thread, app):
    _, thread = big_thread
    with app.app_context():
        db.session.get(Comment, thread[-1]["id"]).status = CommentStatus.DELETED
        db.session.commit()
    for comment_id in (thread[-1]["id"], 10**9):
        response = client.get(f"/c/{comment_id}")
        assert response.status_code == 404
        assert b"There is no published comment at this address" in response.data


def test_a_rebake_writes_the_pages_a_full_build_writes(app, big_thread, tmp_path):
    output, manifest = built_with(app, tmp_path / "full")
    rebaked = tmp_path / "rebaked"
    shutil.copytree(output, rebaked)
    for number in range(2, PAGES + 1):  # the re-baker writes the further pages itself
        page_file(rebaked, number).unlink()
    with app.app_context():
        post = db.session.get(Comment, big_thread[0][0]).post
        thread = thread_to_bake(post, active_staff_names())  # as the service's re-baker
    baker = rebake.load(
        str(ROOT / "pelicanconf.py"),
        str(rebaked),
        {"PORCH_MANIFEST_PATH": str(manifest), "CACHE_PATH": str(tmp_path / "cache")},
    )
    assert baker.rebake(SLUG, {**thread, "version": thread["version"] + 1})

    marker = re.compile(r"version=\"?\d+")  # the markers and the section's data-porch-version
    for number in range(1, PAGES + 1):
        built = marker.sub("", page_file(output, number).read_text(encoding="utf-8"))
        again = marker.sub("", page_file(rebaked, number).read_text(encoding="utf-8"))
        assert again == built, f"page {number}"
