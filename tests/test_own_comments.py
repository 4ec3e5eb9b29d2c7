"""A reader's own comment: edit and delete within the window, held ones shown to their writer,
and the preview that renders exactly as a stored comment does."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from comments_service.enums import Decision
from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus, ModerationAction, Post, Role
from comments_service.services.comments.own import (
    OWN,
    Refused,
    check_changeable,
    comments_of_writer,
    edit_until,
    own_token,
)
from comments_service.services.comments.posting import add_staff_answer
from comments_service.services.moderation import decisions as moderation
from comments_service.services.tokens import CONFIRM, Tokens

from .conftest import BLOG_URL

WINDOW = timedelta(minutes=15)
FOREIGN = "https://evil.example"


def post_comment(client, slug="hello", **fields):
    body = {"author_name": "Jo Reader", "body": "How do I export my schedule?", **fields}
    response = client.post(f"/api/posts/{slug}/comments", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def edit(client, comment_id, token, body, **headers):
    return client.patch(
        f"/api/comments/{comment_id}", json={"token": token, "body": body}, headers=headers
    )


def delete(client, comment_id, token):
    return client.delete(f"/api/comments/{comment_id}", json={"token": token})


def mine(client, *tokens):
    response = client.post("/api/comments/mine", json={"tokens": list(tokens)})
    assert response.status_code == 200
    return response.get_json()["comments"]


def comment_in(app, comment_id) -> Comment | None:
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        if comment is not None:
            db.session.expunge(comment)
        return comment


def version_of(app, slug="hello") -> int:
    with app.app_context():
        return db.session.scalar(select(Post.comments_version).where(Post.slug == slug))


def token_for(app, comment) -> str:
    with app.app_context():
        return own_token(Tokens(app.config["SECRET_KEY"]), comment)


def answer(app, comment_id, staff, text="Thanks, here is how."):
    with app.app_context():
        add_staff_answer(db.session.get(Comment, comment_id), db.session.merge(staff), text)
        db.session.commit()


def test_the_answer_to_a_post_carries_the_writers_token_and_deadline(client, app, make_post):
    make_post("hello")
    created = post_comment(client)
    stored = comment_in(app, created["id"])
    assert created["edit_until"] == (stored.created_at + WINDOW).strftime("%Y-%m-%dT%H:%M:%SZ")
    signed = URLSafeTimedSerializer("test-secret", salt=OWN).loads(created["own_token"])
    assert signed == [created["id"], stored.link_key]


def test_a_held_comment_gets_a_token_too(app_with, make_post):
    app = app_with(PORCH_MODERATION_POLICY="queue")
    make_post("hello")
    created = post_comment(app.test_client())
    assert created["status"] == "pending"
    assert created["own_token"] and created["edit_until"].endswith("Z")


def test_the_thread_never_shows_tokens(client, make_post):
    make_post("hello")
    created = post_comment(client)
    assert created["own_token"] not in client.get("/api/posts/hello/comments").get_data(True)


def test_writer_edits_within_the_window(client, app, make_post):
    make_post("hello")
    created = post_comment(client, body="Frist!")
    before = version_of(app)
    response = edit(client, created["id"], created["own_token"], "First, *sorry*.")
    assert response.status_code == 200
    node = response.get_json()["comment"]
    assert node["html"] == "<p>First, <em>sorry</em>.</p>"
    assert node["edited_at"] is not None and node["id"] == created["id"]
    assert node["status"] == "approved"
    thread = client.get("/api/posts/hello/comments").get_json()["comments"]
    assert [c["html"] for c in thread] == ["<p>First, <em>sorry</em>.</p>"]
    assert version_of(app) == before + 1
    with app.app_context():
        audit = db.session.scalars(
            select(ModerationAction).where(ModerationAction.action == Decision.EDIT)
        ).one()
        assert audit.comment_id == created["id"] and audit.staff_id is None
        assert audit.reason == "Edited by its writer. Before the edit:\nFrist!"


def test_an_edit_after_the_window_is_refused(client, app, make_post, make_comment):
    post = make_post("hello")
    late = make_comment(post, minutes_ago=16, body_markdown="old words")
    response = edit(client, late.id, token_for(app, late), "new words")
    assert response.status_code == 403
    body = response.get_json()
    assert body["error"] == "edit_window_closed"
    assert body["message"] == (
        "Comments can be changed or deleted for 15 minutes after posting; that time is over."
        " Add a reply below it instead."
    )
    assert delete(client, late.id, token_for(app, late)).get_json()["error"] == (
        "edit_window_closed"
    )
    assert comment_in(app, late.id).body_markdown == "old words"


def test_the_window_is_read_against_an_explicit_clock(app, make_post, make_comment):
    posted = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
    comment = make_comment(make_post("hello"), created_at=posted)
    check_changeable(comment, posted + WINDOW, WINDOW)  # the last moment still counts
    with pytest.raises(Refused) as refused:
        check_changeable(comment, posted + WINDOW + timedelta(seconds=1), WINDOW)
    assert refused.value.kind == "edit_window_closed"


def test_the_window_ends_on_the_second_the_api_gives(app, make_post, make_comment):
    posted = datetime(2026, 3, 5, 9, 0, 0, 700_000, tzinfo=UTC)
    comment = make_comment(make_post("hello"), created_at=posted)
    assert edit_until(comment, WINDOW) == datetime(2026, 3, 5, 9, 15, tzinfo=UTC)
    check_changeable(comment, datetime(2026, 3, 5, 9, 15, tzinfo=UTC), WINDOW)
    with pytest.raises(Refused):
        check_changeable(comment, datetime(2026, 3, 5, 9, 15, 0, 1, tzinfo=UTC), WINDOW)


def test_the_window_is_a_setting(app_with, make_post):
    app = app_with(PORCH_READER_EDIT_MINUTES=0.5)
    make_post("hello")
    created = post_comment(app.test_client())
    stored = comment_in(app, created["id"])
    until = stored.created_at + timedelta(seconds=30)
    assert created["edit_until"] == until.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_an_edit_after_a_staff_answer_is_refused(client, app, make_post, make_staff):
    make_post("hello")
    ana = make_staff("Ana Lima")
    created = post_comment(client)
    answer(app, created["id"], ana)
    response = edit(client, created["id"], created["own_token"], "Changed after the answer")
    assert response.status_code == 403
    assert response.get_json()["error"] == "answered"
    assert "Add a reply below it instead." in response.get_json()["message"]
    assert delete(client, created["id"], created["own_token"]).status_code == 403
    assert comment_in(app, created["id"]).body_markdown == "How do I export my schedule?"


def test_a_staff_answer_deep_below_also_closes_the_comment(client, app, make_post, make_staff):
    make_post("hello")
    ana = make_staff("Ana Lima")
    created = post_comment(client)
    follow_up = post_comment(client, body="And another thing", parent_id=created["id"])
    answer(app, follow_up["id"], ana)
    refused = edit(client, created["id"], created["own_token"], "Changed")
    assert refused.get_json()["error"] == "answered"


@pytest.mark.parametrize("which", ["foreign", "forged", "other secret", "other purpose", "none"])
def test_a_token_not_made_for_the_comment_is_refused(client, app, make_post, which):
    make_post("hello")
    target = post_comment(client, body="Mine")
    other = post_comment(client, author_name="Someone Else", body="Theirs")
    row = comment_in(app, target["id"])
    token = {
        "foreign": other["own_token"],
        "forged": target["own_token"][:-2] + ("AA" if target["own_token"][-2:] != "AA" else "BB"),
        "other secret": URLSafeTimedSerializer("guessed", salt=OWN).dumps([row.id, row.link_key]),
        "other purpose": Tokens("test-secret").make(CONFIRM, row),
        "none": None,
    }[which]
    response = edit(client, target["id"], token, "Hijacked")
    assert response.status_code == 403
    assert response.get_json()["error"] == "bad_token"
    assert delete(client, target["id"], token).get_json()["error"] == "bad_token"
    assert comment_in(app, target["id"]).body_markdown == "Mine"


def test_an_edit_that_trips_the_spam_guard_is_held(client, app, make_post):
    make_post("hello")
    created = post_comment(client, body="Plain words")
    before = version_of(app)
    links = " ".join(f"https://site{n}.example" for n in range(4))
    response = edit(client, created["id"], created["own_token"], f"Now with {links}")
    assert response.status_code == 200
    assert response.get_json()["comment"]["status"] == "pending"
    assert comment_in(app, created["id"]).status == CommentStatus.PENDING
    assert client.get("/api/posts/hello/comments").get_json()["comments"] == []
    assert version_of(app) == before + 1
    with app.app_context():
        hold = db.session.scalars(
            select(ModerationAction).where(ModerationAction.action == Decision.HOLD)
        ).one()
        assert hold.reason == "4 links (more than 3)"


def test_an_edit_never_publishes_a_held_comment(app_with, make_post):
    app = app_with(PORCH_MODERATION_POLICY="queue")
    make_post("hello")
    client = app.test_client()
    created = post_comment(client)
    response = edit(client, created["id"], created["own_token"], "Nicer words")
    assert response.get_json()["comment"]["status"] == "pending"
    assert comment_in(app, created["id"]).status == CommentStatus.PENDING


@pytest.mark.parametrize(
    "text, forbidden",
    [
        ("<script>alert(1)</script>hi", "<script"),
        ("[x](javascript:alert(1))", "javascript:"),
        ('<img src=x onerror="alert(1)">', "onerror"),
    ],
)
def test_an_edit_is_sanitised(client, make_post, text, forbidden):
    make_post("hello")
    created = post_comment(client)
    node = edit(client, created["id"], created["own_token"], f"{text} and words").get_json()
    assert forbidden not in node["comment"]["html"]
    assert "and words" in node["comment"]["html"]


@pytest.mark.parametrize(
    "body, field_message",
    [
        ("   ", "Please write a comment."),
        ("x" * 10_001, "Please keep comments under 10,000 characters (10,001 now)."),
    ],
)
def test_an_edit_is_checked_like_a_new_comment(client, app, make_post, body, field_message):
    make_post("hello")
    created = post_comment(client)
    response = edit(client, created["id"], created["own_token"], body)
    assert response.status_code == 422
    assert response.get_json()["fields"] == {"body": field_message}
    assert comment_in(app, created["id"]).edited_at is None


def test_deleting_a_comment_without_replies_removes_it(client, app, make_post):
    make_post("hello")
    created = post_comment(client, email="jo@example.com", subscribe="anyone")
    before = version_of(app)
    assert delete(client, created["id"], created["own_token"]).status_code == 204
    assert comment_in(app, created["id"]) is None
    thread = client.get("/api/posts/hello/comments").get_json()
    assert (thread["comments"], thread["count"]) == ([], 0)
    assert version_of(app) == before + 1
    with app.app_context():
        audit = db.session.scalars(
            select(ModerationAction).where(ModerationAction.action == Decision.FORGET)
        ).one()
        assert audit.reason.startswith(f"Comment {created['id']} on “hello” erased")


@pytest.mark.parametrize("replied", [False, True])
@pytest.mark.parametrize("how", ["deleted by its writer", "erased with people forget"])
def test_an_erased_comment_leaves_no_earlier_words_in_the_audit(
    client, app, make_post, replied, how
):
    make_post("hello")
    created = post_comment(client, body="My secret first words", email="jo@reader.test")
    edit(client, created["id"], created["own_token"], "Better words")
    if replied:
        post_comment(client, author_name="Sam", body="Reply", parent_id=created["id"])
    if how == "deleted by its writer":
        assert delete(client, created["id"], created["own_token"]).status_code == 204
    else:
        result = app.test_cli_runner().invoke(args=["people", "forget", "jo@reader.test"])
        assert result.exit_code == 0, result.output
    with app.app_context():
        reasons = db.session.scalars(select(ModerationAction.reason)).all()
    assert len(reasons) == 2  # the edit and the erasure
    assert not any("words" in (reason or "") for reason in reasons), reasons


def test_deleting_a_comment_with_replies_leaves_a_placeholder(client, app, make_post):
    make_post("hello")
    created = post_comment(client, body="Rude question")
    reply = post_comment(client, author_name="Sam", body="Fair point", parent_id=created["id"])
    assert delete(client, created["id"], created["own_token"]).status_code == 204
    thread = client.get("/api/posts/hello/comments").get_json()
    assert thread["count"] == 1
    placeholder, kept = thread["comments"]
    assert (placeholder["id"], placeholder["removed"]) == (created["id"], True)
    assert placeholder["removed_reason"] == "author_request"
    assert placeholder["html"] is None and placeholder["author_name"] is None
    assert (kept["id"], kept["parent_id"]) == (reply["id"], created["id"])
    assert comment_in(app, created["id"]).body_markdown == ""


def test_a_deleted_comment_cannot_be_changed_again(client, make_post):
    make_post("hello")
    created = post_comment(client)
    post_comment(client, author_name="Sam", body="Reply", parent_id=created["id"])
    delete(client, created["id"], created["own_token"])
    again = edit(client, created["id"], created["own_token"], "Back")
    assert (again.status_code, again.get_json()["error"]) == (404, "unknown_comment")


def test_mine_shows_the_writer_their_held_comment(app_with, make_post):
    app = app_with(PORCH_MODERATION_POLICY="queue")
    make_post("hello")
    client = app.test_client()
    created = post_comment(client, body="Held for now")
    (node,) = mine(client, created["own_token"])
    assert (node["id"], node["status"], node["html"]) == (
        created["id"],
        "pending",
        "<p>Held for now</p>",
    )
    assert node["depth"] == 0 and "author_email" not in node
    assert client.get("/api/posts/hello/comments").get_json()["comments"] == []


def test_mine_drops_decided_spam_and_forged_ones(client, app, make_post, make_staff):
    make_post("hello")
    ana = make_staff("Ana Lima", role=Role.ADMIN)
    kept = post_comment(client, body="Still here")
    binned = post_comment(client, body="Bot text", leave_blank="filled")
    taken_down = post_comment(client, body="Rude")
    with app.app_context():
        moderation.delete(db.session.get(Comment, taken_down["id"]), db.session.merge(ana))
        db.session.commit()
    forged = kept["own_token"][:-3] + "xyz"
    found = mine(client, kept["own_token"], binned["own_token"], taken_down["own_token"], forged)
    assert [(c["id"], c["status"]) for c in found] == [(kept["id"], "approved")]
    assert binned["status"] == "pending"  # the bot is not told it was binned


def test_mine_ignores_tokens_past_their_days(app, make_post, make_comment):
    comment = make_comment(make_post("hello"))
    tokens = Tokens(app.config["SECRET_KEY"])
    with app.app_context():
        token = own_token(tokens, comment)
        now = datetime.now(UTC)
        assert [c.id for c in comments_of_writer(tokens, [token], now, timedelta(days=30))] == [
            comment.id
        ]
        later = now + timedelta(days=30, seconds=5)
        assert comments_of_writer(tokens, [token], later, timedelta(days=30)) == []


@pytest.mark.parametrize("sent", [{"tokens": "abc"}, {"tokens": ["x"] * 201}, {}])
def test_mine_refuses_what_is_not_a_list_of_tokens(client, sent):
    response = client.post("/api/comments/mine", json=sent)
    assert (response.status_code, response.get_json()["error"]) == (400, "malformed")


def test_preview_renders_like_a_stored_comment(client, make_post):
    make_post("hello")
    text = "Hello *there*, see https://example.com\n\n<script>x</script>"
    preview = client.post("/api/preview", json={"body": text})
    assert preview.status_code == 200
    stored = post_comment(client, body=text)["comment"]["html"]
    assert preview.get_json() == {"html": stored}


@pytest.mark.parametrize(
    "body, message",
    [
        ("", "Please write a comment."),
        ("x" * 10_001, "Please keep comments under 10,000 characters (10,001 now)."),
    ],
)
def test_preview_of_an_empty_or_long_text_is_a_field_error(client, body, message):
    response = client.post("/api/preview", json={"body": body})
    assert response.status_code == 422
    assert response.get_json() == {
        "error": "invalid",
        "message": "Some fields need attention.",
        "fields": {"body": message},
    }


def test_preview_is_rate_limited(app_with):
    app = app_with(RATELIMIT_ENABLED=True, PORCH_PREVIEW_RATE_LIMIT="2 per minute")
    client = app.test_client()
    statuses = [client.post("/api/preview", json={"body": "hi"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


PIECES = [*"ab *_`#>-[]()<>/&\"'\n:.\u00e9", "http://x.example", "<b>", "\n\n    "]
MARKDOWNISH = st.lists(st.sampled_from(PIECES), min_size=1, max_size=30).map("".join)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=MARKDOWNISH)
def test_preview_always_equals_the_stored_rendering(client, app, make_post, text):
    with app.app_context():
        if db.session.scalar(select(func.count()).select_from(Post)) == 0:
            make_post("hello")
    preview = client.post("/api/preview", json={"body": text})
    posted = client.post(
        "/api/posts/hello/comments",
        json={"author_name": "Jo", "body": text},
        headers={"Idempotency-Key": f"k{abs(hash(text))}"},
    )
    if preview.status_code == 422:
        assert posted.status_code == 422
        assert preview.get_json()["fields"]["body"] == posted.get_json()["fields"]["body"]
        return
    assert (preview.status_code, posted.status_code) == (200, 201)
    stored = comment_in(app, posted.get_json()["id"])
    assert preview.get_json()["html"] == stored.body_html


def test_writes_from_another_site_are_refused(client, make_post):
    make_post("hello")
    created = post_comment(client)
    response = edit(client, created["id"], created["own_token"], "x", Origin=FOREIGN)
    assert (response.status_code, response.get_json()["error"]) == (403, "foreign_origin")
    for path, body in [("/api/preview", {"body": "hi"}), ("/api/comments/mine", {"tokens": []})]:
        refused = client.post(path, json=body, headers={"Origin": FOREIGN})
        assert refused.status_code == 403


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_changes_pass_the_preflight_from_the_blog_only(client, method):
    asked = {
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "Content-Type",
    }
    ours = client.options("/api/comments/1", headers={"Origin": BLOG_URL, **asked})
    assert ours.headers["Access-Control-Allow-Origin"] == BLOG_URL
    assert method in ours.headers["Access-Control-Allow-Methods"]
    theirs = client.options("/api/comments/1", headers={"Origin": FOREIGN, **asked})
    assert "Access-Control-Allow-Origin" not in theirs.headers


def test_staff_see_the_readers_edit_in_the_history(client, make_post, make_staff, login):
    make_post("hello")
    ana = make_staff("Ana Lima")
    created = post_comment(client, body="First words")
    edit(client, created["id"], created["own_token"], "Second words")
    login(ana)
    page = client.get(f"/moderation/comments/{created['id']}/thread").get_data(as_text=True)
    assert "The reader · edited" in page
    assert "Before the edit:\nFirst words" in page
