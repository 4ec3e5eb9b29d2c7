"""Disqus imports, on a hand-written export with every case Disqus writes."""

from pathlib import Path

from sqlalchemy import select

from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus

EXPORT = Path(__file__).parent / "fixtures" / "disqus" / "export.xml"


def run(app, *args):
    return app.test_cli_runner().invoke(args=["import", "disqus", *map(str, args)])


def imported(app) -> dict[str, Comment]:
    with app.app_context():
        query = select(Comment).where(Comment.import_source == "disqus")
        rows = {comment.import_id: comment for comment in db.session.scalars(query)}
        for comment in rows.values():
            _ = comment.parent, comment.post.slug
        db.session.expunge_all()
    return rows


def test_threads_are_found_by_link_and_replies_by_parent(app, make_post):
    make_post("hello")
    result = run(app, EXPORT)
    assert result.exit_code == 0, result.output
    rows = imported(app)
    assert {n: c.post.slug for n, c in rows.items()} == dict.fromkeys(rows, "hello")
    assert rows["1005"].parent.import_id == "1004"
    assert rows["1004"].parent.import_id == "1003"
    assert rows["1003"].parent.import_id == "1002"
    assert rows["1001"].author_name == "Zoë Ångström"
    assert "日本語" in rows["1003"].body_html
    assert rows["1005"].author_name == "Guest"


def test_deleted_posts_with_replies_stay_as_placeholders_and_others_are_left_out(
    app, make_post, client
):
    make_post("hello")
    result = run(app, EXPORT)
    rows = imported(app)
    assert rows["1002"].status == CommentStatus.DELETED
    assert "1006" not in rows
    assert "1 deleted, with no replies" in result.output
    thread = client.get("/api/posts/hello/comments").get_json()
    removed = [node for node in thread["comments"] if node.get("removed")]
    assert [node["id"] for node in removed] == [rows["1002"].id]
    assert "It was removed" not in str(thread)


def test_spam_goes_to_spam(app, make_post):
    make_post("hello")
    run(app, EXPORT)
    assert imported(app)["1007"].status == CommentStatus.SPAM


def test_a_thread_without_id_and_a_missing_thread_are_reported_not_fatal(app, make_post):
    make_post("hello")
    result = run(app, EXPORT, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "A thread without an id was left out (https://old.example.com/lost/)." in result.output
    assert "  not placed: comment 1008: its thread is not in the file" in result.output
    assert "  not placed: comment 1009: its thread has no id" in result.output
    assert (
        "Would place 6 comments (4 approved, 1 deleted, 1 spam) on 1 posts. Skipped 3"
        in result.output
    )
    assert imported(app) == {}


def test_a_staff_members_reply_answers_the_comments_above_it(app, make_post, make_staff):
    ana = make_staff("Ana Lima", email="ana@porch.test")
    make_post("hello")
    run(app, EXPORT)
    rows = imported(app)
    answer = rows["1004"]
    assert (answer.staff_id, answer.author_name) == (ana.id, "Ana Lima")
    assert rows["1003"].answered_at == answer.created_at
    assert rows["1003"].answered_by_id == ana.id
    assert rows["1001"].answered_at is None
    assert rows["1005"].answered_at is None  # a reader's reply under an answer waits anew


def test_a_second_import_adds_nothing(app, make_post):
    make_post("hello")
    run(app, EXPORT)
    result = run(app, EXPORT)
    assert "Placed 0 comments" in result.output and "6 already imported" in result.output
    assert len(imported(app)) == 6
