"""What search engines read off an article page: a BlogPosting in JSON-LD whose comments
are the service's thread (same count, same answers under the same questions), kept
right by re-bakes, with nothing removed or erased in it and no way for a reader's text
to break out of the script."""

import json

import extruct
import pytest

from comments_service.models import utcnow
from comments_service.services.comments.posting import add_staff_answer
from comments_service.services.moderation import decisions as moderation
from comments_service.services.site.export import export_document
from porch_pelican.structured_data import POSTING_SCRIPT

from .site_support import build_sample_site
from .test_baking import bake, export_of
from .test_baking import node as exported_comment
from .test_rebake import SLUG, Site, decide, page_of, post_comment

HOSTILE = "</script><script>alert(1)</script> & <!-- <b>bold</b>"


@pytest.fixture
def site(app, tmp_path):
    return Site(app, tmp_path)


def posting(page_html: str) -> dict:
    """The page's one BlogPosting, read the way search engines' tools read it."""
    found = extruct.extract(page_html, syntaxes=["json-ld"], uniform=False)["json-ld"]
    assert [item["@type"] for item in found] == ["BlogPosting"]
    return found[0]


def comment_id(item: dict) -> int:
    return int(item["url"].rsplit("#comment-", 1)[1])


def nesting(items: list[dict], parent: int | None = None) -> dict[int, int | None]:
    """{comment id: the id of the Comment it sits in} of the posting's comments."""
    placed = {}
    for item in items:
        placed[comment_id(item)] = parent
        placed.update(nesting(item.get("comment", []), comment_id(item)))
    return placed


def api_nesting(thread: dict) -> dict[int, int | None]:
    """The same from the API's flat thread: each shown comment under its nearest shown
    ancestor (a removed comment's replies take its place)."""
    nodes = {node["id"]: node for node in thread["comments"]}
    placed = {}
    for node in thread["comments"]:
        if node.get("removed"):
            continue
        parent = node["parent_id"]
        while parent is not None and nodes[parent].get("removed"):
            parent = nodes[parent]["parent_id"]
        placed[node["id"]] = parent
    return placed


def api_thread(client) -> dict:
    """The first page of the thread, which the article's page shows, and the whole count."""
    return client.get(f"/api/posts/{SLUG}/comments?page=1").get_json()


def test_the_posting_describes_the_post_its_authors_and_publisher(site):
    data = posting(page_of(site.output))
    url = f"http://127.0.0.1:8000/2026/10/{SLUG}/"
    assert data["url"] == data["@id"] == url
    assert data["headline"] == "What your crew sees when the signal drops"
    assert data["datePublished"].startswith("2026-10-")
    assert data["description"] and "<" not in data["description"]
    assert data["image"].startswith("http://127.0.0.1:8000/images/share/")
    publisher = data["publisher"]
    assert publisher["@type"] == "Organization" and publisher["name"] == "Lanternworks Porch"
    assert data["author"] == [
        {
            "@type": "Person",
            "name": "Ana Lima",
            "url": "http://127.0.0.1:8000/authors/ana-lima/",
            "image": "http://127.0.0.1:8000/images/avatars/ana-lima.svg",
            "jobTitle": "Head of Customer Support",
            "worksFor": {"@id": publisher["@id"]},
        }
    ]
    assert data["commentCount"] == 0 and data["comment"] == []


def test_comments_and_answers_nest_as_the_api_gives_them_and_stay_right_after_a_rebake(
    site, client, app, make_staff
):
    ana = make_staff("Ana Lima")
    question = post_comment(client, SLUG, author_name="Jo", body="Does it sync *later*?")
    question = question.get_json()["comment"]
    post_comment(client, SLUG, author_name="Sam", body="Me too", parent_id=question["id"])
    other = post_comment(client, SLUG, author_name="Kim", body="What about photos?")
    assert site.rebaker().rebake(SLUG, site.thread())
    before = posting(page_of(site.output))
    assert before["commentCount"] == 3

    answer = decide(app, add_staff_answer, question["id"], ana, "Yes, on its own.")
    decide(app, add_staff_answer, other.get_json()["comment"]["id"], ana, "They wait too.")
    assert site.rebaker().rebake(SLUG, site.thread())

    page = page_of(site.output)
    data, thread = posting(page), api_thread(client)
    assert data["commentCount"] == thread["count"] == 5
    assert f'<span class="comment-count">({thread["count"]})</span>' in page
    assert nesting(data["comment"]) == api_nesting(thread)
    assert nesting(data["comment"])[answer] == question["id"]
    answered = data["comment"][0]
    assert answered["text"] == "Does it sync later?" and answered["author"]["name"] == "Jo"
    staff_answer = next(item for item in answered["comment"] if comment_id(item) == answer)
    assert staff_answer["author"]["worksFor"] == {"@id": data["publisher"]["@id"]}
    assert staff_answer["author"]["url"] == "http://127.0.0.1:8000/authors/ana-lima/"
    # What only a full build knows (dates, summary, image) is carried through re-bakes.
    rebuilt = posting(page_of(site.build("second")))
    assert data == rebuilt
    assert {k: v for k, v in data.items() if k not in ("comment", "commentCount")} == {
        k: v for k, v in before.items() if k not in ("comment", "commentCount")
    }


