"""From the service's export to the real theme's pages: what readers wrote stays text."""

import json

from comments_service.extensions import db
from comments_service.models import Comment, utcnow
from comments_service.services import moderation
from comments_service.services.threads import export_document

from .site_support import build_sample_site

HOSTILE_NAME = '<img src=x onerror="alert(1)">'
HOSTILE_WEBSITE = 'https://x.example/" onmouseover="alert(2)'


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
    html = bake(tmp_path, document)
    assert HOSTILE_NAME not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html


def test_hostile_fields_in_an_export_never_become_markup(tmp_path):
    node = {
        "id": 7,
        "parent_id": None,
        "author_name": HOSTILE_NAME,
        "author_website": HOSTILE_WEBSITE,
        "html": "<p>hi</p>",
        "created_at": "2026-11-20T10:00:00Z",
        "staff": None,
        "replies": [],
    }
    html = bake(tmp_path, {"version": 1, "exported_at": None, "posts": {"hello-porch": [node]}})
    assert 'onmouseover="alert(2)"' not in html
    assert "onerror=" not in html.replace("onerror=&#34;", "")


def test_removed_comment_keeps_its_replies_in_place(client, app, make_post, make_comment, tmp_path):
    post = make_post("hello-porch", authors=("Ana Lima",))
    question = make_comment(post, name="Asker", minutes_ago=10)
    reply = make_comment(post, parent=question, name="Replier", minutes_ago=5)
    with app.app_context():
        moderation.delete(db.session.get(Comment, question.id), None, "abusive")
        document = export_document(utcnow())
    html = bake(tmp_path, document)
    assert "This comment was removed." in html
    assert f'id="comment-{reply.id}"' in html
    assert "Asker" not in html
