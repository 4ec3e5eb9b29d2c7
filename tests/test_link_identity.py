"""A link names one row for good: once its row is gone, it acts on no other row.

Readers' links and tokens carry a row's number. On SQLite a deleted newest row's number
went to the next row, and a restore (or an import) can hand an old number out again on
either database; each test here lets a row go, lets its number come back to someone
else's row where it can, and follows the old link: it must not touch the new row.
Everything goes through the real API, pages, mails in the outbox and the CLI.
"""

import json
import re

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, func, inspect, select, text

from comments_service.enums import SpamCheck, SubscriptionScope
from comments_service.extensions import db
from comments_service.models import (
    Comment,
    CommentStatus,
    OutboxMessage,
    Post,
    SubscriberAddress,
    Subscription,
)

from .conftest import answer_fields, csrf_token

JO = {"author_name": "Jo Reader", "email": "jo@reader.test"}
KIM = {"author_name": "Kim Other", "email": "kim@other.test"}
KIM_WORDS = "Kim's own question about invoices"
KIM_ADDR, KIM_AGENT = "203.0.113.44", "KimBrowser/7.0"
# How a deleted row's number can come back: the next row takes it (SQLite without
# AUTOINCREMENT), or a restore into a new database hands it out again (both databases).
COMES_BACK = ("next row", "restore")
# The tables whose rows links name; the tables an operator fills again before a restore.
NAMED_BY_LINKS = ("comments", "subscriber_addresses", "subscriptions")
KEPT_BY_THE_OPERATOR = ("staff", "staff_sessions")


@pytest.fixture
def blog(make_staff, make_post):
    """Ana Lima writes the post "hello"; Lee's comment is already there, so a restore has one."""
    ana = make_staff("Ana Lima")
    make_post("hello", authors=("Ana Lima",))
    return ana


