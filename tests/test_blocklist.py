"""Blocklists send new reader comments to Held or Spam before Akismet is asked; admins keep
them on a page and from the command line, block a reader from a card, and empty the spam."""

import json
import re

import pytest
from sqlalchemy import func, select

from comments_service.enums import Decision
from comments_service.extensions import db
from comments_service.models import (
    BlocklistEntry,
    Comment,
    CommentStatus,
    ModerationAction,
    Role,
    SpamCheck,
)

from . import akismet_server as fake
from .conftest import BLOG_URL, answer_fields, csrf_token

READER_ADDRESS = "198.51.100.20"
QUESTION = "How do I export my schedule?"
# What is blocked, what a comment matching it carries, and the reason the card shows.
KINDS = {
    "email": ("email", "Blocked@Example.ORG", {"email": "blocked@example.org"}),
    "domain": ("domain", "Example.org", {"email": "jo@mail.example.org"}),
    "ip-v4-range": ("ip", "203.0.113.0/24", {"remote": "203.0.113.77"}),
    "ip-v6": ("ip", "2001:db8::/48", {"remote": "2001:db8:0:1::7"}),
    "word": ("word", "Cheap Pills", {"body": "Best CHEAP\npills, here."}),
}
REASONS = {
    "email": "blocklist: email blocked@example.org",
    "domain": "blocklist: domain example.org",
    "ip-v4-range": "blocklist: ip 203.0.113.0/24",
    "ip-v6": "blocklist: ip 2001:db8::/48",
    "word": "blocklist: word cheap pills",
}
# Near misses: each reads like an entry of KINDS but is not it.
NEAR_MISSES = {
    "email": {"email": "blocked@example.net"},
    "domain": {"email": "jo@notexample.org", "website": "https://example.org.evil.test/"},
    "ip-v4-range": {"remote": "203.0.114.1"},
    "ip-v6": {"remote": "2001:db8:1::7"},
    "word": {"body": "Cheap pillsbury dough, and cheap. Pills."},
}


@pytest.fixture
def akismet_service():
    server = fake.FakeAkismet()
    yield server
    server.stop()


@pytest.fixture
def app(app_with, akismet_service):
    """The service with spam checking on, against the local Akismet."""
    return app_with(
        PORCH_AKISMET_API_KEY="porch-test-key",
        PORCH_AKISMET_TIMEOUT_SECONDS=2,
        AKISMET_TRANSPORT=akismet_service.transport(),
    )


@pytest.fixture
def client(app):
    return app.test_client()


def run(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    return result


def block(app, kind, value, to):
    result = run(app, "blocklist", "add", kind, value, "--to", to)
    assert result.exit_code == 0, result.output
    return result


def post_comment(client, channel="json", remote=READER_ADDRESS, **fields) -> int:
    """Post as a reader through the API (JSON) or the blog's plain form; the new id."""
    data = {"author_name": "Jo Reader", "body": QUESTION, **fields}
    env = {"REMOTE_ADDR": remote}
    if channel == "json":
        response = client.post("/api/posts/hello/comments", json=data, environ_base=env)
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["status"] in ("approved", "pending")
        return response.get_json()["id"]
    form = {**data, "leave_blank": ""}
    response = client.post("/api/posts/hello/comments", data=form, environ_base=env)
    assert response.status_code == 303, response.get_data(as_text=True)
    return newest_comment_id(client.application)


def newest_comment_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.max(Comment.id)))


def verdict_of(app, comment_id) -> tuple[CommentStatus, list[tuple[Decision, str]]]:
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        actions = [(a.action, a.reason) for a in comment.actions]
        return comment.status, actions


def entries(app) -> list[tuple[str, str, str, str | None]]:
    with app.app_context():
        rows = db.session.scalars(select(BlocklistEntry).order_by(BlocklistEntry.id))
        return [
            (e.kind.value, e.value, e.sends_to.value, e.added_by and e.added_by.name) for e in rows
        ]


def fields_of(case: str) -> tuple[dict, str]:
    fields = dict(KINDS[case][2])
    return fields, fields.pop("remote", READER_ADDRESS)


@pytest.mark.parametrize("channel", ["json", "form"])
@pytest.mark.parametrize("case", KINDS)
def test_a_spam_entry_sends_the_comment_to_spam_and_akismet_is_never_asked(
    app, client, make_post, akismet_service, case, channel
):
    make_post("hello")
    kind, value, _ = KINDS[case]
    block(app, kind, value, "spam")
    fields, remote = fields_of(case)

    comment_id = post_comment(client, channel, remote=remote, **fields)

    assert verdict_of(app, comment_id) == (CommentStatus.SPAM, [(Decision.SPAM, REASONS[case])])
    assert akismet_service.requests_to("comment-check") == []
    assert client.get("/api/posts/hello/comments").get_json()["count"] == 0


