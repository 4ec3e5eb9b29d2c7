"""Each post's comments feed (``comments.atom`` next to the article): valid Atom, newest
first (the newest fifty), names never emails, written by the build and again by every
re-bake."""

import json
import re
from datetime import UTC, datetime
from types import SimpleNamespace

import feedparser
import pytest
from babel.support import NullTranslations
from feedgenerator import Atom1Feed
from markupsafe import Markup

from comments_service.services.comments.posting import add_staff_answer
from comments_service.services.moderation import decisions as moderation
from porch_pelican.comment_feeds import NEWEST, comments_feed, entries, entry_title
from porch_pelican.comments import for_display

from .site_support import build_sample_site
from .test_baking import export_of, node
from .test_rebake import PAGE, SLUG, Site, decide, page_of, post_comment

FEED = PAGE.replace("index.html", "comments.atom")
ARTICLE_URL = f"http://127.0.0.1:8000/{PAGE.removesuffix('index.html')}"


@pytest.fixture
def site(app, tmp_path):
    return Site(app, tmp_path)


def read_feed(output):
    feed = feedparser.parse((output / FEED).read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    return feed


def test_every_article_has_a_feed_linked_from_its_head_and_its_comments(site):
    articles = list(site.output.glob("2026/*/*/index.html"))
    assert articles
    for article in articles:
        assert (article.parent / "comments.atom").is_file(), article
    page = page_of(site.output)
    title = re.search(r"<h1[^>]*>(.*?)</h1>", page).group(1)
    head = page.split("</head>")[0]
    assert (
        f'<link rel="alternate" type="application/atom+xml" href="../../../{FEED}"'
        f' title="Comments on {title}">'
    ) in head
    assert 'href="../../../' + FEED + '" type="application/atom+xml">Follow these comments' in page
    feed = read_feed(site.output)
    assert feed.feed.title == f"Comments on {title}"
    assert feed.feed.link == ARTICLE_URL
    assert feed.feed.id == ARTICLE_URL + "comments.atom"
    assert feed.entries == []


def test_the_feed_lists_comments_and_answers_newest_first_and_a_rebake_adds_the_answer(
    site, client, app, make_staff
):
    ana = make_staff("Ana Lima")
    question = post_comment(
        client, SLUG, author_name="Jo", body="Does it *sync*?", email="jo@reader.test"
    ).get_json()["comment"]
    post_comment(client, SLUG, author_name="Sam", body="Also photos?")
    assert site.rebaker().rebake(SLUG, site.thread())
    assert [entry.author for entry in read_feed(site.output).entries] == ["Sam", "Jo"]

    answer = decide(app, add_staff_answer, question["id"], ana, "Yes, *on its own*.")
    assert site.rebaker().rebake(SLUG, site.thread())

    feed = read_feed(site.output)
    thread = client.get(f"/api/posts/{SLUG}/comments").get_json()
    assert len(feed.entries) == thread["count"] == 3
    newest = feed.entries[0]
    assert newest.author == "Ana Lima"
    assert newest.title == "Ana Lima answered Jo"
    assert newest.id == f"{ARTICLE_URL}#comment-{answer}"
    assert newest.link == f"{ARTICLE_URL}#comment-{answer}"
    assert newest.content[0].value == "<p>Yes, <em>on its own</em>.</p>"
    updated = [entry.updated_parsed for entry in feed.entries]
    assert updated == sorted(updated, reverse=True)
    assert all(entry.id and entry.updated and entry.author for entry in feed.entries)
    assert "jo@reader.test" not in (site.output / FEED).read_text()
    # The same thread, built in full, makes the same feed.
    assert (site.build("second") / FEED).read_bytes() == (site.output / FEED).read_bytes()


def test_removed_and_erased_comments_leave_the_feed(site, client, app, make_staff):
    ana = make_staff("Ana Lima")
    spam = post_comment(client, SLUG, author_name="Spammer", body="Cheap pills")
    erased = post_comment(
        client, SLUG, author_name="Erin", body="Erase me", email="erin@reader.test"
    ).get_json()["comment"]["id"]
    answer = decide(app, add_staff_answer, erased, ana, "Answered before erasure.")
    assert site.rebaker().rebake(SLUG, site.thread())
    assert len(read_feed(site.output).entries) == 3

    decide(app, moderation.delete, spam.get_json()["comment"]["id"], ana, "spam")
    forgotten = app.test_cli_runner().invoke(args=["people", "forget", "erin@reader.test"])
    assert forgotten.exit_code == 0, forgotten.output
    assert site.rebaker().rebake(SLUG, site.thread())

    feed = read_feed(site.output)
    assert [entry.id for entry in feed.entries] == [f"{ARTICLE_URL}#comment-{answer}"]
    text = (site.output / FEED).read_text()
    for gone in ("Spammer", "Cheap pills", "Erin", "Erase me"):
        assert gone not in text


def test_a_long_thread_lists_its_newest_comments_each_linked_to_its_page(tmp_path):
    """Fifty at most, newest first, each linked on the page of comments that shows it."""
    comments = [
        {**node(n, f"Reader {n}"), "created_at": f"2026-11-20T10:{n:02d}:00Z"}
        for n in range(1, NEWEST + 6)
    ]
    export = tmp_path / "export.json"
    export.write_text(json.dumps(export_of(*comments)))
    output, _ = build_sample_site(tmp_path, export, PORCH_COMMENTS_PER_PAGE=10)
    feed = feedparser.parse((output / "2026/11/hello-porch/comments.atom").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert [entry.author for entry in feed.entries] == [
        f"Reader {n}" for n in range(NEWEST + 5, 5, -1)
    ]
    article = "http://127.0.0.1:8000/2026/11/hello-porch/"
    assert feed.entries[0].link == f"{article}comments/6/#comment-{NEWEST + 5}"
    assert feed.entries[-1].link == f"{article}#comment-6"
    assert feed.entries[0].id == f"{article}#comment-{NEWEST + 5}"  # wherever it is shown


def feedgenerator_document(settings, article) -> str:
    """The same feed as feedgenerator's Atom1Feed writes it, item by item."""
    page = f"{settings['PORCH_ABSOLUTE_SITEURL']}/{article.url}"
    feed_url = page + settings["PORCH_COMMENTS_FEED_URL"]
    title = Markup(article.title).striptags()
    found = entries(settings, article)
    feed = Atom1Feed(
        title=f"Comments on {title}",
        link=page,
        description=f"Readers' comments on {title} and the answers of the people who wrote it.",
        feed_url=feed_url,
        feed_guid=feed_url,
    )
    for created, comment, link, edited in found:
        feed.add_item(
            title=entry_title(NullTranslations(), comment),
            link=link,
            description=None,
            author_name=comment.author_name,
            pubdate=created,
            updateddate=edited,
            unique_id=f"{page}#comment-{comment.id}",
            content=comment.html,
        )
    return feed.writeString("utf-8")


def test_the_feed_is_the_document_feedgenerator_writes():
    """Written directly for speed, the file is byte for byte what feedgenerator's Atom
    writer makes of the same comments: edits, replies, staff answers, markup and quotes in
    names, and addresses with letters outside ASCII."""
    settings = {
        "PORCH_ABSOLUTE_SITEURL": "https://blog.example",
        "PORCH_COMMENTS_FEED_URL": "comments.atom",
        "PORCH_COMMENTS_PAGE_URL": "comments/{number}/",
    }
    staff = {"name": "Ana Lima", "role": "author"}
    thread = [
        node(1, 'Jo "the <b>crew</b>" & co', html="<p>Tabs\tand &amp; <em>marks</em></p>"),
        node(2, "Ana Lima", 1, 1, staff=staff, in_reply_to='Jo "the <b>crew</b>" & co'),
        node(3, "Sam O'Neil", 1, 1, in_reply_to="Jo", edited_at="2026-11-21T08:30:00Z"),
        node(4, "Zoë", created_at="2026-11-19T09:00:00Z", html="<p>Ça marche ?</p>"),
    ]
    article = SimpleNamespace(
        url="2026/11/café-notes/",
        title="Café <em>notes</em> &amp; more",
        date=datetime(2026, 11, 2, 9, tzinfo=UTC),
        porch_comment_pages=[for_display(thread[:3], 5, 4), for_display(thread[3:], 5, 4)],
    )

    written = comments_feed(settings, article)

    assert written == feedgenerator_document(settings, article)
    assert "%C3%A9" in written and "comments/2/#comment-4" in written
    empty = SimpleNamespace(**{**vars(article), "porch_comment_pages": [[]]})
    assert "<updated>2026-11-02T09:00:00+00:00</updated>" in comments_feed(settings, empty)
