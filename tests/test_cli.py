"""Operator commands, run through Flask's own CLI runner against the real database."""

import json

from comments_service.extensions import db
from comments_service.models import Post, Role, Staff
from comments_service.services.comments import add_staff_answer
from comments_service.services.passwords import verify_password


def manifest(tmp_path, posts, version=1):
    path = tmp_path / "porch-manifest.json"
    path.write_text(json.dumps({"version": version, "posts": posts}))
    return path


def entry(slug, *authors, title=None):
    return {
        "slug": slug,
        "title": title or slug.title(),
        "path": f"/2026/11/{slug}/",
        "date": "2026-11-02T09:00:00+00:00",
        "authors": list(authors),
    }


def test_staff_add_reads_password_from_stdin_and_hashes_it(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "staff",
            "add",
            "Ana Lima",
            "--email",
            "Ana@Porch.test",
            "--role",
            "admin",
            "--password-stdin",
        ],
        input="a long enough secret\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        ana = db.session.query(Staff).one()
        assert (ana.name, ana.email, ana.role) == ("Ana Lima", "ana@porch.test", Role.ADMIN)
        assert ana.password_hash != "a long enough secret"
        assert verify_password(ana.password_hash, "a long enough secret")
    listing = runner.invoke(args=["staff", "list"])
    assert "Ana Lima\tana@porch.test\tadmin" in listing.output


def test_staff_add_prompts_for_password_twice(app):
    result = app.test_cli_runner().invoke(
        args=["staff", "add", "Ben Okafor", "--email", "ben@porch.test"],
        input="another good secret\nanother good secret\n",
    )
    assert result.exit_code == 0, result.output
    assert "Added author Ben Okafor" in result.output


def test_staff_add_refuses_short_passwords_and_duplicates(app, make_staff):
    make_staff("Ana Lima")
    runner = app.test_cli_runner()
    short = runner.invoke(
        args=["staff", "add", "Cy", "--email", "cy@porch.test", "--password-stdin"], input="short\n"
    )
    assert short.exit_code != 0 and "at least 10 characters" in short.output
    duplicate = runner.invoke(
        args=["staff", "add", "Ana Lima", "--email", "x@porch.test", "--password-stdin"],
        input="a long enough secret\n",
    )
    assert duplicate.exit_code != 0 and "exists" in duplicate.output


def test_posts_sync_creates_updates_and_keeps(app, tmp_path):
    runner = app.test_cli_runner()
    first = manifest(tmp_path, [entry("one", "Ana Lima"), entry("two", "Ana Lima", "Ben Okafor")])
    result = runner.invoke(args=["posts", "sync", str(first)])
    assert result.exit_code == 0, result.output
    assert "2 new, 0 updated, 0 unchanged" in result.output

    second = manifest(tmp_path, [entry("two", "Ben Okafor", title="Renamed")])
    result = runner.invoke(args=["posts", "sync", str(second)])
    assert "0 new, 1 updated, 0 unchanged" in result.output
    assert "Kept (no longer in the manifest, comments preserved): one" in result.output
    with app.app_context():
        two = db.session.query(Post).filter_by(slug="two").one()
        assert (two.title, two.author_names) == ("Renamed", ["Ben Okafor"])
        assert db.session.query(Post).count() == 2


def test_posts_sync_reports_bad_manifests_clearly(app, tmp_path):
    runner = app.test_cli_runner()
    missing = runner.invoke(args=["posts", "sync", str(tmp_path / "nope.json")])
    assert missing.exit_code != 0 and "build the blog first" in missing.output
    wrong_version = runner.invoke(args=["posts", "sync", str(manifest(tmp_path, [], version=9))])
    assert "version 1" in wrong_version.output
    no_authors = manifest(tmp_path, [{**entry("x"), "authors": "Ana"}])
    assert "needs 'authors'" in runner.invoke(args=["posts", "sync", str(no_authors)]).output


def test_comments_waiting_lists_by_author_and_as_json(app, make_post, make_staff, make_comment):
    make_staff("Ana Lima")
    make_staff("Root", role=Role.ADMIN)
    make_comment(make_post("mine", authors=("Ana Lima",)), name="Jo", minutes_ago=26 * 60)
    make_comment(make_post("orphan", authors=("Dev Patel",)), name="Sam", minutes_ago=10)
    runner = app.test_cli_runner()
    everything = runner.invoke(args=["comments", "waiting"])
    assert "2 waiting." in everything.output
    assert "OVERDUE" in everything.output
    rows = json.loads(
        runner.invoke(args=["comments", "waiting", "--author", "Ana Lima", "--json"]).output
    )
    assert [(r["post"], r["author_name"], r["overdue"], r["flagged_for"]) for r in rows] == [
        ("mine", "Jo", True, ["Ana Lima"])
    ]
    admin_rows = json.loads(
        runner.invoke(args=["comments", "waiting", "--author", "Root", "--json"]).output
    )
    assert [r["flagged_for"] for r in admin_rows] == [["Ana Lima"], ["Root"]]
    unknown = runner.invoke(args=["comments", "waiting", "--author", "Nobody"])
    assert unknown.exit_code != 0 and "No staff account named 'Nobody'" in unknown.output


def test_comments_export_writes_approved_threads(
    app, tmp_path, make_post, make_staff, make_comment
):
    post = make_post("hello")
    ana = make_staff("Ana Lima")
    question = make_comment(post, name="Jo", author_email="jo@example.com")
    make_comment(post, name="Held", status="pending")
    with app.app_context():
        add_staff_answer(db.session.merge(question), db.session.merge(ana), "Answer")
    target = tmp_path / "out" / "comments-export.json"
    result = app.test_cli_runner().invoke(args=["comments", "export", str(target)])
    assert result.exit_code == 0, result.output
    assert "Exported 2 comments on 1 posts" in result.output
    document = json.loads(target.read_text())
    assert document["version"] == 1
    (root,) = document["posts"]["hello"]
    assert root["author_name"] == "Jo"
    assert root["replies"][0]["staff"] == {"name": "Ana Lima", "role": "author"}
    assert "jo@example.com" not in target.read_text()


def test_set_password_and_deactivate(app, make_staff):
    make_staff("Ana Lima")
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["staff", "set-password", "Ana Lima", "--password-stdin"], input="a brand new secret\n"
    )
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["staff", "deactivate", "Ana Lima"]).exit_code == 0
    with app.app_context():
        ana = db.session.query(Staff).one()
        assert verify_password(ana.password_hash, "a brand new secret")
        assert ana.active is False
    assert "(inactive)" in runner.invoke(args=["staff", "list"]).output
    missing = runner.invoke(args=["staff", "deactivate", "Nobody"])
    assert missing.exit_code != 0 and "No staff account named 'Nobody'" in missing.output
