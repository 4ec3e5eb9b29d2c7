"""Staff sign-in and the moderation page: Waiting for you, answers in place, decisions."""

import pytest
from sqlalchemy import select

from comments_service import create_app
from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus, ModerationAction, Role, Staff
from comments_service.services.accounts import staff as accounts
from comments_service.services.comments.posting import add_staff_answer

from .conftest import PASSWORD, answer_fields, csrf_token


def page(client, path="/moderation/"):
    response = client.get(path)
    return response, response.get_data(as_text=True)


def test_moderation_requires_sign_in(client):
    response = client.get("/moderation/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_sign_in_with_wrong_password_is_refused(client, make_staff, login):
    ana = make_staff("Ana Lima")
    response = login(ana, password="wrong password")
    assert response.status_code == 401
    assert "do not match" in response.get_data(as_text=True)
    assert client.get("/moderation/").status_code == 302


def test_inactive_staff_cannot_sign_in(client, app, make_staff, login):
    ana = make_staff("Ana Lima")
    with app.app_context():
        db.session.merge(ana).active = False
        db.session.commit()
    assert login(ana).status_code == 401


def test_forms_without_csrf_token_are_refused(client, make_staff):
    ana = make_staff("Ana Lima")
    response = client.post("/auth/login", data={"email": ana.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/moderation/").status_code == 302


def test_sign_in_is_rate_limited(app_with):
    app = app_with(RATELIMIT_ENABLED=True, PORCH_LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    guess = {"email": "x@y.z", "password": "nope", "csrf_token": token}
    codes = [client.post("/auth/login", data=guess).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]


def test_next_only_redirects_within_the_site(client, make_staff):
    ana = make_staff("Ana Lima")
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    for target, expected in [
        ("/moderation/?x=1", "/moderation/?x=1"),
        ("https://evil.example/", "/moderation/"),
        ("//evil.example/", "/moderation/"),
    ]:
        response = client.post(
            f"/auth/login?next={target}",
            data={"email": ana.email, "password": PASSWORD, "csrf_token": token},
        )
        assert response.headers["Location"] == expected


@pytest.mark.parametrize(
    "target",
    [
        "////evil.example/x",  # Werkzeug folds the slashes into //evil.example/x
        "///evil.example/",
        "//evil.example/",
        "/\\evil.example/",  # browsers read a backslash as a slash
        "\\\\evil.example/",
        "/\t/evil.example/",  # browsers drop tabs and newlines
        "\t//evil.example/",
        " //evil.example/",
        "/\r\nSet-Cookie: x=1",  # would not even fit in a header
        "/\x00/evil.example/",
        "https:evil.example/",
        "https://evil.example/",
        "javascript:alert(1)",
        "evil.example/",
    ],
)
def test_sign_in_never_redirects_off_site(client, make_staff, target):
    response = sign_in_then_go_to(client, make_staff("Ana Lima"), target)
    assert response.status_code == 303
    assert response.headers["Location"] == "/moderation/"


@pytest.mark.parametrize("target", ["/%2F%2Fevil.example/", "/.//evil.example/", "/moderation/#a"])
def test_sign_in_follows_odd_looking_paths_that_stay_on_the_site(client, make_staff, target):
    """Encoded slashes and dot segments are still paths here: a browser asks this host."""
    response = sign_in_then_go_to(client, make_staff("Ana Lima"), target)
    assert response.headers["Location"] == target


def sign_in_then_go_to(client, staff, target: str):
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    return client.post(
        "/auth/login",
        query_string={"next": target},
        data={"email": staff.email, "password": PASSWORD, "csrf_token": token},
    )


def test_sign_out_needs_csrf_and_ends_the_session(client, make_staff, login):
    login(make_staff("Ana Lima"))
    _, html = page(client)
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/moderation/").status_code == 200
    client.post("/auth/logout", data={"csrf_token": csrf_token(html)})
    assert client.get("/moderation/").status_code == 302


def test_waiting_for_you_lists_my_unanswered_comments_oldest_first(
    client, make_staff, make_post, make_comment, login
):
    mine = make_post("mine", authors=("Ana Lima",), title="Scheduling tips")
    theirs = make_post("theirs", authors=("Ben Okafor",), title="Other post")
    make_staff("Ben Okafor")
    parent = make_comment(mine, name="Sam", minutes_ago=300)
    make_comment(mine, parent=parent, name="Older Reader", minutes_ago=200)
    make_comment(mine, name="Newer Reader", minutes_ago=5)
    make_comment(theirs, name="Not Mine")
    login(make_staff("Ana Lima"))
    _, html = page(client)
    assert '<span class="count">3</span>' in html
    assert html.index("Sam") < html.index("Older Reader") < html.index("Newer Reader")
    assert "Not Mine" not in html
    assert "In reply to Sam" in html
    assert "3 hours" in html and "5 minutes" in html
    assert "Scheduling tips" in html


def test_overdue_comments_are_marked(client, make_staff, make_post, make_comment, login):
    post = make_post("mine")
    make_comment(post, name="Patient Reader", minutes_ago=25 * 60)
    make_comment(post, name="Recent Reader", minutes_ago=5)
    login(make_staff("Ana Lima"))
    _, html = page(client)
    assert html.count("age--overdue") == 1
    assert "1 day</time> · overdue" in html
    assert "5 minutes</time>\n" in html


def test_admin_sees_posts_whose_authors_have_no_account(
    client, make_staff, make_post, make_comment, login
):
    make_comment(make_post("orphan", authors=("Dev Patel",)), name="Orphan Reader")
    login(make_staff("Root", role=Role.ADMIN))
    _, html = page(client)
    assert "Orphan Reader" in html
    assert "For Root" in html


def test_answer_in_place_publishes_it_and_empties_the_queue(
    client, app, make_staff, make_post, make_comment, login
):
    question = make_comment(make_post("mine"), name="Jo Reader")
    login(make_staff("Ana Lima"))
    _, html = page(client)
    response = client.post(
        f"/moderation/comments/{question.id}/answer",
        data={**answer_fields(html, question.id), "body": "Use **Export** in settings."},
    )
    assert response.status_code == 303
    _, html = page(client)
    assert "Your answer to Jo Reader is published." in html
    assert "Nothing is waiting for you" in html
    thread = client.get("/api/posts/mine/comments").get_json()["comments"]
    asked, answer = thread
    assert answer["parent_id"] == asked["id"] == question.id
    assert answer["staff"] == {"name": "Ana Lima", "role": "author"}
    assert "<strong>Export</strong>" in answer["html"]


def test_empty_answer_is_refused_with_a_message(
    client, app, make_staff, make_post, make_comment, login
):
    question = make_comment(make_post("mine"))
    login(make_staff("Ana Lima"))
    _, html = page(client)
    client.post(
        f"/moderation/comments/{question.id}/answer",
        data={**answer_fields(html, question.id), "body": "  "},
    )
    _, html = page(client)
    assert "Write an answer first." in html
    with app.app_context():
        assert db.session.query(Comment).count() == 1


def test_no_answer_needed_with_reason(client, app, make_staff, make_post, make_comment, login):
    thanks = make_comment(make_post("mine"), name="Grateful Reader")
    login(make_staff("Ana Lima"))
    _, html = page(client)
    client.post(
        f"/moderation/comments/{thanks.id}/dismiss",
        data={"reason": "A thank-you note", "csrf_token": csrf_token(html)},
    )
    _, html = page(client)
    assert "Grateful Reader marked no answer needed" in html
    with app.app_context():
        action = db.session.query(ModerationAction).one()
        assert (action.action, action.reason) == ("dismiss", "A thank-you note")


def test_approve_and_spam_held_comments(client, app, make_staff, make_post, make_comment, login):
    post = make_post("mine")
    good = make_comment(post, name="Good Reader", status=CommentStatus.PENDING)
    bad = make_comment(post, name="Spammer", status=CommentStatus.PENDING)
    login(make_staff("Ana Lima"))
    _, html = page(client, "/moderation/?view=held")
    assert "Held for approval" in html and "Spammer" in html
    token = csrf_token(html)
    client.post(f"/moderation/comments/{good.id}/approve", data={"csrf_token": token})
    client.post(f"/moderation/comments/{bad.id}/spam", data={"csrf_token": token})
    with app.app_context():
        assert db.session.get(Comment, good.id).status == CommentStatus.APPROVED
        assert db.session.get(Comment, bad.id).status == CommentStatus.SPAM
    names = [
        c["author_name"] for c in client.get("/api/posts/mine/comments").get_json()["comments"]
    ]
    assert names == ["Good Reader"]


def test_delete_removes_a_published_comment(
    client, app, make_staff, make_post, make_comment, login
):
    rude = make_comment(make_post("mine"))
    login(make_staff("Ana Lima"))
    _, html = page(client)
    client.post(f"/moderation/comments/{rude.id}/delete", data={"csrf_token": csrf_token(html)})
    assert client.get("/api/posts/mine/comments").get_json()["count"] == 0


def test_actions_without_csrf_token_change_nothing(
    client, app, make_staff, make_post, make_comment, login
):
    comment = make_comment(make_post("mine"))
    login(make_staff("Ana Lima"))
    assert client.post(f"/moderation/comments/{comment.id}/delete").status_code == 400
    assert (
        client.post(f"/moderation/comments/{comment.id}/answer", data={"body": "x"}).status_code
        == 400
    )
    with app.app_context():
        assert db.session.get(Comment, comment.id).status == CommentStatus.APPROVED


@pytest.mark.parametrize("action", ["answer", "dismiss", "approve", "spam", "delete"])
def test_authors_cannot_act_on_other_authors_posts(
    client, app, make_staff, make_post, make_comment, login, action
):
    other = make_comment(make_post("theirs", authors=("Ben Okafor",)), status=CommentStatus.PENDING)
    login(make_staff("Ana Lima"))
    _, html = page(client)
    data = {"body": "hi", "reason": "no", "csrf_token": csrf_token(html)}
    response = client.post(f"/moderation/comments/{other.id}/{action}", data=data)
    assert response.status_code == 403
    with app.app_context():
        assert db.session.query(Comment).count() == 1
        assert db.session.get(Comment, other.id).status == CommentStatus.PENDING
    assert client.post("/moderation/comments/999/approve", data=data).status_code == 404


def staff_answer(app, question, writer) -> int:
    """Publish a staff answer through the service, as the answer form does."""
    with app.app_context():
        answer = add_staff_answer(
            db.session.get(Comment, question.id), db.session.merge(writer), "An answer."
        )
        db.session.commit()
        return answer.id


def take_down(client, comment_id, action):
    _, html = page(client)
    return client.post(
        f"/moderation/comments/{comment_id}/{action}", data={"csrf_token": csrf_token(html)}
    )


TAKEN_DOWN = {"delete": CommentStatus.DELETED, "spam": CommentStatus.SPAM}


@pytest.mark.parametrize("action", ["delete", "spam"])
def test_authors_may_take_down_their_own_answers(
    client, app, make_staff, make_post, make_comment, login, action
):
    question = make_comment(make_post("mine"))
    ana = make_staff("Ana Lima")
    answer = staff_answer(app, question, ana)
    login(ana)
    assert take_down(client, answer, action).status_code == 303
    with app.app_context():
        assert db.session.get(Comment, answer).status == TAKEN_DOWN[action]
        assert db.session.get(Comment, question.id).answered_at is None


@pytest.mark.parametrize("action", ["delete", "spam"])
@pytest.mark.parametrize("writer", ["Root", "Ben Okafor"])
def test_authors_cannot_take_down_an_admins_or_co_authors_answer_on_their_post(
    client, app, make_staff, make_post, make_comment, login, writer, action
):
    question = make_comment(make_post("ours", authors=("Ana Lima", "Ben Okafor")))
    ana = make_staff("Ana Lima")
    make_staff("Ben Okafor")
    make_staff("Root", role=Role.ADMIN)
    with app.app_context():
        writer_account = db.session.scalar(select(Staff).where(Staff.name == writer))
    answer = staff_answer(app, question, writer_account)
    login(ana)
    assert take_down(client, answer, action).status_code == 403
    with app.app_context():
        assert db.session.get(Comment, answer).status == CommentStatus.APPROVED
        assert db.session.get(Comment, question.id).answered_by_id == writer_account.id
        assert db.session.query(ModerationAction).filter_by(comment_id=answer).count() == 0


@pytest.mark.parametrize("action", ["delete", "spam"])
def test_admins_may_take_down_anyones_answer(
    client, app, make_staff, make_post, make_comment, login, action
):
    question = make_comment(make_post("mine"))
    answer = staff_answer(app, question, make_staff("Ana Lima"))
    login(make_staff("Root", role=Role.ADMIN))
    assert take_down(client, answer, action).status_code == 303
    with app.app_context():
        assert db.session.get(Comment, answer).status == TAKEN_DOWN[action]


@pytest.mark.parametrize("action", ["delete", "spam"])
def test_any_author_of_a_post_may_take_down_its_reader_comments(
    client, app, make_staff, make_post, make_comment, login, action
):
    rude = make_comment(make_post("ours", authors=("Ben Okafor", "Ana Lima")))
    login(make_staff("Ana Lima"))
    assert take_down(client, rude.id, action).status_code == 303
    with app.app_context():
        assert db.session.get(Comment, rude.id).status == TAKEN_DOWN[action]


def test_a_new_password_ends_existing_sessions(client, app, make_staff, login):
    ana = make_staff("Ana Lima")
    login(ana)
    assert client.get("/moderation/").status_code == 200
    with app.app_context():
        accounts.set_password(db.session.merge(ana), "a different secret")
        db.session.commit()
    assert client.get("/moderation/").status_code == 302


def test_deactivated_staff_are_signed_out(client, app, make_staff, login):
    ana = make_staff("Ana Lima")
    login(ana)
    with app.app_context():
        db.session.merge(ana).active = False
        db.session.commit()
    assert client.get("/moderation/").status_code == 302


def test_unknown_moderation_policy_is_refused(tmp_path):
    with pytest.raises(
        ValueError, match="PORCH_MODERATION_POLICY must be one of publish, first-time, queue"
    ):
        create_app(
            {"PORCH_DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "PORCH_MODERATION_POLICY": "Queue"}
        )


def test_session_cookie_is_secure_by_default(tmp_path):
    app = create_app({"PORCH_DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "PORCH_SECRET_KEY": "k"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_staff_pages_forbid_framing_and_run_only_the_service_own_script_files(client):
    response = client.get("/auth/login")
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self';" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
