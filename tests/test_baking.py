"""From the service's export to the real theme's pages: what readers wrote stays text."""

import html
import json
import re

from comments_service.extensions import db
from comments_service.models import Comment, utcnow
from comments_service.services.moderation import decisions as moderation
from comments_service.services.site.export import export_document
from porch_pelican.structured_data import POSTING_SCRIPT

from .site_support import build_sample_site

HOSTILE_NAME = '<img src=x onerror="alert(1)">'
HOSTILE_WEBSITE = 'https://x.example/" onmouseover="alert(2)'


def node(comment_id, author_name, parent_id=None, depth=0, **fields):
    """One comment as the export has it."""
    return {
        "id": comment_id,
        "parent_id": parent_id,
        "depth": depth,
        "in_reply_to": None,
        "author_name": author_name,
        "author_website": None,
        "html": "<p>hi</p>",
        "created_at": "2026-11-20T10:00:00Z",
        "staff": None,
        **fields,
    }


def export_of(*comments) -> dict:
    """An export with these comments on hello-porch."""
    thread = {"count": len(comments), "comments": list(comments)}
    return {"version": 2, "exported_at": "2026-11-23T12:00:00Z", "posts": {"hello-porch": thread}}


def bake(tmp_path, document: dict) -> str:
    """Build the real sample site with this export; return hello-porch's HTML."""
    export = tmp_path / "export.json"
    export.write_text(json.dumps(document))
    output, _ = build_sample_site(tmp_path, export)
    return (output / "2026/11/hello-porch/index.html").read_text(encoding="utf-8")


def test_hostile_names_from_the_service_are_escaped_in_baked_pages(
    client, app, make_post, tmp_path
):
    make_post("hello-porch", authors=("Ana Lima", "Ben Okafor"))
    posted = client.post(
        "/api/posts/hello-porch/comments", json={"author_name": HOSTILE_NAME, "body": "hi"}
    )
    assert posted.status_code == 201
    with app.app_context():
        document = export_document(utcnow())
    page = bake(tmp_path, document)
    assert HOSTILE_NAME not in page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page


def test_hostile_fields_in_an_export_never_become_markup(tmp_path):
    hostile = node(7, HOSTILE_NAME, author_website=HOSTILE_WEBSITE)
    page = bake(tmp_path, export_of(hostile))
    assert 'onmouseover="alert(2)"' not in page
    # The JSON-LD holds the name as JSON text, its < and > escaped (test_structured_data.py).
    markup = POSTING_SCRIPT.sub("", page)
    assert "onerror=" not in markup.replace("onerror=&#34;", "")


def test_comment_templates_escape_what_they_print_without_being_told(tmp_path):
    """The time and its label are printed as the export has them, with no |e of their own."""
    page = bake(tmp_path, export_of(node(7, "Jo Reader", created_at="2026-11-20T<i>x</i>")))
    assert "<i>x" not in page
    assert 'datetime="2026-11-20T&lt;i&gt;x&lt;/i&gt;"' in page
    assert "20 November 2026, &lt;i&gt;x&lt; UTC</time>" in page


def test_names_with_apostrophes_and_ampersands_are_escaped_once(tmp_path):
    name = "Jo O'Neil & Sons"
    chain = [node(i + 1, name, i or None, i, in_reply_to=name if i else None) for i in range(6)]
    page = bake(tmp_path, export_of(*chain))
    assert "Jo O&#39;Neil &amp; Sons</span>" in page
    assert '<a href="#comment-5">Jo O&#39;Neil &amp; Sons</a>' in page  # the "in reply to" link
    assert "&amp;amp;" not in page and "&amp;#" not in page
    faces = re.search(r'data-porch-staff="([^"]*)"', page).group(1)
    assert json.loads(html.unescape(faces))["Ana Lima"] == [
        "Head of Customer Support",
        "../../../images/avatars/ana-lima.svg",
        "../../../authors/ana-lima/",
    ]
    assert '<span class="byline-role">Head of Customer Support</span>' in page


def test_removed_comment_keeps_its_replies_in_place(
    client, app, make_post, make_staff, make_comment, tmp_path
):
    post = make_post("hello-porch", authors=("Ana Lima",))
    ana = make_staff("Ana Lima")
    question = make_comment(post, name="Asker", minutes_ago=10)
    reply = make_comment(post, parent=question, name="Replier", minutes_ago=5)
    with app.app_context():
        moderation.delete(db.session.get(Comment, question.id), db.session.merge(ana), "abusive")
        db.session.commit()
        document = export_document(utcnow())
    page = bake(tmp_path, document)
    assert "This comment was removed." in page
    assert f'id="comment-{reply.id}"' in page
    assert "Asker" not in page


def test_removed_comment_counts_the_same_in_the_api_the_export_and_the_page(
    client, app, make_post, make_staff, make_comment, tmp_path
):
    post = make_post("hello-porch", authors=("Ana Lima",))
    ana = make_staff("Ana Lima")
    question = make_comment(post, name="Asker", minutes_ago=10)
    make_comment(post, parent=question, name="Replier", minutes_ago=5)
    with app.app_context():
        moderation.delete(db.session.get(Comment, question.id), db.session.merge(ana), "abusive")
        db.session.commit()
        document = export_document(utcnow())
    page = bake(tmp_path, document)
    assert client.get("/api/posts/hello-porch/comments").get_json()["count"] == 1
    assert document["posts"]["hello-porch"]["count"] == 1
    assert '<span class="comment-count">(1)</span>' in page