@pytest.mark.parametrize("channel", ["json", "form"])
@pytest.mark.parametrize("case", KINDS)
def test_a_held_entry_holds_the_comment_for_a_person(
    app, client, make_post, akismet_service, case, channel
):
    make_post("hello")
    kind, value, _ = KINDS[case]
    block(app, kind, value, "held")
    fields, remote = fields_of(case)

    comment_id = post_comment(client, channel, remote=remote, **fields)

    assert verdict_of(app, comment_id) == (CommentStatus.PENDING, [(Decision.HOLD, REASONS[case])])
    assert len(akismet_service.requests_to("comment-check")) == 1, "Akismet may still say spam"


@pytest.mark.parametrize("case", KINDS)
def test_near_misses_are_published(app, client, make_post, case):
    make_post("hello")
    kind, value, _ = KINDS[case]
    block(app, kind, value, "spam")
    fields = dict(NEAR_MISSES[case])
    remote = fields.pop("remote", READER_ADDRESS)

    comment_id = post_comment(client, remote=remote, **fields)

    assert verdict_of(app, comment_id) == (CommentStatus.APPROVED, [])


def test_the_form_post_reads_pending_on_the_blog_for_spam_and_held_alike(app, client, make_post):
    make_post("hello")
    block(app, "email", "blocked@example.org", "spam")
    response = client.post(
        "/api/posts/hello/comments",
        data={"author_name": "Jo", "body": QUESTION, "email": "blocked@example.org"},
    )
    assert response.headers["Location"] == f"{BLOG_URL}/2026/11/hello/#comment-status-pending"


def test_spam_wins_over_held_when_a_comment_matches_both(app, client, make_post):
    make_post("hello")
    block(app, "word", "pills", "held")
    block(app, "domain", "example.org", "spam")
    comment_id = post_comment(client, email="jo@example.org", body="pills")
    assert verdict_of(app, comment_id) == (
        CommentStatus.SPAM,
        [(Decision.SPAM, "blocklist: domain example.org")],
    )


def test_a_reader_editing_blocked_words_into_their_comment_sends_it_to_spam(
    app, client, make_post, akismet_service
):
    make_post("hello")
    block(app, "word", "casino", "spam")
    posted = client.post("/api/posts/hello/comments", json={"author_name": "Jo", "body": QUESTION})
    comment_id, token = posted.get_json()["id"], posted.get_json()["own_token"]

    edited = client.patch(
        f"/api/comments/{comment_id}", json={"token": token, "body": "Visit my Casino!"}
    )

    assert edited.status_code == 200
    status, actions = verdict_of(app, comment_id)
    assert (status, actions[-1]) == (CommentStatus.SPAM, (Decision.SPAM, "blocklist: word casino"))
    assert len(akismet_service.requests_to("comment-check")) == 1, "only the first words"


def test_staff_answers_are_never_checked(app, client, make_post, make_staff, login):
    make_post("hello")
    block(app, "word", "pills", "spam")
    reader = post_comment(client, body="Which pills?")
    assert verdict_of(app, reader)[0] == CommentStatus.SPAM
    question = post_comment(client, body="Which dose?")
    login(make_staff("Ana Lima"))
    page = client.get("/moderation/").get_data(as_text=True)

    answered = client.post(
        f"/moderation/comments/{question}/answer",
        data={**answer_fields(page, question), "body": "Ask your doctor about pills."},
    )

    assert answered.status_code == 303
    with app.app_context():
        answer = db.session.scalar(select(Comment).where(Comment.staff_id.is_not(None)))
        assert (answer.status, answer.actions) == (CommentStatus.APPROVED, [])


# The admin page


@pytest.fixture
def admin(make_staff, login):
    staff = make_staff("Ana Lima", role=Role.ADMIN)
    login(staff)
    return staff


def page_token(client, path="/moderation/blocklist") -> str:
    return csrf_token(client.get(path).get_data(as_text=True))