def post(client, who: dict, body: str = "A question.", **fields) -> dict:
    response = client.post(
        "/api/posts/hello/comments",
        json={**who, "body": body, **fields},
        environ_base={"REMOTE_ADDR": KIM_ADDR if who is KIM else "198.51.100.5"},
        headers={"User-Agent": KIM_AGENT if who is KIM else "JoBrowser/1"},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def edit(client, comment_id: int, token: str, body: str):
    return client.patch(f"/api/comments/{comment_id}", json={"token": token, "body": body})


def cli(app, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def stored(app, model, row_id: int):
    with app.app_context():
        row = db.session.get(model, row_id)
        if row is not None:
            db.session.expunge(row)
        return row


def mailed_path(app, recipient: str, kind: str) -> str:
    """The path of the newest link of this kind ("subscriptions/confirm", "privacy/export"...)
    in the mail queued for the recipient."""
    with app.app_context():
        bodies = db.session.scalars(
            select(OutboxMessage.body_text)
            .where(OutboxMessage.recipient == recipient)
            .order_by(OutboxMessage.id.desc())
        ).all()
    for body in bodies:
        found = re.search(rf"https?://[^/\s]+(/{kind}/[A-Za-z0-9_.\-]+)", body)
        if found:
            return found.group(1)
    raise AssertionError(f"no {kind} link mailed to {recipient}")


def form_token(client) -> str:
    return csrf_token(client.get("/auth/login").get_data(as_text=True))


def new_database(app) -> None:
    """As a database made afresh (``flask db upgrade``, staff accounts added again): no rows
    but the staff's, and every number starts again from 1."""
    with app.app_context():
        tables = [t for t in db.metadata.sorted_tables if t.name not in KEPT_BY_THE_OPERATOR]
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(table.name for table in tables)
            db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY"))
        else:
            for table in reversed(tables):
                db.session.execute(delete(table))
            if inspect(db.engine).has_table("sqlite_sequence"):
                db.session.execute(text("DELETE FROM sqlite_sequence"))
        db.session.commit()


def restore_into_a_new_database(app, tmp_path) -> None:
    """The operator's way back after losing the database: full export, new database, restore."""
    backup = tmp_path / "backup.json"
    cli(app, "comments", "export", "--format", "json", str(backup))
    new_database(app)
    cli(app, "import", "porch", str(backup))


def let_the_number_come_back(app, comes_back: str, tmp_path) -> None:
    if comes_back == "restore":
        restore_into_a_new_database(app, tmp_path)


def assert_took_the_number_if_restored(comes_back: str, old: int, new: int) -> None:
    """After a restore the new row has the old number (what makes the test bite on
    PostgreSQL); otherwise the number is never handed out again."""
    if comes_back == "restore":
        assert new == old
    else:
        assert new > old


# How a reader comment can go: its writer takes it back, their data is erased, or it is
# purged as blatant spam.
def deleted_by_its_writer(app, client, created: dict) -> None:
    response = client.delete(f"/api/comments/{created['id']}", json={"token": created["own_token"]})
    assert response.status_code == 204


def erased(app, client, created: dict) -> None:
    cli(app, "people", "forget", JO["email"])


def purged_as_spam(app, client, created: dict) -> None:
    with app.app_context():
        comment = db.session.get(Comment, created["id"])
        comment.status, comment.spam_check = CommentStatus.SPAM, SpamCheck.DISCARDED
        db.session.commit()
    assert "Deleted 1 " in cli(app, "comments", "purge-discarded", "--days", "0")


@pytest.mark.parametrize("comes_back", COMES_BACK)
@pytest.mark.parametrize("goes", [deleted_by_its_writer, erased, purged_as_spam])
def test_a_deleted_comments_token_cannot_edit_the_next_comment(
    app, client, blog, goes, comes_back, tmp_path
):
    post(client, {"author_name": "Lee"})
    jo = post(client, JO)
    goes(app, client, jo)
    assert stored(app, Comment, jo["id"]) is None
    let_the_number_come_back(app, comes_back, tmp_path)
    kim = post(client, KIM, KIM_WORDS)
    assert_took_the_number_if_restored(comes_back, jo["id"], kim["id"])

    response = edit(client, kim["id"], jo["own_token"], "Rewritten by someone else.")
    assert response.status_code == 403
    assert response.get_json()["error"] == "bad_token"
    assert (
        client.delete(f"/api/comments/{kim['id']}", json={"token": jo["own_token"]}).status_code
        == 403
    )
    assert edit(client, jo["id"], jo["own_token"], "Rewritten.").status_code in (403, 404)
    assert client.post("/api/comments/mine", json={"tokens": [jo["own_token"]]}).get_json() == {
        "comments": []
    }
    assert stored(app, Comment, kim["id"]).body_markdown == KIM_WORDS
    assert edit(client, kim["id"], kim["own_token"], "Kim's fix.").status_code == 200


@pytest.mark.parametrize("comes_back", COMES_BACK)
def test_a_deleted_comments_privacy_links_do_not_reach_the_next_comment(
    app, client, blog, comes_back, tmp_path
):
    post(client, {"author_name": "Lee"})
    jo = post(client, JO)
    for wish in ("export", "forget"):
        response = client.post("/privacy/request", data={"email": JO["email"], "wish": wish})
        assert response.status_code == 303
    export, forget = (mailed_path(app, JO["email"], f"privacy/{w}") for w in ("export", "forget"))
    deleted_by_its_writer(app, client, jo)
    let_the_number_come_back(app, comes_back, tmp_path)
    kim = post(client, KIM, KIM_WORDS)
    assert_took_the_number_if_restored(comes_back, jo["id"], kim["id"])

    for path in (export, f"{export}/data.json", forget):
        response = client.get(path)
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert not any(trace in page for trace in (KIM["email"], KIM_ADDR, KIM_AGENT, "Kim"))
    assert client.post(forget, data={"csrf_token": form_token(client)}).status_code == 400
    kept = stored(app, Comment, kim["id"])
    assert (kept.author_email, kept.body_markdown, kept.erased_at) == (
        KIM["email"],
        KIM_WORDS,
        None,
    )


@pytest.mark.parametrize("comes_back", COMES_BACK)
def test_a_deleted_comments_reader_key_does_not_open_another_readers_page(
    app, client, login, blog, comes_back, tmp_path
):
    reader = app.test_client()
    post(reader, {"author_name": "Lee"})
    jo = post(reader, JO)
    assert login(blog).status_code == 303
    listing = client.get("/moderation/readers").get_data(as_text=True)
    key = re.search(r'href="/moderation/readers/([^"]+)">Jo Reader<', listing).group(1)
    assert client.get(f"/moderation/readers/{key}").status_code == 200
    deleted_by_its_writer(app, reader, jo)
    let_the_number_come_back(app, comes_back, tmp_path)
    kim = post(reader, KIM, KIM_WORDS)
    assert_took_the_number_if_restored(comes_back, jo["id"], kim["id"])

    response = client.get(f"/moderation/readers/{key}")
    assert response.status_code == 404
    assert "Kim" not in response.get_data(as_text=True)


def subscribe(app, client, who: dict) -> tuple[dict, str]:
    """A comment asking for mail about the team's answer, and its confirmation link."""
    created = post(client, who, subscribe="team")
    return created, mailed_path(app, who["email"], "subscriptions/confirm")


def confirm(client, path: str):
    return client.post(path, data={"csrf_token": form_token(client)})


def subscription_of(app, email: str) -> Subscription:
    """The newest subscription of this address, as stored."""
    with app.app_context():
        row = db.session.scalar(
            select(Subscription)
            .join(Subscription.address)
            .where(SubscriberAddress.email == email)
            .order_by(Subscription.id.desc())
        )
        db.session.expunge(row)
        return row


@pytest.mark.parametrize("comes_back", COMES_BACK)
def test_an_erased_subscriptions_confirm_link_does_not_confirm_the_next_one(
    app, client, blog, comes_back, tmp_path
):
    post(client, {"author_name": "Lee"})
    _, jo_confirm = subscribe(app, client, JO)
    jo_subscription = subscription_of(app, JO["email"]).id
    erased(app, client, None)
    let_the_number_come_back(app, comes_back, tmp_path)
    subscribe(app, client, KIM)
    kim_subscription = subscription_of(app, KIM["email"])
    assert_took_the_number_if_restored(comes_back, jo_subscription, kim_subscription.id)

    assert client.get(jo_confirm).status_code == 400
    assert confirm(client, jo_confirm).status_code == 400
    assert subscription_of(app, KIM["email"]).confirmed_at is None


@pytest.mark.parametrize("comes_back", COMES_BACK)
def test_an_erased_subscriptions_unsubscribe_link_does_not_end_the_next_one(
    app, client, login, blog, comes_back, tmp_path
):
    reader = app.test_client()
    post(reader, {"author_name": "Lee"})
    jo, jo_confirm = subscribe(app, reader, JO)
    assert confirm(reader, jo_confirm).status_code == 200
    assert login(blog).status_code == 303
    answer = {"body": "Here is how.", **answer_fields(client.get("/moderation/").text, jo["id"])}
    assert client.post(f"/moderation/comments/{jo['id']}/answer", data=answer).status_code == 303
    jo_unsubscribe = mailed_path(app, JO["email"], "subscriptions/unsubscribe")
    with app.app_context():
        jo_subscription = db.session.scalar(select(func.max(Subscription.id)))
    erased(app, reader, jo)
    let_the_number_come_back(app, comes_back, tmp_path)
    kim, kim_confirm = subscribe(app, reader, KIM)
    assert confirm(reader, kim_confirm).status_code == 200
    with app.app_context():
        kim_subscription = db.session.scalar(
            select(Subscription).where(Subscription.comment_id == kim["id"])
        )
        db.session.expunge(kim_subscription)
    assert_took_the_number_if_restored(comes_back, jo_subscription, kim_subscription.id)

    assert reader.get(jo_unsubscribe).status_code == 400
    assert reader.post(jo_unsubscribe).status_code == 400  # the one-click POST of RFC 8058
    assert stored(app, Subscription, kim_subscription.id).ended_at is None


def test_a_deleted_rows_number_is_never_handed_out_again(app, blog):
    """AUTOINCREMENT on SQLite; PostgreSQL's sequences never go back either."""
    with app.app_context():
        post_id = db.session.scalar(select(Post.id))
        comment = db.session.merge(Comment(**LEE, post_id=post_id))
        kept_address = db.session.merge(SubscriberAddress(email="kept@reader.test"))
        db.session.flush()
        makers = {
            Comment: lambda: Comment(**LEE, post_id=post_id),
            SubscriberAddress: lambda: SubscriberAddress(email="jo@reader.test"),
            Subscription: lambda: Subscription(
                comment_id=comment.id, address_id=kept_address.id, scope=SubscriptionScope.TEAM
            ),
        }
        for model, make in makers.items():
            newest = make()
            db.session.add(newest)
            db.session.commit()
            gone = newest.id
            db.session.delete(newest)
            db.session.commit()
            again = make()
            db.session.add(again)
            db.session.commit()
            assert again.id > gone, model.__tablename__
            db.session.delete(again)
            db.session.commit()
        if db.engine.dialect.name == "sqlite":
            assert autoincrement_tables() >= set(NAMED_BY_LINKS)


LEE = {
    "author_name": "Lee",
    "body_markdown": "x",
    "body_html": "<p>x</p>",
    "status": CommentStatus.APPROVED,
}


def autoincrement_tables() -> set[str]:
    rows = db.session.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
    return {name for name, sql in rows if "AUTOINCREMENT" in sql.upper()}


def test_the_upgrade_keeps_every_row_and_gives_each_its_own_link_key(app):
    with app.app_context():
        downgrade(revision="0017_consent")
        with db.engine.begin() as connection:
            for statement in ROWS_BEFORE_THE_UPGRADE:
                connection.execute(text(statement))
        upgrade()
        for model, count in ((Comment, 2), (SubscriberAddress, 2), (Subscription, 2)):
            keys = db.session.scalars(select(model.link_key)).all()
            assert len(keys) == count and all(keys) and len(set(keys)) == count
        assert [
            c.author_name for c in db.session.scalars(select(Comment).order_by(Comment.id))
        ] == [
            "Jo",
            "Kim",
        ]
        if db.engine.dialect.name == "sqlite":
            assert autoincrement_tables() >= set(NAMED_BY_LINKS)
            indexes = db.session.scalars(
                text(
                    "SELECT name FROM sqlite_master WHERE tbl_name = 'comments' AND sql IS NOT NULL"
                )
            )
            assert {"ix_comments_waiting", "ix_comments_reader_email_time"} <= set(indexes)
        db.session.remove()


ROWS_BEFORE_THE_UPGRADE = (
    "INSERT INTO posts (id, slug, title, path, synced_at, comments_version)"
    " VALUES (1, 'p', 'P', '/p/', '2026-11-23', 0)",
    "INSERT INTO comments (id, post_id, author_name, body_markdown, body_html, status,"
    " created_at, private_answer_shown) VALUES"
    " (1, 1, 'Jo', 'x', '<p>x</p>', 'approved', '2026-11-23 10:00:00', false),"
    " (2, 1, 'Kim', 'y', '<p>y</p>', 'approved', '2026-11-23 11:00:00', false)",
    "INSERT INTO subscriber_addresses (id, email, created_at) VALUES"
    " (1, 'jo@reader.test', '2026-11-23'), (2, 'kim@other.test', '2026-11-23')",
    "INSERT INTO subscriptions (id, comment_id, address_id, scope, created_at) VALUES"
    " (1, 1, 1, 'team', '2026-11-23'), (2, 2, 2, 'anyone', '2026-11-23')",
)


def test_no_export_carries_a_link_key_and_a_restore_gives_new_ones(app, client, blog, tmp_path):
    post(client, JO)
    with app.app_context():
        before = db.session.scalar(select(Comment.link_key))
    backup = tmp_path / "backup.json"
    cli(app, "comments", "export", "--format", "json", str(backup))
    cli(app, "comments", "export", str(tmp_path / "threads.json"))
    for document in (backup, tmp_path / "threads.json"):
        assert before not in document.read_text() and "link_key" not in document.read_text()
    assert before not in client.get("/api/posts/hello/comments").get_data(as_text=True)
    new_database(app)
    cli(app, "import", "porch", str(backup))
    with app.app_context():
        after = db.session.scalar(select(Comment.link_key))
    assert after and after != before
    assert json.loads(backup.read_text())["comments"][0]["author_name"] == JO["author_name"]
