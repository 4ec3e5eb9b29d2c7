"""The public API: reading threads, posting comments, and every way a post can go wrong."""

import pytest

from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus
from comments_service.services.comments.posting import add_staff_answer
from comments_service.services.moderation import decisions as moderation

from .conftest import BLOG_URL


def post_json(client, slug="hello", **fields):
    body = {"author_name": "Jo Reader", "body": "How do I export my schedule?", **fields}
    return client.post(f"/api/posts/{slug}/comments", json=body)


def stored_comment(app, comment_id) -> Comment:
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        db.session.expunge(comment)
        return comment


def test_json_comment_is_created_and_published(client, app, make_post):
    make_post("hello")
    response = post_json(client, email="jo@example.com", website="https://jo.example")
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "approved"
    assert body["comment"]["author_name"] == "Jo Reader"
    assert body["comment"]["html"] == "<p>How do I export my schedule?</p>"
    stored = stored_comment(app, body["id"])
    assert stored.author_email == "jo@example.com"
    assert stored.remote_addr == "127.0.0.1"


def test_thread_is_flat_each_comment_before_its_replies(client, app, make_post, make_staff):
    make_post("hello")
    ana = make_staff("Ana Lima")
    first = post_json(client, body="First question").get_json()["id"]
    second = post_json(client, body="Second question").get_json()["id"]
    with app.app_context():
        add_staff_answer(db.session.get(Comment, first), db.session.merge(ana), "An answer")
        db.session.commit()
    reply = post_json(client, body="Thanks!", parent_id=first).get_json()["id"]

    body = client.get("/api/posts/hello/comments").get_json()
    assert body["count"] == 4
    question, answer, thanks, other = body["comments"]
    assert [question["id"], thanks["id"], other["id"]] == [first, reply, second]
    assert [c["depth"] for c in body["comments"]] == [0, 1, 1, 0]
    assert answer["staff"] == {"name": "Ana Lima", "role": "author"}
    assert (answer["parent_id"], answer["in_reply_to"]) == (first, "Jo Reader")
    assert thanks["staff"] is None and other["in_reply_to"] is None
    assert "replies" not in question
    assert [c["answer_line"] for c in body["comments"]] == [
        "Answered by Ana Lima in under a minute",
        None,
        "Waiting for an answer",
        "Waiting for an answer",
    ]


def test_thread_nodes_carry_what_the_openapi_document_lists(client, make_post):
    make_post("hello")
    post_json(client)
    node = client.get("/api/posts/hello/comments").get_json()["comments"][0]
    schema = client.get("/api/openapi.json").get_json()["components"]["schemas"]["Comment"]
    assert set(schema["required"]) <= set(node) <= set(schema["properties"])
    assert "answer_line" in schema["required"]


def test_email_is_never_in_public_output(client, make_post):
    make_post("hello")
    post_json(client, email="secret@example.com")
    assert b"secret@example.com" not in client.get("/api/posts/hello/comments").data


