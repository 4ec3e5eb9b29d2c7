"""WordPress imports, on the real theme-unit-test export (threads ten levels deep)."""

import os
import pty
import subprocess
import time
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import select

from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus

from .browser_support import BIN, COMMAND_TIMEOUT, ROOT, clean_environment


def shared_export() -> Path:
    """The real theme-unit-test export, from the shared data beside the checkout.

    PORCH_SHARED_DATA names that folder where a checkout lives elsewhere; without the
    file the tests fail, never skip.
    """
    relative = Path("wordpress") / "themeunittestdata.wordpress.xml"
    folders = [
        os.environ.get("PORCH_SHARED_DATA"),
        ROOT.parent / "shared" / "data",
        "/work/shared/data",
    ]
    for folder in filter(None, folders):
        if (Path(folder) / relative).is_file():
            return Path(folder) / relative
    return Path(folders[1]) / relative


WXR = shared_export()
NO_VERSION = Path(__file__).parent / "fixtures" / "wordpress" / "no-wxr-version.xml"
WP = "{https://wordpress.org/export/1.2/}"
STATUS = {"1": CommentStatus.APPROVED, "0": CommentStatus.PENDING, "spam": CommentStatus.SPAM}
THEME_BUSTER = "themeshaperwp+demos@gmail.com"


def file_comments(path: Path = WXR) -> dict[str, dict]:
    """What the export says, read with the standard library: comment id -> its facts."""
    found = {}
    for item in ET.parse(path).getroot().iter("item"):
        for comment in item.findall(f"{WP}comment"):
            text = partial(wp_text, comment)
            found[text("comment_id")] = {
                "slug": item.findtext(f"{WP}post_name"),
                "parent": None if text("comment_parent") == "0" else text("comment_parent"),
                "approved": text("comment_approved"),
                "type": text("comment_type"),
                "email": text("comment_author_email"),
                "date": datetime.strptime(text("comment_date_gmt"), "%Y-%m-%d %H:%M:%S").replace(
                    tzinfo=UTC
                ),
            }
    return found


def wp_text(element, name: str) -> str:
    return element.findtext(f"{WP}{name}") or ""


def imported(app) -> dict[str, Comment]:
    with app.app_context():
        comments = db.session.scalars(select(Comment).where(Comment.import_source == "wordpress"))
        rows = {comment.import_id: comment for comment in comments}
        for comment in rows.values():  # load what the assertions read
            _ = comment.post.slug, comment.parent, comment.staff
        db.session.expunge_all()
    return rows


@pytest.fixture
def theme_posts(make_post):
    """Porch posts with the slugs of the export's items that have comments."""
    slugs = {facts["slug"] for facts in file_comments().values()}
    return {slug: make_post(slug, authors=("Theme Buster",)) for slug in sorted(slugs)}


def run(app, *args):
    return app.test_cli_runner().invoke(args=["import", "wordpress", *map(str, args)])


def test_every_comment_lands_on_its_post_with_parent_status_and_date(app, theme_posts):
    result = run(app, WXR)
    assert result.exit_code == 0, result.output
    expected = {
        number: facts
        for number, facts in file_comments().items()
        if facts["type"] not in ("pingback", "trackback")
    }
    rows = imported(app)
    assert set(rows) == set(expected)
    for number, facts in expected.items():
        comment = rows[number]
        assert comment.post.slug == facts["slug"]
        assert (comment.parent.import_id if comment.parent else None) == facts["parent"]
        assert comment.status == STATUS[facts["approved"]]
        assert comment.created_at == facts["date"]
    per_post = Counter(facts["slug"] for facts in expected.values())
    assert Counter(comment.post.slug for comment in rows.values()) == per_post
    print(result.output)  # the import figures, for the record
    assert "Placed 29 comments (26 approved, 3 pending) on 7 posts." in result.output
    assert "Skipped 4: 4 pingback or trackback." in result.output


def test_the_tenth_level_keeps_its_whole_chain(app, theme_posts):
    run(app, WXR)
    rows = imported(app)
    by_id = {comment.id: comment for comment in rows.values()}
    chain, comment = [], rows["915"]
    while comment is not None:
        chain.append(comment.import_id)
        comment = by_id.get(comment.parent_id)
    assert chain == ["915", "914", "913", "912", "911", "910", "907", "906", "905", "904"]


