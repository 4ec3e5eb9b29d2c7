"""Akismet checks every new reader comment, over real HTTP to a local Akismet.

The library and httpx run as in production; only the address changes (see
tests/akismet_server.py). When Akismet cannot answer, comments are held, never lost.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import akismet
import pytest
from sqlalchemy import func, select

from comments_service.enums import Decision, SpamCheck
from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus, ModerationAction, Post, utcnow
from comments_service.queries.states import in_spam, pending_approval
from comments_service.services.spam.akismet import (
    CONNECTIONS,
    Akismet,
    AkismetSettings,
    for_app,
    settings_from,
)
from comments_service.services.spam.guard import ask_akismet, report_ham, report_spam

from . import akismet_server as fake
from .conftest import BLOG_URL, csrf_token

KEY = "porch-test-key"
READER_ADDRESS = "203.0.113.7"
HELD_COMMENTS = 200


@pytest.fixture
def akismet_service():
    server = fake.FakeAkismet()
    yield server
    server.stop()


@pytest.fixture
def checked_app(app_with, akismet_service):
    """The service with an Akismet key, talking to the local Akismet."""

    def build(transport=None, **overrides):
        return app_with(
            PORCH_AKISMET_API_KEY=KEY,
            PORCH_AKISMET_TIMEOUT_SECONDS=0.5,
            PORCH_TRUSTED_PROXIES=1,
            AKISMET_TRANSPORT=transport or akismet_service.transport(),
            **overrides,
        )

    return build


def post_comment(client, slug="hello", headers=None, **fields):
    body = {"author_name": "Jo Reader", "body": "How do I export my schedule?", **fields}
    sent = {"X-Forwarded-For": READER_ADDRESS, "User-Agent": "Mozilla/5.0 (Porch test)"}
    return client.post(
        f"/api/posts/{slug}/comments", json=body, headers={**sent, **(headers or {})}
    )


def comment_in(app, comment_id) -> Comment:
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        db.session.expunge(comment)
        return comment


def guard_reasons(app, comment_id) -> list[tuple[Decision, str]]:
    with app.app_context():
        actions = db.session.scalars(
            select(ModerationAction).where(ModerationAction.comment_id == comment_id)
        )
        return [(action.action, action.reason) for action in actions]


def test_every_reader_comment_is_checked_with_its_full_context(
    checked_app, akismet_service, make_post
):
    app = checked_app()
    make_post("hello")
    client = app.test_client()
    first = post_comment(client, email="jo@example.com", website="https://jo.example")
    referrer = f"{BLOG_URL}/2026/11/hello/"
    reply = post_comment(client, parent_id=first.get_json()["id"], headers={"Referer": referrer})

    assert [first.status_code, reply.status_code] == [201, 201]
    assert first.get_json()["status"] == "approved"
    checked, checked_reply = akismet_service.requests_to("comment-check")
    created = comment_in(app, first.get_json()["id"]).created_at
    assert checked == {
        "api_key": KEY,
        "blog": BLOG_URL,
        "user_ip": READER_ADDRESS,
        "user_agent": "Mozilla/5.0 (Porch test)",
        "referrer": "",
        "permalink": f"{BLOG_URL}/2026/11/hello/",
        "comment_type": "comment",
        "comment_author": "Jo Reader",
        "comment_author_email": "jo@example.com",
        "comment_author_url": "https://jo.example",
        "comment_content": "How do I export my schedule?",
        "comment_date_gmt": created.isoformat(),
        "blog_lang": "en",
        "blog_charset": "UTF-8",
    }
    assert (checked_reply["comment_type"], checked_reply["referrer"]) == ("reply", referrer)
    assert comment_in(app, first.get_json()["id"]).spam_check == SpamCheck.PASSED
    assert len(akismet_service.requests_to("verify-key")) == 1, "one client per app"


def test_no_connection_or_lock_is_held_while_akismet_is_asked(
    checked_app, akismet_service, make_post
):
    """The local Akismet looks from its request handler while the service waits for it:
    the pool has its one connection back, and another writer stores a row through it."""
    make_post("hello")
    app = checked_app(PORCH_DATABASE_POOL_SIZE=1, PORCH_DATABASE_TIMEOUT_SECONDS=1)
    seen = []

    def another_writer():
        with app.app_context():
            seen.append(db.engine.pool.checkedout())
            db.session.add(Post(slug="written-meanwhile", title="Meanwhile", path="/m/"))
            db.session.commit()
            seen.append("stored")

    akismet_service.while_asked("comment-check", another_writer)
    answer = post_comment(app.test_client())
    assert answer.status_code == 201
    assert seen == [0, "stored"]
    with app.app_context():
        comment = db.session.scalar(select(Comment))
        assert (comment.status, comment.spam_check) == (CommentStatus.APPROVED, SpamCheck.PASSED)
        slugs = set(db.session.scalars(select(Post.slug)))
    assert slugs == {"hello", "written-meanwhile"}


WORKER_THREADS = 30


def test_each_thread_asking_at_once_keeps_its_connection_for_the_next_check():
    """A worker's threads all waiting on Akismet at once, then again: every connection
    opened the first time is used the second, none opened anew (a TCP and TLS handshake
    per comment). httpx's default keeps 20 and would open 10 more."""
    server = fake.FakeAkismet(keep_alive=True)
    server.answer("comment-check", fake.Answer("false", delay=0.2))
    transport = server.transport(limits=CONNECTIONS)
    checker = Akismet(
        AkismetSettings(
            api_key=KEY, blog_url=BLOG_URL, article_base=BLOG_URL, timeout=5, blog_lang="en",
            is_test=False, transport=transport,
        )
    )  # fmt: skip
    client = checker.client()
    every_thread_asking = threading.Barrier(WORKER_THREADS, timeout=10)

    def check_twice(_):
        for _ in range(2):
            every_thread_asking.wait()
            client.comment_check(user_ip=READER_ADDRESS, comment_content="Hello")

    try:
        with ThreadPoolExecutor(WORKER_THREADS) as threads:
            list(threads.map(check_twice, range(WORKER_THREADS)))
    finally:
        transport.close()
        server.stop()
    assert len(server.requests_to("comment-check")) == 2 * WORKER_THREADS
    assert len(set(server.connections)) == WORKER_THREADS