def test_thread_supports_conditional_get(client, make_post):
    make_post("hello")
    first = client.get("/api/posts/hello/comments")
    again = client.get(
        "/api/posts/hello/comments", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304


def test_form_post_redirects_back_to_the_article(client, make_post):
    make_post("hello")
    response = client.post(
        "/api/posts/hello/comments",
        data={"author_name": "Jo", "body": "Plain form, no JavaScript.", "leave_blank": ""},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"{BLOG_URL}/2026/11/hello/#comment-status-approved"


def test_form_post_with_bad_fields_keeps_the_text(client, make_post):
    make_post("hello")
    response = client.post(
        "/api/posts/hello/comments",
        data={"author_name": "", "body": "My long careful question", "email": "nope"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "My long careful question" in page
    assert "Please tell us your name." in page
    assert "does not look right" in page


def test_honeypot_comment_is_binned_but_looks_pending(client, app, make_post):
    make_post("hello")
    response = post_json(client, leave_blank="http://spam.example")
    assert response.status_code == 201
    assert response.get_json()["status"] == "pending"
    assert stored_comment(app, response.get_json()["id"]).status == CommentStatus.SPAM


def test_comment_with_many_links_is_held(client, make_post):
    make_post("hello")
    links = " ".join(f"https://site{i}.example" for i in range(5))
    body = " ".join(f"[link](https://site{i}.example)" for i in range(5)) + links
    response = post_json(client, body=body)
    assert response.get_json()["status"] == "pending"
    assert client.get("/api/posts/hello/comments").get_json()["count"] == 0


def test_queue_policy_holds_every_reader_comment(app_with, make_post):
    app = app_with(PORCH_MODERATION_POLICY="queue")
    make_post("hello")
    assert post_json(app.test_client()).get_json()["status"] == "pending"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"author_name": ""}, "author_name", "Please tell us your name."),
        ({"author_name": "x" * 81}, "author_name", "under 80 characters"),
        ({"body": "   "}, "body", "Please write a comment."),
        ({"body": "x" * 10_001}, "body", "under 10,000 characters"),
        ({"email": "not-an-address"}, "email", "does not look right"),
        ({"website": "javascript:alert(1)"}, "website", "starting with https://"),
        ({"parent_id": "abc"}, "parent_id", "not a valid comment number"),
        ({"parent_id": 10**20}, "parent_id", "not a valid comment number"),
        ({"website": 'https://x.example/" onmouseover="x'}, "website", "starting with https://"),
    ],
)
def test_invalid_fields_get_422_with_a_message_per_field(client, make_post, fields, field, message):
    make_post("hello")
    response = post_json(client, **fields)
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "invalid"
    assert message in body["fields"][field]


@pytest.mark.parametrize("name", ["ana lima", "ÉMILE ØRSTED"])
def test_a_reader_cannot_post_under_a_staff_name(client, make_post, make_staff, name):
    make_post("hello")
    make_staff("Ana Lima")
    make_staff("Émile Ørsted")
    response = post_json(client, author_name=name)
    assert response.status_code == 422
    assert "belongs to a member of staff" in response.get_json()["fields"]["author_name"]


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("{not json", "application/json"),
        ('["a list"]', "application/json"),
        ('{"author_name": {"x": 1}, "body": "hi"}', "application/json"),
        ("hello", "text/plain"),
    ],
)
def test_malformed_bodies_get_400(client, make_post, data, content_type):
    make_post("hello")
    response = client.post("/api/posts/hello/comments", data=data, content_type=content_type)
    assert response.status_code == 400
    assert response.get_json()["error"] == "malformed"
    assert response.get_json()["message"]


def test_oversized_request_gets_413_and_stores_nothing(client, app, make_post):
    make_post("hello")
    response = post_json(client, body="x" * 70_000)
    assert response.status_code == 413
    assert "too large" in response.get_json()["message"]
    with app.app_context():
        assert db.session.query(Comment).count() == 0


def test_unknown_post_is_refused(client):
    for response in (post_json(client, slug="nope"), client.get("/api/posts/nope/comments")):
        assert response.status_code == 404
        assert response.get_json()["error"] == "unknown_post"


def test_unknown_or_hidden_parent_is_refused(client, make_post, make_comment):
    post = make_post("hello")
    other = make_comment(make_post("other"))
    held = make_comment(post, status=CommentStatus.PENDING)
    for parent_id in (999, other.id, held.id):
        response = post_json(client, parent_id=parent_id)
        assert response.status_code == 404
        assert response.get_json()["error"] == "unknown_parent"