def test_a_second_import_adds_nothing(app, theme_posts):
    run(app, WXR)
    first = imported(app)
    result = run(app, WXR)
    assert result.exit_code == 0, result.output
    assert "Placed 0 comments (none) on 0 posts." in result.output
    assert "29 already imported" in result.output
    assert imported(app).keys() == first.keys()


def test_pingbacks_are_kept_on_request(app, theme_posts):
    result = run(app, WXR, "--keep-pingbacks")
    assert result.exit_code == 0, result.output
    pings = [n for n, f in file_comments().items() if f["type"] in ("pingback", "trackback")]
    rows = imported(app)
    assert all(rows[number].post.slug == "template-pingbacks-an-trackbacks" for number in pings)
    assert len(rows) == len(file_comments())


def test_the_post_authors_replies_are_staff_answers_at_their_own_time(app, theme_posts, make_staff):
    buster = make_staff("Theme Buster", email=THEME_BUSTER)
    run(app, WXR)
    rows = imported(app)
    answers = {n for n, f in file_comments().items() if f["email"] == THEME_BUSTER}
    assert {n for n, c in rows.items() if c.staff_id == buster.id} == answers
    assert all(rows[n].author_name == "Theme Buster" for n in answers)
    answer = rows["910"]
    for above in ("907", "906", "905", "904"):  # a staff reply answers every comment above it
        assert rows[above].answered_at == answer.created_at
        assert rows[above].answered_by_id == buster.id
    assert rows["911"].answered_at == rows["915"].created_at  # the next answer down
    assert rows["917"].answered_at is None  # nobody answered it


