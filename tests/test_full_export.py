"""The full export: everything out, into an empty database, and out again the same."""

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, text

from comments_service.enums import (
    BlockKind,
    BlockList,
    Decision,
    ImportSource,
    Notify,
    SubscriptionScope,
)
from comments_service.extensions import db
from comments_service.models import (
    BlocklistEntry,
    Comment,
    CommentStatus,
    Post,
    Role,
    SavedReply,
    SpamCheck,
    Staff,
    SubscriberAddress,
    Subscription,
    utcnow,
)
from comments_service.services.accounts.staff import new_feed_address, set_away
from comments_service.services.comments.posting import add_staff_answer
from comments_service.services.imports.full_export import SCHEMA
from comments_service.services.moderation import assignment, saved_replies
from comments_service.services.moderation import decisions as moderation
from comments_service.services.spam import blocklist
from comments_service.words.blocking import NotAnEntry

from .conftest import TABLES, service_urls
from .test_api import post_json

DISQUS = Path(__file__).parent / "fixtures" / "disqus" / "export.xml"


def conversations(app, make_post, make_staff, make_comment):
    """Answers, approvals, spam, removals with replies, dismissals, edits, a handover, an import."""
    ana = make_staff("Ana Lima")
    ola = make_staff("Ola Admin", role=Role.ADMIN)
    hello, other = make_post("hello"), make_post("other", authors=("Ben Nobody",))
    asked = make_comment(hello, name="Zoë", minutes_ago=90, author_email="zoe@example.org")
    held = make_comment(hello, name="Held", status=CommentStatus.PENDING, published_at=None)
    spam = make_comment(other, name="Bot", spam_check=SpamCheck.SPAM, remote_addr="203.0.113.9")
    gone = make_comment(other, name="Gone", minutes_ago=30)
    make_comment(other, parent=gone, name="Under it", user_agent="Firefox", referrer="x")
    thanks = make_comment(hello, name="Thanks")
    handed = make_comment(hello, name="Handed on")
    with app.app_context():
        ana, ola = db.session.get(Staff, ana.id), db.session.get(Staff, ola.id)
        answer = add_staff_answer(db.session.get(Comment, asked.id), ana, "Here is how.")
        moderation.edit_answer(answer, ana, "Here is *how*.")
        moderation.approve(db.session.get(Comment, held.id), ola)
        moderation.mark_spam(db.session.get(Comment, spam.id), ola)
        moderation.delete(db.session.get(Comment, gone.id), ola, "Off topic")
        moderation.dismiss(db.session.get(Comment, thanks.id), ana, "Just thanks")
        assignment.reassign(
            db.session.get(Comment, handed.id),
            ana,
            ola,
            urls=service_urls("http://s.test"),
            now=utcnow(),
        )
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["import", "disqus", str(DISQUS)])
    assert result.exit_code == 0, result.output
    settings_and_lists(app)


def settings_and_lists(app):
    """Version 2's parts: staff settings, readers' subscriptions, blocklist, saved replies."""
    with app.app_context():
        ana, ola = (db.session.scalar(select(Staff).where(Staff.name == n)) for n in NAMES)
        ana.notify, ola.notify = Notify.DIGEST, Notify.OFF
        today = utcnow().date()
        set_away(ana, today, today + timedelta(days=AWAY_DAYS), today)
        new_feed_address(ola)
        asked, gone = (
            db.session.scalar(select(Comment).where(Comment.author_name == name))
            for name in ("Zoë", "Gone")
        )
        address = SubscriberAddress(email="zoe@example.org", created_at=asked.created_at)
        db.session.add_all(
            [
                Subscription(
                    comment=asked,
                    address=address,
                    scope=SubscriptionScope.TEAM,
                    created_at=asked.created_at,
                    confirmation_sent_at=asked.created_at,
                    confirmed_at=utcnow(),
                ),
                Subscription(
                    comment=gone,
                    address=address,
                    scope=SubscriptionScope.ANYONE,
                    created_at=gone.created_at,
                    ended_at=utcnow(),
                ),
            ]
        )
        blocklist.add(BlockKind.EMAIL, "Bot@Spam.test", BlockList.SPAM, ola)
        blocklist.add(BlockKind.WORD, "casino", BlockList.HELD, None)
        blocklist.add(BlockKind.IP, "203.0.113.0/24", BlockList.HELD, ana)
        saved_replies.add(ola, "Thanks", "Thank you for reading.", shared=True)
        saved_replies.add(ana, "Docs", "The guide is at /docs.", shared=False)
        db.session.commit()