def test_staging_checks_are_marked_as_tests_in_the_language_set(
    checked_app, akismet_service, make_post
):
    app = checked_app(PORCH_AKISMET_IS_TEST=True, PORCH_AKISMET_BLOG_LANG="pt, en")
    make_post("hello")
    post_comment(app.test_client())
    (checked,) = akismet_service.requests_to("comment-check")
    assert (checked["is_test"], checked["blog_lang"]) == ("true", "pt, en")


def test_the_client_is_built_on_first_use_not_with_the_app(checked_app, akismet_service, make_post):
    app = checked_app()
    make_post("hello")
    assert akismet_service.received == []
    post_comment(app.test_client())
    assert [path for path, _ in akismet_service.received] == [
        "/1.1/verify-key",
        "/1.1/comment-check",
    ]


def test_akismet_spam_is_stored_as_spam_and_the_reader_told_it_awaits_a_check(
    checked_app, akismet_service, make_post
):
    akismet_service.answer("comment-check", fake.SPAM)
    app = checked_app()
    make_post("hello")
    response = post_comment(app.test_client())
    assert (response.status_code, response.get_json()["status"]) == (201, "pending")
    comment = comment_in(app, response.get_json()["id"])
    assert (comment.status, comment.spam_check) == (CommentStatus.SPAM, SpamCheck.SPAM)
    assert guard_reasons(app, comment.id) == [(Decision.SPAM, "Akismet: spam")]
    with app.app_context():
        assert db.session.scalars(in_spam()).all()[0].id == comment.id


def test_blatant_spam_is_discarded_and_left_out_of_the_spam_to_review(
    checked_app, akismet_service, make_post
):
    akismet_service.answer("comment-check", fake.DISCARD)
    app = checked_app()
    make_post("hello")
    response = post_comment(app.test_client())
    comment = comment_in(app, response.get_json()["id"])
    assert (comment.status, comment.spam_check) == (CommentStatus.SPAM, SpamCheck.DISCARDED)
    with app.app_context():
        assert db.session.scalars(in_spam()).all() == []
    assert app.test_client().get("/api/posts/hello/comments").get_json()["count"] == 0