def test_removed_and_erased_comments_never_appear(site, client, app, make_staff):
    ana = make_staff("Ana Lima")
    spam = post_comment(client, SLUG, author_name="Spammer", body="Cheap pills here")
    spam = spam.get_json()["comment"]["id"]
    reply = post_comment(client, SLUG, author_name="Lee", body="A reply", parent_id=spam)
    erased = post_comment(
        client, SLUG, author_name="Erin", body="Erase me later", email="erin@reader.test"
    ).get_json()["comment"]["id"]
    answer = decide(app, add_staff_answer, erased, ana, "Answered before erasure.")
    decide(app, moderation.delete, spam, ana, "spam")
    forgotten = app.test_cli_runner().invoke(args=["people", "forget", "erin@reader.test"])
    assert forgotten.exit_code == 0, forgotten.output
    thread = api_thread(client)
    removed = [node for node in thread["comments"] if node.get("removed")]
    assert {node["id"]: node["removed_reason"] for node in removed} == {
        spam: None,
        erased: "author_request",
    }
    assert site.rebaker().rebake(SLUG, site.thread())

    page = page_of(site.output)
    script = POSTING_SCRIPT.search(page).group(0)
    data = posting(page)
    assert data["commentCount"] == thread["count"] == 2
    assert (
        nesting(data["comment"])
        == api_nesting(thread)
        == {
            reply.get_json()["comment"]["id"]: None,
            answer: None,
        }
    )
    for gone in ("Spammer", "Cheap pills", "Erin", "Erase me later"):
        assert gone not in script
    assert "This comment was removed at the author’s request." in page  # the page says so


def test_a_hostile_comment_stays_text_inside_the_script(site, client):
    post_comment(client, SLUG, author_name=HOSTILE, body=HOSTILE)
    assert site.rebaker().rebake(SLUG, site.thread())
    page = page_of(site.output)
    script = POSTING_SCRIPT.search(page).group(1)
    assert "<" not in script and ">" not in script and "&" not in script
    assert page.count("</script>") == page.count("<script")  # none ends early
    comment = posting(page)["comment"][0]
    assert comment["author"] == {"@type": "Person", "name": HOSTILE}
    assert comment["text"] == "& <!-- bold"  # what the sanitised comment shows, as text


def test_a_long_thread_describes_the_comments_of_the_articles_own_page(site, client, app):
    """The count is the whole thread's; the comments are those the article's page shows.
    Further comment pages carry no posting: they are not the article."""
    for n in range(3):
        post_comment(client, SLUG, body=f"Question {n}")
    export = site.folder / "paged-export.json"
    with app.app_context():
        export.write_text(json.dumps(export_document(utcnow())))
    output, _ = build_sample_site(site.folder / "paged", export, PORCH_COMMENTS_PER_PAGE=2)
    page_two = (output / f"2026/10/{SLUG}/comments/2/index.html").read_text()
    assert "application/ld+json" not in page_two
    data = posting(page_of(output))
    assert data["commentCount"] == api_thread(client)["count"] == 3
    assert [item["text"] for item in data["comment"]] == ["Question 0", "Question 1"]
    assert all(f"/{SLUG}/#comment-" in item["url"] for item in data["comment"])


def test_replies_nest_as_deep_as_the_page_nests_them(tmp_path):
    """Eight replies deep: the posting nests five levels (PORCH_THREAD_DEPTH), as the page
    does; the deeper replies sit beside the last nested one, none is lost."""
    chain = [exported_comment(n + 1, f"Reader {n}", n or None, n) for n in range(8)]
    document = export_of(*chain)
    data = posting(bake(tmp_path, document))
    placed = nesting(data["comment"])
    assert data["commentCount"] == len(placed) == 8
    assert placed == {1: None, 2: 1, 3: 2, 4: 3, 5: 4, 6: 4, 7: 4, 8: 4}
