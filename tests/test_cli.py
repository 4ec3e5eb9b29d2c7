"""Operator commands, run through Flask's own CLI runner against the real database."""

import json

from comments_service.extensions import db
from comments_service.models import Post, Role, Staff
from comments_service.services.accounts.passwords import verify_password
from comments_service.services.comments.posting import add_staff_answer

from .conftest import PASSWORD

NO_NOBODY = "No staff account with the email address or name 'Nobody'"


def manifest(tmp_path, posts, version=2):
    """A posts manifest with the service's default paging, as a blog built with it writes."""
    path = tmp_path / "porch-manifest.json"
    paging = {"per_page": 50, "page_url": "comments/{number}/"}
    path.write_text(json.dumps({"version": version, "comments": paging, "posts": posts}))
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
    assert (
        "version must be 2, the posts manifest version of this Porch (the blog and the service"
        " run the same Porch) (2 was expected)."
    ) in wrong_version.output
    no_authors = manifest(tmp_path, [{**entry("x"), "authors": "Ana"}])
    assert "posts[0].authors must be a list of the post's distinct author names" in (
        runner.invoke(args=["posts", "sync", str(no_authors)]).output
    )


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
    assert unknown.exit_code != 0 and NO_NOBODY in unknown.output


def test_comments_export_writes_approved_threads(
    app, tmp_path, make_post, make_staff, make_comment
):
    post = make_post("hello")
    ana = make_staff("Ana Lima")
    question = make_comment(post, name="Jo", author_email="jo@example.com")
    make_comment(post, name="Held", status="pending")
    with app.app_context():
        add_staff_answer(db.session.merge(question), db.session.merge(ana), "Answer")
        db.session.commit()
    target = tmp_path / "out" / "comments-export.json"
    result = app.test_cli_runner().invoke(args=["comments", "export", str(target)])
    assert result.exit_code == 0, result.output
    assert "Exported 2 comments on 1 posts" in result.output
    document = json.loads(target.read_text())
    assert document["version"] == 2
    assert document["posts"]["hello"]["count"] == 2
    root, answer = document["posts"]["hello"]["comments"]
    assert root["author_name"] == "Jo"
    assert answer["staff"] == {"name": "Ana Lima", "role": "author"} and answer["depth"] == 1
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
    assert missing.exit_code != 0 and NO_NOBODY in missing.output


def test_staff_reactivate_lets_the_account_sign_in_again(app, make_staff, login):
    ana = make_staff("Ana Lima")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["staff", "deactivate", "Ana Lima"]).exit_code == 0
    assert login(ana).status_code == 401
    result = runner.invoke(args=["staff", "reactivate", "Ana Lima"])
    assert result.exit_code == 0, result.output
    assert "Ana Lima can sign in again." in result.output
    assert login(ana).status_code == 303


def test_staff_reactivate_names_an_unknown_account_and_fails(app):
    result = app.test_cli_runner().invoke(args=["staff", "reactivate", "Nobody"])
    assert result.exit_code == 1
    assert NO_NOBODY in result.output


def test_staff_add_with_a_short_password_stores_nothing(app):
    result = app.test_cli_runner().invoke(
        args=["staff", "add", "Cy Ng", "--email", "cy@porch.test", "--password-stdin"],
        input="too short\n",
    )
    assert result.exit_code == 1
    assert "Error: The password needs at least 10 characters." in result.output
    with app.app_context():
        assert db.session.query(Staff).count() == 0


def test_staff_add_with_a_taken_name_or_email_stores_nothing(app, make_staff):
    make_staff("Ana Lima")
    runner = app.test_cli_runner()
    for name, email in [(" Ana Lima ", "new@porch.test"), ("Ana Two", " ANA@Porch.test")]:
        result = runner.invoke(
            args=["staff", "add", name, "--email", email, "--password-stdin"],
            input="a long enough secret\n",
        )
        assert result.exit_code == 1
        assert "exists" in result.output and "Traceback" not in result.output
    with app.app_context():
        assert db.session.query(Staff.name).all() == [("Ana Lima",)]


def test_staff_set_password_refuses_a_short_password_and_keeps_the_old_one(app, make_staff):
    make_staff("Ana Lima")
    result = app.test_cli_runner().invoke(
        args=["staff", "set-password", "Ana Lima", "--password-stdin"], input="too short\n"
    )
    assert result.exit_code == 1
    assert "at least 10 characters" in result.output
    with app.app_context():
        assert verify_password(db.session.query(Staff).one().password_hash, PASSWORD)


SHOUTY_NAME = "\x1b]0;owned\x07\x1b[31mEve\u202egnp.exe\u200b"


def test_comments_waiting_shows_control_characters_in_names_as_escapes(
    app, make_post, make_comment
):
    """Rows stored before names were checked must not drive the operator's terminal."""
    make_comment(make_post("mine"), name=SHOUTY_NAME)
    runner = app.test_cli_runner()
    lines = runner.invoke(args=["comments", "waiting"]).output
    assert "\\u001b]0;owned\\u0007\\u001b[31mEve\\u202egnp.exe\\u200b" in lines
    as_json = runner.invoke(args=["comments", "waiting", "--json"]).output
    for output in (lines, as_json):
        assert not {"\x1b", "\x07", "\u202e", "\u200b"} & set(output)
    assert json.loads(as_json)[0]["author_name"] == SHOUTY_NAME


def test_staff_list_shows_control_characters_as_escapes(app, make_staff):
    make_staff("Ana\x1b[2J Lima", email="ana@porch.test")
    output = app.test_cli_runner().invoke(args=["staff", "list"]).output
    assert "Ana\\u001b[2J Lima\tana@porch.test\tauthor" in output
    assert "\x1b" not in output


def test_staff_add_refuses_control_characters_in_a_name_and_never_echoes_them(app):
    result = app.test_cli_runner().invoke(
        args=["staff", "add", "Ana\x1b[2J Lima", "--email", "ana@porch.test", "--password-stdin"],
        input=f"{PASSWORD}\n",
    )
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\\x1b" in result.output
    with app.app_context():
        assert db.session.query(Staff).count() == 0