FAILURES = {
    "down": dict(transport=fake.Unreachable()),
    "slow": dict(answer=fake.Answer("false", delay=1.5)),
    "5xx": dict(answer=fake.BROKEN),
    "rate limiting": dict(answer=fake.RATE_LIMITED),
    "odd answer": dict(answer=fake.Answer("maybe")),
    "key refused at verify-key": dict(verify=fake.INVALID_KEY),
    "key refused at comment-check": dict(answer=fake.INVALID_KEY),
}


@pytest.fixture(params=list(FAILURES))
def failing_akismet(request, checked_app, akismet_service):
    """The service with an Akismet that cannot give a verdict, in each way it can fail."""
    failure = FAILURES[request.param]
    if "answer" in failure:
        akismet_service.answer("comment-check", failure["answer"])
    if "verify" in failure:
        akismet_service.answer("verify-key", failure["verify"])
    return checked_app(transport=failure.get("transport"))


def test_comments_are_held_with_a_reason_when_akismet_cannot_answer(failing_akismet, make_post):
    app = failing_akismet
    make_post("hello")
    client = app.test_client()
    response = post_comment(client)
    assert (response.status_code, response.get_json()["status"]) == (201, "pending")
    comment_id = response.get_json()["id"]
    comment = comment_in(app, comment_id)
    assert (comment.status, comment.spam_check) == (CommentStatus.PENDING, SpamCheck.FAILED)
    ((action, reason),) = guard_reasons(app, comment_id)
    assert action == Decision.HOLD and reason.startswith("spam check failed: ")
    with app.app_context():
        assert [held.id for held in db.session.scalars(pending_approval())] == [comment_id]
    assert client.get("/api/posts/hello/comments").get_json()["comments"] == []


def test_failure_reasons_say_what_went_wrong(checked_app, akismet_service, make_post):
    make_post("hello")
    reasons = {}
    for name, answer in [("5xx", fake.BROKEN), ("key", fake.INVALID_KEY)]:
        akismet_service.answer("comment-check", answer)
        app = checked_app()
        comment_id = post_comment(app.test_client()).get_json()["id"]
        reasons[name] = guard_reasons(app, comment_id)[0][1]
    assert reasons == {
        "5xx": "spam check failed: Akismet answered HTTP 500",
        "key": "spam check failed: Akismet refused the API key",
    }


def test_nothing_is_lost_across_many_comments_while_akismet_is_down(checked_app, make_post):
    app = checked_app(transport=fake.Unreachable())
    make_post("hello")
    client = app.test_client()
    statuses = [
        post_comment(client, body=f"Question {n}").get_json()["status"]
        for n in range(HELD_COMMENTS)
    ]
    assert statuses == ["pending"] * HELD_COMMENTS
    with app.app_context():
        held = db.session.scalars(pending_approval()).all()
        bodies = {comment.body_markdown for comment in held}
        assert bodies == {f"Question {n}" for n in range(HELD_COMMENTS)}
        assert {comment.spam_check for comment in held} == {SpamCheck.FAILED}


def test_without_a_key_nothing_is_checked_and_comments_publish(app, make_post):
    make_post("hello")
    response = post_comment(app.test_client())
    assert response.get_json()["status"] == "approved"
    assert comment_in(app, response.get_json()["id"]).spam_check is None
    assert for_app(app) is None


def test_the_librarys_own_variables_configure_akismet_and_porch_settings_win():
    config = {
        "PORCH_AKISMET_API_KEY": "",
        "PORCH_AKISMET_BLOG_URL": "",
        "PORCH_BLOG_URL": "https://blog.example",  # normalised at start-up (test_site_urls.py)
        "PORCH_AKISMET_TIMEOUT_SECONDS": 2,
        "PORCH_AKISMET_BLOG_LANG": "en",
        "PORCH_AKISMET_IS_TEST": False,
    }
    environ = {
        "PYTHON_AKISMET_API_KEY": "env-key",
        "PYTHON_AKISMET_BLOG_URL": "https://env.example",
    }
    assert settings_from(config, {}) is None
    assert (
        settings_from(config, {"PYTHON_AKISMET_API_KEY": "k"}).blog_url == config["PORCH_BLOG_URL"]
    )
    from_environment = settings_from(config, environ)
    assert (from_environment.api_key, from_environment.blog_url) == (
        "env-key",
        "https://env.example",
    )
    ours = {
        **config,
        "PORCH_AKISMET_API_KEY": "ours",
        "PORCH_AKISMET_BLOG_URL": "https://ours.example",
    }
    from_settings = settings_from(ours, environ)
    assert (from_settings.api_key, from_settings.blog_url) == ("ours", "https://ours.example")
    assert (from_settings.timeout, from_settings.article_base) == (2.0, "https://blog.example")