def test_admins_add_and_remove_entries_on_the_blocklists_page(app, client, admin):
    nav = client.get("/moderation/").get_data(as_text=True)
    assert 'href="/moderation/blocklist"' in nav
    token = page_token(client)
    added = client.post(
        "/moderation/blocklist",
        data={"kind": "ip", "value": " 2001:DB8::1/48 ", "to": "spam", "csrf_token": token},
    )
    assert added.status_code == 303
    page = client.get(added.headers["Location"]).get_data(as_text=True)
    assert "ip 2001:db8::/48 added to the Spam list." in page
    assert "2001:db8::/48" in page and "added by Ana Lima" in page
    assert entries(app) == [("ip", "2001:db8::/48", "spam", "Ana Lima")]

    moved = client.post(
        "/moderation/blocklist",
        data={"kind": "ip", "value": "2001:db8::/48", "to": "held", "csrf_token": token},
        follow_redirects=True,
    )
    assert "moved from the Spam list to the Held list" in moved.get_data(as_text=True)
    entry_id = re.search(r"/moderation/blocklist/(\d+)/remove", moved.get_data(as_text=True))[1]

    removed = client.post(
        f"/moderation/blocklist/{entry_id}/remove",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert "ip 2001:db8::/48 removed" in removed.get_data(as_text=True)
    assert entries(app) == []


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        (
            {"kind": "ip", "value": "203.0.113.0/33"},
            422,
            "&#39;203.0.113.0/33&#39; is not an IP address or range; write one like 203.0.113.7,",
        ),
        ({"kind": "word", "value": "   "}, 422, "Type the word or phrase to block."),
        ({"kind": "email", "value": "jo.example.org"}, 422, "is not an email address"),
        ({"kind": "domain", "value": "https://example.org/"}, 422, "write only the name"),
        ({"kind": "colour", "value": "red"}, 400, "There is no kind &#39;colour&#39;; pick one"),
        ({"kind": "word", "value": "red", "to": "trash"}, 400, "There is no list &#39;trash&#39;"),
    ],
)
def test_a_refused_entry_says_why_and_keeps_what_was_typed(
    app, client, admin, fields, status, message
):
    data = {"to": "spam", **fields, "csrf_token": page_token(client)}
    response = client.post("/moderation/blocklist", data=data)
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert message in page
    if fields["value"].strip():
        assert f'value="{fields["value"]}"' in page
    assert entries(app) == []


def test_authors_may_not_see_or_change_the_blocklists(app, client, make_staff, login):
    block(app, "word", "pills", "spam")
    login(make_staff("Ben Ortiz"))
    assert 'href="/moderation/blocklist"' not in client.get("/moderation/").get_data(as_text=True)
    assert client.get("/moderation/blocklist").status_code == 403
    token = csrf_token(client.get("/moderation/").get_data(as_text=True))
    data = {"kind": "word", "value": "casino", "to": "spam", "csrf_token": token}
    assert client.post("/moderation/blocklist", data=data).status_code == 403
    assert client.post("/moderation/blocklist/1/remove", data=data).status_code == 403
    assert entries(app) == [("word", "pills", "spam", None)]


def test_blocklist_forms_without_the_csrf_token_change_nothing(app, client, admin):
    block(app, "word", "pills", "spam")
    data = {"kind": "word", "value": "casino", "to": "spam"}
    assert client.post("/moderation/blocklist", data=data).status_code == 400
    assert client.post("/moderation/blocklist/1/remove").status_code == 400
    assert entries(app) == [("word", "pills", "spam", None)]


# Block this reader


def block_form(html: str, comment_id: int) -> str:
    form = re.search(rf'action="(/moderation/comments/{comment_id}/block[^"]*)"', html)
    assert form, "no Block this reader button on the card"
    return form[1].replace("&amp;", "&")


def test_block_this_reader_blocks_their_email_and_marks_the_comment_spam(
    app, client, make_post, admin, akismet_service
):
    make_post("hello")
    comment_id = post_comment(client, email="Jo@Example.org")
    page = client.get(f"/moderation/comments/{comment_id}/tools?view=all").get_data(as_text=True)

    blocked = client.post(block_form(page, comment_id), data={"csrf_token": csrf_token(page)})

    assert blocked.status_code == 303
    after = client.get(blocked.headers["Location"]).get_data(as_text=True)
    assert "Blocked: email jo@example.org added to the Spam list." in after
    assert entries(app) == [("email", "jo@example.org", "spam", "Ana Lima")]
    status, actions = verdict_of(app, comment_id)
    assert (status, actions[-1]) == (
        CommentStatus.SPAM,
        (Decision.SPAM, "blocked this reader: email jo@example.org"),
    )
    assert len(akismet_service.requests_to("submit-spam")) == 1, "Akismet learns from it"
    again = post_comment(client, email="jo@EXAMPLE.org")
    assert verdict_of(app, again)[0] == CommentStatus.SPAM

    undo = re.search(r'<form class="undo".*?</form>', after, re.S)[0]
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', undo))
    assert client.post("/moderation/bulk", data=fields).status_code == 303
    assert verdict_of(app, comment_id)[0] == CommentStatus.APPROVED