@pytest.mark.parametrize(
    ("markdown", "forbidden"),
    [
        ("<script>alert(1)</script>hello", "<script"),
        ('<img src=x onerror="alert(1)">hello', "onerror"),
        ("[click](javascript:alert(1))", "javascript:"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ('<p style="color:red" onclick="x()">hi</p>', "onclick"),
        ("<iframe src='https://evil.example'></iframe>hello", "<iframe"),
    ],
)
def test_comment_html_is_sanitised(client, make_post, markdown, forbidden):
    make_post("hello")
    html = post_json(client, body=markdown).get_json()["comment"]["html"]
    assert forbidden not in html.lower()


@pytest.mark.parametrize(
    "markdown",
    [
        "[click](javascript:alert(1))",
        '<a href="data:text/html,x" title="t">click</a>',
        "[*click*](vbscript:x)",
    ],
)
def test_a_link_whose_address_is_dropped_becomes_its_words(client, make_post, markdown):
    """An <a> left without href would be no link and invalid HTML: only its words stay."""
    make_post("hello")
    html = post_json(client, body=markdown).get_json()["comment"]["html"]
    assert "<a" not in html and "click" in html


def test_links_get_nofollow_ugc(client, make_post):
    make_post("hello")
    html = post_json(client, body="See [docs](https://docs.example/x).").get_json()["comment"][
        "html"
    ]
    assert '<a href="https://docs.example/x" rel="nofollow ugc">docs</a>' in html


def test_markdown_is_rendered(client, make_post):
    make_post("hello")
    html = post_json(client, body="**bold**\n\n- one\n- two\n\n```\ncode\n```").get_json()
    assert "<strong>bold</strong>" in html["comment"]["html"]
    assert "<li>one</li>" in html["comment"]["html"]
    assert "<pre><code>code" in html["comment"]["html"]


def test_cors_allows_only_the_blog_origin(client, make_post):
    make_post("hello")
    allowed = client.get("/api/posts/hello/comments", headers={"Origin": BLOG_URL})
    assert allowed.headers["Access-Control-Allow-Origin"] == BLOG_URL
    foreign = client.get("/api/posts/hello/comments", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in foreign.headers
    preflight = client.options(
        "/api/posts/hello/comments",
        headers={
            "Origin": BLOG_URL,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == BLOG_URL


def test_posts_from_another_site_are_refused(client, app, make_post):
    make_post("hello")
    response = client.post(
        "/api/posts/hello/comments",
        data={"author_name": "Jo", "body": "forged"},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert post_json(client, body="from the blog").status_code == 201
    with app.app_context():
        assert db.session.query(Comment).count() == 1


def test_comment_posting_is_rate_limited(app_with, make_post):
    app = app_with(RATELIMIT_ENABLED=True, PORCH_COMMENT_RATE_LIMIT="2 per minute")
    make_post("hello")
    client = app.test_client()
    statuses = [post_json(client).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    assert "wait" in post_json(client).get_json()["message"]


def test_openapi_document_describes_the_api(client):
    document = client.get("/api/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    operations = document["paths"]["/api/posts/{slug}/comments"]
    assert set(operations) >= {"get", "post"}
    required = document["components"]["schemas"]["Comment"]["required"]
    assert {"id", "parent_id", "depth", "in_reply_to", "author_name", "html", "staff"} <= set(
        required
    )


def test_form_post_errors_are_pages_a_reader_can_act_on(client):
    response = client.post("/api/posts/nope/comments", data={"author_name": "Jo", "body": "Hi"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "There is no post &#39;nope&#39; to comment on." in page
    assert f'href="{BLOG_URL}"' in page


def test_every_api_route_is_in_the_openapi_document(app, client):
    documented = {
        (path, method)
        for path, operations in client.get("/api/openapi.json").get_json()["paths"].items()
        for method in operations
        if method != "parameters"
    }
    served = {
        (rule.rule.replace("<slug>", "{slug}").replace("<int:comment_id>", "{id}"), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(
            ("/api/posts", "/api/changes", "/api/manifest", "/api/comments", "/api/preview")
        )
        or rule.rule in ("/healthz", "/readyz")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert served == documented


def test_removed_comment_stays_as_a_placeholder_above_its_replies(
    client, app, make_post, make_staff
):
    make_post("hello")
    ana = make_staff("Ana Lima")
    question = post_json(client, body="Rude question").get_json()["id"]
    reply = post_json(client, body="A fair follow-up", parent_id=question).get_json()["id"]
    with app.app_context():
        moderation.delete(db.session.get(Comment, question), db.session.merge(ana), "abusive")
        db.session.commit()
    body = client.get("/api/posts/hello/comments").get_json()
    placeholder, follow_up = body["comments"]
    assert placeholder["removed"] is True
    assert placeholder["html"] is None and placeholder["author_name"] is None
    assert (follow_up["id"], follow_up["depth"], follow_up["in_reply_to"]) == (reply, 1, None)
    assert body["count"] == 1
    assert b"Rude question" not in client.get("/api/posts/hello/comments").data
    assert post_json(client, parent_id=question).status_code == 404