def test_comments_are_placed_by_url_when_the_slug_is_unknown(app, make_post):
    post = make_post("elsewhere")
    with app.app_context():
        db.session.get(type(post), post.id).path = "2012/01/03/template-comments/"
        db.session.commit()
    result = run(app, WXR, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "  elsewhere: 20 comments" in result.output


def test_a_mapping_file_moves_a_renamed_post(app, make_post, tmp_path):
    make_post("comments-on-templates")
    mapping = tmp_path / "map.csv"
    mapping.write_text(
        "# old slug or URL, Porch slug\n"
        "https://wpthemetestdata.wordpress.com/2012/01/03/template-comments/,"
        "comments-on-templates\n"
    )
    result = run(app, WXR, "--map", mapping)
    assert result.exit_code == 0, result.output
    assert Counter(c.post.slug for c in imported(app).values()) == {"comments-on-templates": 20}


def test_a_mapping_to_an_unknown_slug_is_refused(app, theme_posts, tmp_path):
    mapping = tmp_path / "map.csv"
    mapping.write_text("template-comments,no-such-post\n")
    result = run(app, WXR, "--map", mapping)
    assert result.exit_code == 1
    assert "no Porch post has the slug 'no-such-post'" in result.output
    assert imported(app) == {}


def test_a_dry_run_lists_every_unplaced_comment_and_changes_nothing(app, make_post):
    make_post("template-comments")
    result = run(app, WXR, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Reading" not in result.output  # no progress bar when no terminal watches
    assert "  template-comments: 20 comments" in result.output
    assert (
        "  not placed: comment 167 (page-with-comments): no Porch post for its slug or URL"
        in result.output
    )
    assert (
        "  not placed: comment 921 (template-pingbacks-an-trackbacks): pingback or trackback"
        in result.output
    )
    assert "Dry run, nothing was changed. Would place 20 comments" in result.output
    assert imported(app) == {}


def test_trash_is_skipped_and_spam_goes_to_spam(app, make_post, tmp_path):
    make_post("hello")
    wxr = tmp_path / "small.xml"
    wxr.write_text(small_wxr(("1", "0", "spam"), ("2", "0", "trash"), ("3", "2", "1")))
    result = run(app, wxr)
    assert result.exit_code == 0, result.output
    rows = imported(app)
    assert {n: c.status for n, c in rows.items()} == {"1": CommentStatus.SPAM}
    assert "1 in the trash; 1 reply to a comment that was not imported" in result.output


def test_parents_after_their_replies_in_the_file_are_found(app, make_post, tmp_path):
    make_post("hello")
    wxr = tmp_path / "backwards.xml"
    wxr.write_text(small_wxr(("3", "2", "1"), ("2", "1", "1"), ("1", "0", "1")))
    assert run(app, wxr).exit_code == 0
    rows = imported(app)
    assert rows["3"].parent.import_id == "2" and rows["2"].parent.import_id == "1"


def test_bodies_are_sanitised_like_new_comments(app, make_post, tmp_path):
    make_post("hello")
    wxr = tmp_path / "bodies.xml"
    body = '<a href="javascript:alert(1)" onclick="x()">hi</a> <script>alert(2)</script>'
    wxr.write_text(small_wxr(("1", "0", "1")).replace("BODY", body.replace("<", "&lt;")))
    assert run(app, wxr).exit_code == 0
    comment = imported(app)["1"]
    assert comment.body_markdown == body
    assert comment.body_html == "<p>hi </p>"  # a link without an address is its words


def small_wxr(*comments: tuple[str, str, str]) -> str:
    """A minimal WXR 1.2 file with the comments (id, parent, approved) on post "hello"."""
    rows = "".join(
        f"<wp:comment><wp:comment_id>{number}</wp:comment_id>"
        f"<wp:comment_author>Reader {number}</wp:comment_author>"
        f"<wp:comment_date_gmt>2020-01-0{number} 10:00:00</wp:comment_date_gmt>"
        f"<wp:comment_content>BODY</wp:comment_content>"
        f"<wp:comment_approved>{approved}</wp:comment_approved>"
        f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>"
        for number, parent, approved in comments
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        "<wp:wxr_version>1.2</wp:wxr_version>"
        "<item><link>https://old.example/hello/</link><wp:post_name>hello</wp:post_name>"
        f"{rows}</item></channel></rss>"
    )


def test_the_post_authors_user_id_makes_a_staff_answer(app, make_post, make_staff, tmp_path):
    ana = make_staff("Ana Lima", email="ana@porch.test")
    make_post("hello")
    wxr = tmp_path / "authored.xml"
    author = (
        "<wp:author><wp:author_id>7</wp:author_id><wp:author_login>ana</wp:author_login>"
        "<wp:author_email>ana@porch.test</wp:author_email></wp:author>"
    )
    text = small_wxr(("1", "0", "1"), ("2", "1", "1"), ("3", "0", "1"))
    text = text.replace("<item>", f"{author}<item><dc:creator>ana</dc:creator>")
    text = text.replace(
        "<wp:comment_parent>1</wp:comment_parent>",
        "<wp:comment_parent>1</wp:comment_parent><wp:comment_user_id>7</wp:comment_user_id>",
    )
    text = text.replace(
        "<wp:comment_id>3</wp:comment_id>",
        "<wp:comment_id>3</wp:comment_id><wp:comment_user_id>8</wp:comment_user_id>",
    )
    wxr.write_text(text)
    assert run(app, wxr).exit_code == 0
    rows = imported(app)
    assert (rows["2"].staff_id, rows["2"].author_name) == (ana.id, "Ana Lima")
    assert rows["1"].answered_at == rows["2"].created_at
    assert rows["3"].staff_id is None  # another WordPress user is a reader here


def test_a_comment_listed_twice_is_stored_once(app, make_post, tmp_path):
    make_post("hello")
    wxr = tmp_path / "twice.xml"
    wxr.write_text(small_wxr(("1", "0", "1"), ("1", "0", "1"), ("2", "1", "1")))
    result = run(app, wxr)
    assert result.exit_code == 0, result.output
    assert "Placed 2 comments" in result.output and "1 listed twice in the file" in result.output
    assert sorted(imported(app)) == ["1", "2"]


def test_a_terminal_sees_a_progress_bar(app, database_url, make_post):
    make_post("template-comments")
    env = clean_environment(DATABASE_URL=database_url, SECRET_KEY="test")
    command = [str(BIN / "flask"), "--app", "comments_service", "import", "wordpress", str(WXR)]
    controller, terminal = pty.openpty()
    with subprocess.Popen(command, cwd=ROOT, env=env, stdout=terminal, stderr=terminal) as flask:
        os.close(terminal)
        output = b""
        deadline = time.monotonic() + COMMAND_TIMEOUT
        while time.monotonic() < deadline:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the command ended and closed the terminal
                break
            if not chunk:
                break
            output += chunk
        os.close(controller)
        assert flask.wait(timeout=COMMAND_TIMEOUT) == 0, output
    text = output.decode()
    assert "Reading" in text and "100%" in text and "Storing" in text
    assert "Placed 20 comments" in text


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
def test_every_wxr_version_is_read(app, make_post, tmp_path, version):
    make_post("hello")
    wxr = tmp_path / "old.xml"
    text = small_wxr(("1", "0", "1")).replace("export/1.2/", f"export/{version}/")
    wxr.write_text(text.replace(">1.2</wp:wxr_version>", f">{version}</wp:wxr_version>"))
    result = run(app, wxr)
    assert result.exit_code == 0, result.output
    assert list(imported(app)) == ["1"]
    assert "No WXR version" not in result.output  # nothing assumed when it is there


def test_comments_that_are_each_others_parents_are_not_imported(app, make_post, tmp_path):
    make_post("hello")
    wxr = tmp_path / "loop.xml"
    wxr.write_text(small_wxr(("1", "2", "1"), ("2", "1", "1"), ("3", "0", "1")))
    result = run(app, wxr)
    assert result.exit_code == 0, result.output
    assert "Skipped 2: 2 reply to a comment that was not imported." in result.output
    assert list(imported(app)) == ["3"]


@pytest.fixture
def old_posts(make_post):
    """The two posts of the export without a WXR version."""
    return [make_post("first-light"), make_post("winter-notes")]


def test_an_export_without_a_wxr_version_is_read_as_its_namespaces_version(app, old_posts):
    result = run(app, NO_VERSION)
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == (
        "Placed 4 comments (3 approved, 1 pending) on 2 posts."
        " Skipped 1: 1 pingback or trackback."
        " No WXR version in the file: read as WXR 1.0 (from its wp namespace)."
    )
    rows = imported(app)
    assert {n: (c.post.slug, c.status) for n, c in rows.items()} == {
        "11": ("first-light", CommentStatus.APPROVED),
        "12": ("first-light", CommentStatus.APPROVED),
        "13": ("first-light", CommentStatus.PENDING),
        "14": ("winter-notes", CommentStatus.APPROVED),
    }
    assert rows["12"].parent.import_id == "11"
    assert rows["11"].parent is None and rows["14"].parent is None
    assert rows["12"].created_at == datetime(2009, 3, 1, 10, 40, tzinfo=UTC)
    assert (rows["11"].author_name, rows["11"].body_markdown) == (
        "Marta",
        "Lovely morning here too.",
    )


def test_a_dry_run_says_which_version_it_assumed(app, old_posts):
    result = run(app, NO_VERSION, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "  first-light: 3 comments" in result.output
    assert result.output.strip().splitlines()[-1] == (
        "Dry run, nothing was changed. Would place 4 comments (3 approved, 1 pending)"
        " on 2 posts. Skipped 1: 1 pingback or trackback."
        " No WXR version in the file: read as WXR 1.0 (from its wp namespace)."
    )
    assert imported(app) == {}


def test_a_wordpress_generator_alone_reads_it_as_the_newest_version(app, old_posts, tmp_path):
    wxr = tmp_path / "generator-only.xml"
    text = NO_VERSION.read_text().replace("http://wordpress.org/export/1.0/", "urn:old-export")
    wxr.write_text(text)
    result = run(app, wxr)
    assert result.exit_code == 0, result.output
    assert (
        "No WXR version in the file: read as WXR 1.2"
        " (the newest, as its generator is wordpress.org)." in result.output
    )
    assert sorted(imported(app)) == ["11", "12", "13", "14"]