class DiscardingTestClient(akismet.TestSyncClient):
    comment_check_response = akismet.CheckResponse.DISCARD


@pytest.mark.parametrize(
    ("client_class", "verdict", "check"),
    [
        (akismet.TestSyncClient, "publish", SpamCheck.PASSED),
        (DiscardingTestClient, "spam", SpamCheck.DISCARDED),
    ],
)
def test_akismets_answers_become_verdicts(
    app, make_post, make_comment, client_class, verdict, check
):
    post = make_post("hello")
    comment = make_comment(post, remote_addr=READER_ADDRESS)
    with app.app_context():
        checker = Akismet(settings_from({**app.config, "PORCH_AKISMET_API_KEY": KEY}), client_class)
        comment = db.session.merge(comment)
        assessment = ask_akismet(checker, comment)
        assert (assessment.verdict, assessment.check) == (verdict, check)
        assert report_ham(comment, checker) is True


def sign_in_and_mark_spam(app, make_staff, comment_id):
    client, token = signed_in_staff_client(app, make_staff)
    return client.post(f"/moderation/comments/{comment_id}/spam", data={"csrf_token": token})


def test_a_staff_spam_decision_is_reported_to_akismet(
    checked_app, akismet_service, make_post, make_staff
):
    app = checked_app()
    make_post("hello")
    comment_id = post_comment(app.test_client(), email="jo@example.com").get_json()["id"]
    response = sign_in_and_mark_spam(app, make_staff, comment_id)
    assert response.status_code == 303
    (reported,) = akismet_service.requests_to("submit-spam")
    (checked,) = akismet_service.requests_to("comment-check")
    assert reported == checked, "the report carries what the check saw"


def test_moderation_goes_on_when_akismet_fails_the_spam_report(
    checked_app, akismet_service, make_post, make_staff, caplog
):
    app = checked_app()
    make_post("hello")
    comment_id = post_comment(app.test_client()).get_json()["id"]
    akismet_service.answer("submit-spam", fake.BROKEN)
    response = sign_in_and_mark_spam(app, make_staff, comment_id)
    assert response.status_code == 303
    assert comment_in(app, comment_id).status == CommentStatus.SPAM
    assert "Akismet submit_spam for comment" in caplog.text


def test_report_ham_tells_akismet_a_comment_was_not_spam(checked_app, akismet_service, make_post):
    akismet_service.answer("comment-check", fake.SPAM)
    app = checked_app()
    make_post("hello")
    comment_id = post_comment(app.test_client()).get_json()["id"]
    with app.app_context():
        assert report_ham(db.session.get(Comment, comment_id), for_app(app)) is True
    (reported,) = akismet_service.requests_to("submit-ham")
    assert reported == akismet_service.requests_to("comment-check")[0]


def test_staff_answers_are_never_reported_or_checked(
    checked_app, akismet_service, make_post, make_staff, make_comment
):
    app = checked_app()
    post = make_post("hello")
    answer = make_comment(post, staff=make_staff("Ana Lima"), remote_addr=READER_ADDRESS)
    with app.app_context():
        assert report_spam(db.session.get(Comment, answer.id), for_app(app)) is False
    assert akismet_service.received == []


def moderation_page(app, make_staff) -> str:
    staff = make_staff("Ana Lima")
    client = app.test_client()
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    client.post(
        "/auth/login",
        data={"email": staff.email, "password": "correct horse battery", "csrf_token": token},
    )
    return client.get("/moderation/").get_data(as_text=True)


def test_the_moderation_page_says_while_spam_checking_fails(
    checked_app, akismet_service, make_post, make_staff
):
    make_post("hello")
    failing = checked_app(transport=fake.Unreachable())
    post_comment(failing.test_client())
    working = checked_app()  # another host, Akismet reachable: the page reads the database
    page = moderation_page(working, make_staff)
    assert "Spam checking is failing since" in page
    assert "new comments are held for you" in page
    post_comment(working.test_client())
    assert "Spam checking is failing" not in working.test_client().get("/moderation/").get_data(
        as_text=True
    )