def test_a_reader_without_email_is_blocked_by_address(app, client, make_post, admin):
    make_post("hello")
    comment_id = post_comment(client, remote="2001:db8::7")
    page = client.get(f"/moderation/comments/{comment_id}/tools?view=all").get_data(as_text=True)
    client.post(block_form(page, comment_id), data={"csrf_token": csrf_token(page)})
    assert entries(app) == [("ip", "2001:db8::7/128", "spam", "Ana Lima")]
    assert verdict_of(app, post_comment(client, remote="2001:db8::7"))[0] == CommentStatus.SPAM


def test_a_reader_whose_address_was_cut_to_its_network_is_blocked_by_that_network(
    app, client, make_post, make_comment, admin
):
    old = make_comment(make_post("hello"), remote_addr="203.0.113.0/24")
    page = client.get(f"/moderation/comments/{old.id}/tools?view=all").get_data(as_text=True)
    client.post(block_form(page, old.id), data={"csrf_token": csrf_token(page)})
    assert entries(app) == [("ip", "203.0.113.0/24", "spam", "Ana Lima")]
    assert verdict_of(app, post_comment(client, remote="203.0.113.9"))[0] == CommentStatus.SPAM


def test_authors_get_no_block_button_and_may_not_block(app, client, make_post, make_staff, login):
    make_post("hello")
    comment_id = post_comment(client, email="jo@example.org")
    login(make_staff("Ana Lima"))
    page = client.get(f"/moderation/comments/{comment_id}/tools").get_data(as_text=True)
    assert "Hand to a colleague" in page and f"/comments/{comment_id}/block" not in page
    response = client.post(
        f"/moderation/comments/{comment_id}/block", data={"csrf_token": csrf_token(page)}
    )
    assert response.status_code == 403
    assert entries(app) == [] and verdict_of(app, comment_id)[0] == CommentStatus.APPROVED


# The command line


def test_the_acceptance_sentence_a_blocked_address_goes_to_spam_not_the_blog(
    app, client, make_post
):
    make_post("hello")
    result = run(app, "blocklist", "add", "email", "blocked@example.org", "--to", "spam")
    assert result.exit_code == 0 and "email blocked@example.org added to the Spam list." in (
        result.output
    )

    comment_id = post_comment(client, email="blocked@example.org")

    assert verdict_of(app, comment_id)[0] == CommentStatus.SPAM
    assert client.get("/api/posts/hello/comments").get_json()["comments"] == []


def test_blocklist_commands_add_list_and_remove(app, make_staff):
    make_staff("Ana Lima", role=Role.ADMIN)
    block(app, "domain", "Bücher.example", "held")
    by_email = run(
        app, "blocklist", "add", "word", "casino", "--to", "spam", "--by", "ana@porch.test"
    )
    assert by_email.exit_code == 0, by_email.output

    listed = run(app, "blocklist", "list")
    assert listed.output.splitlines()[0].startswith("held\tdomain\txn--bcher-kva.example\t-\t")
    assert listed.output.splitlines()[1].startswith("spam\tword\tcasino\tAna Lima\t")
    as_json = json.loads(run(app, "blocklist", "list", "--to", "spam", "--json").output)
    assert [(e["kind"], e["value"], e["added_by"]) for e in as_json["entries"]] == [
        ("word", "casino", "Ana Lima")
    ]

    removed = run(app, "blocklist", "remove", "domain", "BÜCHER.example")
    assert removed.exit_code == 0
    assert "Removed domain xn--bcher-kva.example from the held list." in removed.output
    assert entries(app) == [("word", "casino", "spam", "Ana Lima")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "ip", "10.0.0.0/99", "--to", "spam"), "is not an IP address or range"),
        (("add", "word", "", "--to", "held"), "Type the word or phrase to block."),
        (("add", "colour", "red", "--to", "held"), "'colour' is not one of"),
        (("add", "word", "red"), "Missing option '--to'"),
        (
            ("add", "word", "red", "--to", "held", "--by", "Nobody"),
            "No staff account with the email",
        ),
        (("remove", "word", "absent"), "No word 'absent' on either list"),
    ],
)
def test_blocklist_commands_refuse_with_a_reason(app, args, message):
    result = run(app, "blocklist", *args)
    assert result.exit_code != 0
    assert message in result.output
    assert entries(app) == []


