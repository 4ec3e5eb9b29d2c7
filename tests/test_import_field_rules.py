"""Imported comments follow the field rules of new ones, and the summary says what changed.

The hostile files hold what old systems let through and Porch's API refuses: staff
look-alike names, addresses with a header in them, a 200,000-character body. Each
importer reads them and stores only what the API would have stored.
"""

from pathlib import Path

import pytest
from sqlalchemy import select

from comments_service.extensions import db
from comments_service.models import Comment, Role
from comments_service.services.seldom_changed import reads_as_staff
from comments_service.words import fields

from .isso_support import Isso

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
LONG_BODY = "word " * 40_000


def run(app, kind: str, path, *options):
    return app.test_cli_runner().invoke(args=["import", kind, str(path), *options])


def imported(app, source: str) -> dict[str, Comment]:
    with app.app_context():
        query = select(Comment).where(Comment.import_source == source)
        rows = {comment.import_id: comment for comment in db.session.scalars(query)}
        db.session.expunge_all()
    return rows


@pytest.fixture
def wxr(tmp_path) -> Path:
    """The hostile WordPress export, with its 200,000-character body written in."""
    path = tmp_path / "wordpress-fields.xml"
    text = (HOSTILE / "wordpress-fields.xml").read_text(encoding="utf-8")
    path.write_text(text.replace("LONG_BODY", LONG_BODY), encoding="utf-8")
    return path


@pytest.fixture
def staff(make_staff):
    make_staff("Ana Lima")
    make_staff("Morgan Reyes", Role.ADMIN, email="admin@porch.test")


def assert_the_api_would_take(app, rows: dict[str, Comment]) -> None:
    """Every stored name, address and website passes the API's own rules."""
    with app.app_context():
        limits = fields.Limits(
            app.config["PORCH_MAX_COMMENT_CHARS"],
            app.config["PORCH_MAX_NAME_CHARS"],
            reads_as_staff,
        )
        for comment in rows.values():
            assert fields.name_problem(comment.author_name, limits) is None, comment.author_name
            assert fields.email_problem(comment.author_email or "") is None
            assert fields.website_problem(comment.author_website or "") is None
            assert fields.body_problem(comment.body_markdown, limits.max_chars) is None


@pytest.mark.usefixtures("staff")
def test_a_wordpress_import_mends_names_drops_bad_addresses_and_refuses_long_text(
    app, make_post, wxr
):
    make_post("hello")
    result = run(app, "wordpress", wxr)
    assert result.exit_code == 0, result.output
    rows = imported(app, "wordpress")
    assert sorted(rows) == ["1", "2", "5", "6", "7", "8"]
    assert (rows["1"].author_name, rows["1"].staff_id) == ("\u0410na Lima (reader)", None)
    assert rows["1"].author_email == "ana.lima@old.example"
    assert (rows["2"].author_email, rows["2"].author_website) == (None, None)
    assert (rows["5"].author_name, rows["5"].author_email) == ("Anonymous", None)
    assert rows["6"].author_name == "Morgan Reyes (admin) (reader)"
    assert rows["7"].author_name == "Sam Lee"
    kept = rows["8"]
    assert (kept.author_name, kept.author_email, kept.author_website) == (
        "Kim Park",
        "kim@example.org",
        "https://kim.example/",
    )
    assert_the_api_would_take(app, rows)

    output = result.output
    assert "Placed 6 comments (6 approved) on 1 posts." in output
    assert (
        "Skipped 2: 1 text longer than the comment limit (PORCH_MAX_COMMENT_CHARS);"
        " 1 reply to a comment that was not imported." in output
    )
    assert (
        "Changed 7 fields: 2 name reads as a staff member's, marked “(reader)”;"
        " 2 not an email address mail can be sent to, dropped; 1 not a web address, dropped;"
        " 1 name hiding line breaks in an encoded mail word, replaced by “Anonymous”;"
        " 1 name with control or invisible characters, invisible characters removed." in output
    )
    assert (
        "  refused: comment 3 (hello): text longer than the comment limit"
        " (PORCH_MAX_COMMENT_CHARS)\n" in output
    )
    for line in [
        "comment 1: name reads as a staff member's, marked “(reader)”",
        "comment 2: not an email address mail can be sent to, dropped",
        "comment 2: not a web address, dropped",
        "comment 5: name hiding line breaks in an encoded mail word, replaced by “Anonymous”",
        "comment 5: not an email address mail can be sent to, dropped",
        "comment 6: name reads as a staff member's, marked “(reader)”",
        "comment 7: name with control or invisible characters, invisible characters removed",
    ]:
        assert f"  changed: {line}\n" in output


@pytest.mark.usefixtures("staff")
def test_a_dry_run_reports_the_same_changes_and_stores_nothing(app, make_post, wxr):
    make_post("hello")
    result = run(app, "wordpress", wxr, "--dry-run")
    assert result.exit_code == 0, result.output
    assert imported(app, "wordpress") == {}
    assert "  changed: comment 1: name reads as a staff member's" in result.output
    assert "  not placed: comment 3 (hello): text longer than the comment limit" in result.output
    assert "Changed 7 fields:" in result.output


def test_the_body_limit_is_the_sites_own(app_with, make_post, wxr):
    app = app_with(PORCH_MAX_COMMENT_CHARS=250_000)
    make_post("hello")
    result = run(app, "wordpress", wxr)
    assert result.exit_code == 0, result.output
    assert len(imported(app, "wordpress")["3"].body_markdown) == len(LONG_BODY.strip())


def test_a_staff_members_own_comment_keeps_their_name(app, make_post, make_staff, wxr):
    """Found by address, comment 1 is Ana's answer, not a reader passing as her."""
    make_post("hello")
    ana = make_staff("Ana Lima", email="ana.lima@old.example")
    result = run(app, "wordpress", wxr)
    assert result.exit_code == 0, result.output
    rows = imported(app, "wordpress")
    assert (rows["1"].author_name, rows["1"].staff_id) == ("Ana Lima", ana.id)


@pytest.mark.usefixtures("staff")
def test_a_disqus_import_follows_the_same_rules(app, make_post):
    make_post("hello")
    result = run(app, "disqus", HOSTILE / "disqus-fields.xml")
    assert result.exit_code == 0, result.output
    rows = imported(app, "disqus")
    assert sorted(rows) == ["2001", "2003"]
    assert rows["2001"].author_name == "Ana Li\u0307ma (reader)"
    assert rows["2001"].author_email is None
    assert rows["2003"].author_name == "Ana Lirna (reader)"
    assert "Skipped 1: 1 text shows nothing." in result.output
    assert "  refused: comment 2002" in result.output
    assert "  changed: comment 2001: not an email address mail can be sent to" in result.output
    assert_the_api_would_take(app, rows)


@pytest.mark.usefixtures("staff")
def test_an_isso_import_follows_the_same_rules(app, make_post, tmp_path):
    make_post("hello")
    database = tmp_path / "comments.db"
    with Isso(tmp_path, database) as isso:
        isso.post("/2026/11/hello/", "Moderator here.", "Morgan Reyes [staff]", email="m@x")
        isso.post("/2026/11/hello/", "A question.", "Zoë", email="zoe@example.org")
    result = run(app, "isso", database)
    assert result.exit_code == 0, result.output
    rows = imported(app, "isso")
    names = sorted((c.author_name, c.author_email) for c in rows.values())
    assert names == [("Morgan Reyes [staff] (reader)", None), ("Zoë", "zoe@example.org")]
    assert "Changed 2 fields:" in result.output
    assert_the_api_would_take(app, rows)