def test_the_moderation_page_says_when_spam_checking_is_off(app, make_post, make_staff):
    assert "Spam checking is off" in moderation_page(app, make_staff)


def test_purge_deletes_discarded_spam_older_than_the_setting(app_with, make_post, make_comment):
    app = app_with(PORCH_SPAM_PURGE_DAYS=15)
    post = make_post("hello")
    spam = dict(status=CommentStatus.SPAM)
    old = make_comment(post, minutes_ago=16 * 24 * 60, spam_check=SpamCheck.DISCARDED, **spam)
    recent = make_comment(post, minutes_ago=14 * 24 * 60, spam_check=SpamCheck.DISCARDED, **spam)
    kept_spam = make_comment(post, minutes_ago=16 * 24 * 60, spam_check=SpamCheck.SPAM, **spam)
    with app.app_context():
        db.session.add(ModerationAction(comment_id=old.id, action=Decision.SPAM, reason="x"))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["comments", "purge-discarded"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 discarded spam comments older than 15 days." in result.output
    with app.app_context():
        left = set(db.session.scalars(select(Comment.id)))
        assert left == {recent.id, kept_spam.id}
        assert db.session.scalar(select(func.count(ModerationAction.id))) == 0
    assert utcnow() - timedelta(days=15) > old.created_at


def signed_in_staff_client(app, make_staff):
    """A client signed in as Ana, an author of every post here, and a CSRF token."""
    staff = make_staff("Ana Lima")
    client = app.test_client()
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    client.post(
        "/auth/login",
        data={"email": staff.email, "password": "correct horse battery", "csrf_token": token},
    )
    return client, csrf_token(client.get("/moderation/").get_data(as_text=True))


def test_not_spam_on_the_moderation_page_is_reported_as_ham(
    checked_app, akismet_service, make_post, make_staff
):
    akismet_service.answer("comment-check", fake.SPAM)
    app = checked_app()
    make_post("hello")
    comment_id = post_comment(app.test_client()).get_json()["id"]
    client, token = signed_in_staff_client(app, make_staff)
    response = client.post(
        f"/moderation/comments/{comment_id}/not-spam", data={"csrf_token": token}
    )
    assert response.status_code == 303
    assert comment_in(app, comment_id).status == CommentStatus.PENDING
    (reported,) = akismet_service.requests_to("submit-ham")
    assert reported == akismet_service.requests_to("comment-check")[0]


def test_not_spam_lifts_the_discard_mark_so_the_comment_is_listed_again(
    checked_app, akismet_service, make_post, make_staff
):
    akismet_service.answer("comment-check", fake.DISCARD)
    app = checked_app()
    make_post("hello")
    comment_id = post_comment(app.test_client()).get_json()["id"]
    client, token = signed_in_staff_client(app, make_staff)
    client.post(f"/moderation/comments/{comment_id}/not-spam", data={"csrf_token": token})
    assert comment_in(app, comment_id).spam_check == SpamCheck.SPAM
    assert f'id="comment-{comment_id}"' in client.get("/moderation/?view=held").get_data(
        as_text=True
    )


def test_bulk_spam_reports_every_comment_to_akismet(
    checked_app, akismet_service, make_post, make_staff
):
    app = checked_app()
    make_post("hello")
    ids = [post_comment(app.test_client(), body=f"Hi {n}").get_json()["id"] for n in range(2)]
    client, token = signed_in_staff_client(app, make_staff)
    response = client.post(
        "/moderation/bulk",
        data={"csrf_token": token, "decision": Decision.SPAM.value, "ids": [str(i) for i in ids]},
    )
    assert response.status_code == 303
    assert len(akismet_service.requests_to("submit-spam")) == 2


def test_ham_from_the_command_line_is_reported_to_akismet(
    checked_app, akismet_service, make_post, make_staff
):
    akismet_service.answer("comment-check", fake.SPAM)
    app = checked_app()
    make_post("hello")
    comment_id = post_comment(app.test_client()).get_json()["id"]
    make_staff("Ana Lima")
    result = app.test_cli_runner().invoke(
        args=["comments", "ham", str(comment_id), "--by", "Ana Lima"]
    )
    assert result.exit_code == 0, result.output
    assert len(akismet_service.requests_to("submit-ham")) == 1