NAMES = ("Ana Lima", "Ola Admin")
AWAY_DAYS = 9


def export(app, path: Path) -> dict:
    result = app.test_cli_runner().invoke(
        args=["comments", "export", "--format", "json", str(path)]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(path.read_text())
    jsonschema.validate(document, SCHEMA)
    return document


def empty_database(app) -> None:
    """As a new database: no rows, and on PostgreSQL id sequences back at 1."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(delete(table))
        db.session.commit()


def restore(app, path: Path, *options: str):
    return app.test_cli_runner().invoke(args=["import", "porch", str(path), *options])


def without_time(document: dict) -> dict:
    return {key: value for key, value in document.items() if key != "exported_at"}


def test_export_import_export_gives_the_same_document(
    app, make_post, make_staff, make_comment, tmp_path
):
    conversations(app, make_post, make_staff, make_comment)
    first = export(app, tmp_path / "first.json")
    assert len(first["comments"]) == 14 and len(first["moderation"]) >= 7
    assert [c["assigned_to"] for c in first["comments"] if c["author_name"] == "Handed on"] == [
        "ola@porch.test"
    ]
    assert {entry["action"] for entry in first["moderation"]} >= {
        Decision.ANSWER,
        Decision.EDIT,
        Decision.APPROVE,
        Decision.SPAM,
        Decision.DELETE,
        Decision.DISMISS,
        Decision.REASSIGN,
    }
    empty_database(app)
    result = restore(app, tmp_path / "first.json")
    assert result.exit_code == 0, result.output
    assert "Imported 2 staff accounts, 2 posts, 14 comments" in result.output
    assert "2 subscriptions, 3 blocklist entries, 2 saved replies." in result.output
    second = export(app, tmp_path / "second.json")
    assert without_time(second) == without_time(first)


def test_the_export_keeps_settings_subscriptions_blocklist_and_saved_replies(
    app, make_post, make_staff, make_comment, tmp_path
):
    conversations(app, make_post, make_staff, make_comment)
    document = export(app, tmp_path / "all.json")
    assert document["version"] == 2
    staff = {member["name"]: member for member in document["staff"]}
    assert (staff["Ana Lima"]["notify"], staff["Ola Admin"]["notify"]) == ("digest", "off")
    away = [date.fromisoformat(staff["Ana Lima"][key]) for key in ("away_from", "away_until")]
    assert away[1] - away[0] == timedelta(days=AWAY_DAYS)
    assert (staff["Ana Lima"]["feed"], staff["Ola Admin"]["feed"]) == (False, True)
    assert [
        (s["scope"], s["confirmed_at"] is not None, s["ended_at"] is not None)
        for s in document["subscriptions"]
    ] == [("team", True, False), ("anyone", False, True)]
    assert document["subscriber_addresses"][0]["email"] == "zoe@example.org"
    assert [
        (b["kind"], b["value"], b["sends_to"], b["added_by"]) for b in document["blocklist"]
    ] == [
        ("email", "bot@spam.test", "spam", "ola@porch.test"),
        ("ip", "203.0.113.0/24", "held", "ana@porch.test"),
        ("word", "casino", "held", None),
    ]
    assert [(r["owner"], r["title"], r["shared"]) for r in document["saved_replies"]] == [
        ("ola@porch.test", "Thanks", True),
        ("ana@porch.test", "Docs", False),
    ]


def test_no_password_hash_or_feed_secret_is_written_and_a_restored_feed_is_a_new_one(
    app, make_post, make_staff, make_comment, tmp_path
):
    conversations(app, make_post, make_staff, make_comment)
    with app.app_context():
        secrets = [
            value
            for member in db.session.scalars(select(Staff))
            for value in (member.password_hash, member.feed_token_hash)
            if value
        ]
    export(app, tmp_path / "all.json")
    text_written = (tmp_path / "all.json").read_text()
    assert len(secrets) == 3 and not any(secret in text_written for secret in secrets)
    assert "link_key" not in text_written and "token" not in text_written
    empty_database(app)
    restore(app, tmp_path / "all.json")
    with app.app_context():
        ola = db.session.scalar(select(Staff).where(Staff.name == "Ola Admin"))
        assert ola.feed_token_hash is not None and ola.feed_token_hash not in secrets


def test_a_version_1_file_still_restores_with_the_new_parts_empty(
    app, make_post, make_staff, make_comment, tmp_path
):
    conversations(app, make_post, make_staff, make_comment)
    document = export(app, tmp_path / "all.json")
    version_1 = {key: value for key, value in document.items() if key not in V2_PARTS}
    version_1["version"] = 1
    version_1["staff"] = [
        {key: member[key] for key in ("name", "email", "role")} for member in document["staff"]
    ]
    jsonschema.validate(version_1, SCHEMA)
    (tmp_path / "v1.json").write_text(json.dumps(version_1))
    empty_database(app)
    result = restore(app, tmp_path / "v1.json")
    assert result.exit_code == 0, result.output
    assert "0 subscriptions, 0 blocklist entries, 0 saved replies." in result.output
    again = export(app, tmp_path / "again.json")
    assert {part: again[part] for part in V2_PARTS} == {part: [] for part in V2_PARTS}
    assert {(m["notify"], m["away_from"], m["feed"]) for m in again["staff"]} == {
        ("each", None, False)
    }
    assert again["comments"] == document["comments"]


V2_PARTS = ("subscriber_addresses", "subscriptions", "blocklist", "saved_replies")


def test_a_version_2_file_without_its_parts_is_refused(
    app, make_post, make_staff, make_comment, tmp_path
):
    conversations(app, make_post, make_staff, make_comment)
    document = export(app, tmp_path / "all.json")
    del document["blocklist"]
    (tmp_path / "cut.json").write_text(json.dumps(document))
    empty_database(app)
    result = restore(app, tmp_path / "cut.json")
    assert result.exit_code == 1
    assert "Nothing was imported." in result.output and "blocklist" in result.output
    with app.app_context():
        assert db.session.scalars(select(BlocklistEntry)).all() == []
        assert db.session.scalars(select(SavedReply)).all() == []


def test_staff_made_by_a_restore_cannot_sign_in_until_reactivated(
    app, make_post, make_staff, make_comment, tmp_path
):
    conversations(app, make_post, make_staff, make_comment)
    export(app, tmp_path / "all.json")
    empty_database(app)
    restore(app, tmp_path / "all.json")
    with app.app_context():
        assert [s.active for s in db.session.scalars(select(Staff))] == [False, False]


def test_new_comments_after_a_restore_get_new_ids(
    app, client, make_post, make_staff, make_comment, tmp_path
):
    conversations(app, make_post, make_staff, make_comment)
    document = export(app, tmp_path / "all.json")
    empty_database(app)
    restore(app, tmp_path / "all.json")
    response = post_json(client, slug="hello")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["id"] > max(entry["id"] for entry in document["comments"])


def test_a_restore_into_a_database_with_comments_adds_nothing(
    app, make_post, make_staff, make_comment, tmp_path
):
    conversations(app, make_post, make_staff, make_comment)
    document = export(app, tmp_path / "all.json")
    result = restore(app, tmp_path / "all.json")
    assert result.exit_code == 1
    assert "already has comments" in result.output
    assert without_time(export(app, tmp_path / "again.json")) == without_time(document)


def test_a_dry_run_restore_changes_nothing(app, make_post, make_staff, make_comment, tmp_path):
    conversations(app, make_post, make_staff, make_comment)
    export(app, tmp_path / "all.json")
    empty_database(app)
    result = restore(app, tmp_path / "all.json", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Dry run, nothing was changed. Would import 2 staff accounts" in result.output
    with app.app_context():
        assert db.session.scalars(select(Post)).all() == []


def test_the_build_export_stays_the_default(app, make_post, make_comment, tmp_path):
    make_comment(make_post("hello"), name="Jo")
    path = tmp_path / "build.json"
    result = app.test_cli_runner().invoke(args=["comments", "export", str(path)])
    assert result.exit_code == 0, result.output
    document = json.loads(path.read_text())
    assert document["version"] == 2 and document["posts"]["hello"]["count"] == 1


def test_html_in_an_edited_export_is_cleaned_on_restore(
    app, make_post, make_staff, make_comment, tmp_path
):
    conversations(app, make_post, make_staff, make_comment)
    document = export(app, tmp_path / "all.json")
    document["comments"][0]["body_html"] = '<p onclick="x()">Hi<script>alert(1)</script></p>'
    (tmp_path / "edited.json").write_text(json.dumps(document))
    empty_database(app)
    assert restore(app, tmp_path / "edited.json").exit_code == 0
    with app.app_context():
        assert db.session.get(Comment, document["comments"][0]["id"]).body_html == "<p>Hi</p>"


def test_the_schema_names_every_status_decision_and_spam_check_the_service_has():
    comment = SCHEMA["properties"]["comments"]["items"]["properties"]
    action = SCHEMA["properties"]["moderation"]["items"]["properties"]["action"]
    assert set(comment["status"]["enum"]) == {status.value for status in CommentStatus}
    assert set(comment["spam_check"]["enum"]) - {None} == {check.value for check in SpamCheck}
    assert set(action["enum"]) == {decision.value for decision in Decision}


def test_the_schema_names_every_import_source_and_a_restore_refuses_others(
    app, make_post, make_staff, make_comment, tmp_path
):
    source = SCHEMA["properties"]["comments"]["items"]["properties"]["import_source"]
    assert set(source["enum"]) - {None} == {system.value for system in ImportSource}
    conversations(app, make_post, make_staff, make_comment)
    document = export(app, tmp_path / "all.json")
    imported = next(entry for entry in document["comments"] if entry["import_source"])
    imported["import_source"] = "typepad"
    (tmp_path / "edited.json").write_text(json.dumps(document))
    empty_database(app)
    result = restore(app, tmp_path / "edited.json")
    assert result.exit_code == 1
    assert "Nothing was imported." in result.output and "import_source" in result.output


def test_an_import_source_is_stored_as_its_word_and_read_back_as_the_enum(
    app, make_post, make_staff, make_comment
):
    conversations(app, make_post, make_staff, make_comment)
    with app.app_context():
        stored = db.session.execute(text("SELECT DISTINCT import_source FROM comments")).all()
        assert {row[0] for row in stored} == {None, "disqus"}
        sources = db.session.scalars(select(Comment.import_source).distinct()).all()
        assert {type(source) for source in sources if source} == {ImportSource}


MOMENTS = st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1), timezones=st.just(UTC))
TEXTS = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=40,
)
AWAY = st.none() | st.tuples(st.dates(date(2026, 1, 1), date(2027, 12, 31)), st.integers(0, 60))
SUBSCRIPTION = st.tuples(
    st.sampled_from(["jo@example.org", "kim@example.net"]),
    st.sampled_from(SubscriptionScope),
    MOMENTS,
    st.none() | MOMENTS,
    st.none() | MOMENTS,
    st.none() | MOMENTS,
)
BLOCK = st.tuples(TEXTS, st.sampled_from(BlockList), st.sampled_from((None, *NAMES)))
REPLY = st.tuples(st.sampled_from(NAMES), TEXTS, TEXTS, st.booleans(), MOMENTS, MOMENTS)


def store_generated(app, staff_settings, subscriptions, blocks, replies, comments) -> None:
    """Put what Hypothesis drew into the database: one subscription per comment."""
    with app.app_context():
        members = [db.session.scalar(select(Staff).where(Staff.name == n)) for n in NAMES]
        for member, (notify, away, feed) in zip(members, staff_settings, strict=True):
            member.notify = notify
            if away:
                member.away_from, member.away_until = away[0], away[0] + timedelta(days=away[1])
            if feed:
                new_feed_address(member)
        for comment, (email, scope, asked, sent, confirmed, ended) in zip(
            comments, subscriptions, strict=True
        ):
            address = db.session.scalar(
                select(SubscriberAddress).where(SubscriberAddress.email == email)
            ) or SubscriberAddress(email=email, created_at=asked)
            db.session.add(
                Subscription(
                    comment_id=comment.id,
                    address=address,
                    scope=scope,
                    created_at=asked,
                    confirmation_sent_at=sent,
                    confirmed_at=confirmed,
                    ended_at=ended,
                )
            )
            db.session.flush()
        by_name = {member.name: member for member in members}
        for text, to, by in blocks:
            try:
                blocklist.add(BlockKind.WORD, text, to, by_name.get(by))
            except NotAnEntry:
                continue  # not a word the blocklist keeps; the form says so
        for owner, title, body, shared, created, updated in replies:
            reply = saved_replies.add(by_name[owner], title, body, shared and owner == NAMES[1])
            reply.created_at, reply.updated_at = created, updated
        db.session.commit()


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    staff_settings=st.lists(
        st.tuples(st.sampled_from(Notify), AWAY, st.booleans()), min_size=2, max_size=2
    ),
    subscriptions=st.lists(SUBSCRIPTION, max_size=3),
    blocks=st.lists(BLOCK, max_size=4),
    replies=st.lists(REPLY, max_size=3),
)
def test_any_settings_subscriptions_blocklist_and_saved_replies_come_back_the_same(
    app,
    make_post,
    make_staff,
    make_comment,
    tmp_path,
    staff_settings,
    subscriptions,
    blocks,
    replies,
):
    empty_database(app)
    make_staff(NAMES[0])
    make_staff(NAMES[1], role=Role.ADMIN)
    post = make_post("hello")
    comments = [make_comment(post, name=f"Reader {n}") for n in range(len(subscriptions))]
    store_generated(app, staff_settings, subscriptions, blocks, replies, comments)
    first = export(app, tmp_path / "first.json")
    assert len(first["subscriptions"]) == len(subscriptions)
    assert len(first["saved_replies"]) == len(replies)
    empty_database(app)
    result = restore(app, tmp_path / "first.json")
    assert result.exit_code == 0, result.output
    assert without_time(export(app, tmp_path / "second.json")) == without_time(first)


def test_the_schema_names_every_setting_scope_and_blocklist_choice_the_service_has():
    parts = SCHEMA["properties"]
    staff = parts["staff"]["items"]["properties"]
    block = parts["blocklist"]["items"]["properties"]
    scope = parts["subscriptions"]["items"]["properties"]["scope"]
    assert set(staff["notify"]["enum"]) == {choice.value for choice in Notify}
    assert set(scope["enum"]) == {choice.value for choice in SubscriptionScope}
    assert set(block["kind"]["enum"]) == {kind.value for kind in BlockKind}
    assert set(block["sends_to"]["enum"]) == {to.value for to in BlockList}