# Empty spam


def spam_comment(make_comment, post, **fields):
    return make_comment(post, status=CommentStatus.SPAM, published_at=None, **fields)


def test_the_spam_tabs_link_counts_up_to_a_hundred_and_the_confirmation_all(
    client, make_post, make_comment, admin
):
    post = make_post("hello")
    for n in range(102):
        spam_comment(make_comment, post, name=f"Bot {n}")

    tab = client.get("/moderation/?view=spam").get_data(as_text=True)
    assert 'href="/moderation/spam/empty">Empty spam (100+)</a>' in tab
    confirm = client.get("/moderation/spam/empty").get_data(as_text=True)
    assert "Delete 102 spam comments for good?" in confirm


def test_empty_spam_deletes_the_spam_tab_for_good_and_says_who_did(
    app, client, make_post, make_comment, admin
):
    post = make_post("hello")
    gone = [spam_comment(make_comment, post, name=f"Bot {n}") for n in range(2)]
    replied = spam_comment(make_comment, post, name="Replied to")
    make_comment(post, parent=replied, name="Reply")
    discarded = spam_comment(make_comment, post, spam_check=SpamCheck.DISCARDED)
    kept = make_comment(post, name="Published")
    with app.app_context():
        db.session.add(ModerationAction(comment_id=gone[0].id, action=Decision.SPAM, reason="x"))
        db.session.commit()

    tab = client.get("/moderation/?view=spam").get_data(as_text=True)
    assert 'href="/moderation/spam/empty">Empty spam (2)</a>' in tab
    confirm = client.get("/moderation/spam/empty").get_data(as_text=True)
    assert "Delete 2 spam comments for good?" in confirm
    late = spam_comment(make_comment, post, name="Came in after the confirmation")
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', confirm))

    emptied = client.post("/moderation/spam/empty", data=fields, follow_redirects=True)

    assert "2 spam comments deleted for good." in emptied.get_data(as_text=True)
    with app.app_context():
        left = set(db.session.scalars(select(Comment.id)))
        audit = db.session.scalars(select(ModerationAction)).all()
        assert left == {replied.id, replied.id + 1, discarded.id, kept.id, late.id}
        assert [(a.comment_id, a.staff.name, a.action, a.reason) for a in audit] == [
            (None, "Ana Lima", Decision.EMPTY_SPAM, "2 spam comments deleted for good")
        ]
    again = client.get("/moderation/spam/empty").get_data(as_text=True)
    assert "Delete 1 spam comment for good?" in again
    assert "Last emptied by Ana Lima" in again and "2 spam comments deleted for good" in again


def test_emptied_spam_is_not_in_the_full_export(
    app, client, make_post, make_comment, admin, tmp_path
):
    post = make_post("hello")
    spam = spam_comment(make_comment, post, name="Bot", author_email="bot@spam.test")
    token = csrf_token(client.get("/moderation/spam/empty").get_data(as_text=True))
    client.post("/moderation/spam/empty", data={"csrf_token": token, "up_to_id": spam.id})

    path = tmp_path / "full.json"
    assert run(app, "comments", "export", "--format", "json", str(path)).exit_code == 0
    document = json.loads(path.read_text())
    assert document["comments"] == []
    assert "bot@spam.test" not in path.read_text()
    assert [(m["action"], m["staff"]) for m in document["moderation"]] == [
        ("empty_spam", "ana@porch.test")
    ]


def test_only_admins_empty_spam_and_only_with_the_csrf_token(
    app, client, make_post, make_comment, make_staff, login
):
    post = make_post("hello")
    spam = spam_comment(make_comment, post)
    cy = make_staff("Cy Admin", role=Role.ADMIN)
    login(make_staff("Ana Lima"))
    tab = client.get("/moderation/?view=spam").get_data(as_text=True)
    assert spam.author_name in tab and "Empty spam" not in tab
    assert client.get("/moderation/spam/empty").status_code == 403
    fields = {"csrf_token": csrf_token(tab), "up_to_id": spam.id}
    assert client.post("/moderation/spam/empty", data=fields).status_code == 403

    client.post("/auth/logout", data={"csrf_token": csrf_token(tab)})
    login(cy)
    assert client.post("/moderation/spam/empty", data={"up_to_id": spam.id}).status_code == 400
    with app.app_context():
        assert db.session.get(Comment, spam.id) is not None
