"""Readers known by name: the grouped query, a reader's page, the first-comment badge.

A fixed cast of readers on real SQLite/PostgreSQL: Jo writes with one address in three
spellings and a second name, Kim gives no email, Lee's one comment needed no answer, Nia's
only published comment is her first (an earlier one was spam). Answers go through the
real rule (services.answers for a staff reply, services.listening for a private one).
"""

import json
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import aliased

from comments_service.enums import CommentStatus, PrivateChannel
from comments_service.extensions import db
from comments_service.models import Comment, ReaderSummary, Role, Staff, utcnow
from comments_service.queries.listening import reader_identity
from comments_service.services.comments.answers import record_answer
from comments_service.services.moderation import listening
from comments_service.services.moderation.readers import (
    ReaderKeys,
    is_first_comment,
    published,
    published_comments,
    readers,
    same_reader,
    summaries,
)
from comments_service.services.tokens import Signed

from .conftest import PASSWORD, csrf_token

KINDS = ("question", "idea", "problem", "praise")
T0 = utcnow().replace(microsecond=0) - timedelta(days=30)
EMAILS = ("jo@example.com", "kim@example.com", "lee@example.com", "nia@example.com")


def at(hours: float):
    return T0 + timedelta(hours=hours)


@pytest.fixture
def cast(app, make_staff, make_post, make_comment):
    """The readers, their comments, and the answers they got, by name."""
    ana, bo = make_staff("Ana Lima"), make_staff("Bo Admin", Role.ADMIN)
    hello = make_post("hello", title="Hello", authors=("Ana Lima",))
    offline = make_post("offline", title="Offline mode", authors=("Ana Lima",))
    other = make_post("other", title="Other news", authors=("Cy Writer",))
    c = SimpleNamespace(ana=ana, bo=bo, hello=hello, offline=offline, other=other)
    jo = dict(name="Jo", author_email="Jo@Example.com")
    c.jo1 = make_comment(hello, created_at=at(1), kind="question", **jo)
    c.jo2 = make_comment(
        offline, created_at=at(72), kind="idea", **jo | {"author_email": "jo@example.com"}
    )
    c.jo3 = make_comment(
        other, created_at=at(120), kind="idea", name="Jo R.", author_email="JO@example.com"
    )
    c.jo_spam = make_comment(hello, created_at=at(0), status=CommentStatus.SPAM, **jo)
    make_comment(hello, created_at=at(130), status=CommentStatus.DELETED, **jo)
    make_comment(hello, created_at=at(131), status=CommentStatus.PENDING, **jo)
    c.kim1 = make_comment(hello, created_at=at(48), kind="praise", name="Kim")
    c.kim2 = make_comment(
        offline, created_at=at(96), name="Kim", dismissed_at=at(97), dismissed_by_id=bo.id
    )
    c.lee1 = make_comment(
        hello, created_at=at(144), name="Lee", author_email="lee@example.com", dismissed_at=at(145)
    )
    make_comment(
        hello,
        created_at=at(150),
        name="Nia",
        author_email="nia@example.com",
        status=CommentStatus.SPAM,
    )
    c.nia1 = make_comment(hello, created_at=at(160), name="Nia", author_email="NIA@example.com")
    make_comment(
        hello, created_at=at(170), name="Erased reader", erased_at=at(171), dismissed_at=at(171)
    )
    with app.app_context():
        jo1, jo2, staff = (
            db.session.get(Comment, c.jo1.id),
            db.session.get(Comment, c.jo2.id),
            db.session.get(Staff, ana.id),
        )
        answer = Comment(
            post_id=hello.id,
            parent=jo1,
            staff=staff,
            author_name=staff.name,
            body_markdown="a",
            body_html="<p>a</p>",
            status=CommentStatus.APPROVED,
            created_at=at(2),
        )
        db.session.add(answer)
        record_answer(answer)
        listening.answer_privately(jo2, staff, PrivateChannel.PHONE, "Called Jo.", at(75), utcnow())
        db.session.commit()
        c.answer_id = answer.id
    return c


def reader_rows(comments=None) -> list:
    return db.session.execute(readers(comments or published_comments(), KINDS)).all()


def summary(row) -> tuple:
    kinds = tuple(row._mapping[f"kind_{i}"] for i in range(len(KINDS)))
    return (
        row.name,
        row.email,
        row.comments,
        row.posts,
        row.first_at,
        row.last_at,
        row.answered,
        row.waiting,
        kinds,
    )


def test_a_reader_is_an_email_in_any_case_or_a_name_without_one_latest_first(app, cast):
    with app.app_context():
        rows = [summary(row) for row in reader_rows()]
    assert rows == [
        ("Nia", "NIA@example.com", 1, 1, at(160), at(160), 0, 1, (0, 0, 0, 0)),
        ("Lee", "lee@example.com", 1, 1, at(144), at(144), 0, 0, (0, 0, 0, 0)),
        ("Jo R.", "JO@example.com", 3, 3, at(1), at(120), 2, 1, (1, 2, 0, 0)),
        ("Kim", None, 2, 2, at(48), at(96), 0, 1, (0, 0, 0, 1)),
    ]


def test_the_share_answered_counts_public_and_private_answers_and_leaves_out_no_answer_needed(
    app, cast
):
    keys = ReaderKeys("secret")
    with app.app_context():
        shares = {row.name: keys.reader(row, KINDS).share_answered for row in reader_rows()}
    assert shares == {"Nia": 0.0, "Lee": None, "Jo R.": 2 / 3, "Kim": 0.0}


def test_search_keeps_readers_with_a_matching_name_or_email_and_all_their_comments(app, cast):
    def found(search: str) -> list:
        return db.session.scalars(summaries(ReaderSummary.EVERYONE, search)).all()

    with app.app_context():
        assert [(row.name, row.comments) for row in found("jo r")] == [("Jo R.", 3)]
        assert [(row.name, row.comments) for row in found("jo\n")] == []  # no name holds one
        assert [row.name for row in found("EXAMPLE.COM")] == ["Nia", "Lee", "Jo R."]
        assert found("%") == []


def test_grouping_by_reader_and_looking_a_reader_up_agree(app, cast):
    other = aliased(Comment)
    columns = (
        Comment.id,
        reader_identity().label("who"),
        Comment.author_email,
        Comment.author_name,
    )
    with app.app_context():
        rows = db.session.execute(select(*columns).where(published())).all()
        for row in rows:
            by_values = select(Comment.id).where(
                published(), same_reader(row.author_email, row.author_name)
            )
            by_columns = (
                select(other.id)
                .join(Comment, Comment.id == row.id)
                .where(
                    published(other), same_reader(Comment.author_email, Comment.author_name, other)
                )
            )
            grouped = {each.id for each in rows if each.who == row.who}
            assert set(db.session.scalars(by_values)) == grouped, row
            assert set(db.session.scalars(by_columns)) == grouped, row
    assert len({row.who for row in rows}) == 4


def test_each_readers_first_published_comment_is_marked_first(app, cast):
    with app.app_context():
        marked = dict(db.session.execute(select(Comment.id, is_first_comment())).all())
    first = {cast.jo1.id, cast.kim1.id, cast.lee1.id, cast.nia1.id}
    assert {comment_id for comment_id, is_first in marked.items() if is_first} == first


def test_a_key_names_a_comment_without_the_address_and_a_changed_key_names_nothing():
    keys = ReaderKeys("secret")
    key = keys.make(42, "its-link-key")
    assert keys.read(key) == Signed(42, "its-link-key")
    assert "@" not in key and "example" not in key
    assert keys.read(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert ReaderKeys("another secret").read(key) is None
    assert keys.read("not-a-key") is None


def signed_in(client, login, staff):
    assert login(staff).status_code == 303
    return client


def listed(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/moderation/readers/[^"]+">([^<]+)</a>', html)


def key_of(html: str, name: str) -> str:
    return re.search(rf'<a href="/moderation/readers/([^"]+)">{re.escape(name)}</a>', html).group(1)


def test_the_readers_view_lists_every_reader_for_an_admin(client, login, cast):
    html = signed_in(client, login, cast.bo).get("/moderation/readers").get_data(as_text=True)
    assert listed(html) == ["Nia", "Lee", "Jo R.", "Kim"]
    assert '<a href="mailto:JO@example.com">JO@example.com</a>' in html
    assert '67% <span class="meta">(2 of 3)</span>' in html
    assert f'<time datetime="{at(1):%Y-%m-%dT%H:%M:%SZ}">{at(1).day} {at(1):%B %Y}</time>' in html
    assert 'href="/moderation/readers" aria-current="page">Readers</a>' in html


def test_an_author_sees_the_readers_of_their_own_posts(client, login, cast):
    html = signed_in(client, login, cast.ana).get("/moderation/readers").get_data(as_text=True)
    assert listed(html) == ["Nia", "Lee", "Kim", "Jo"]
    assert '100% <span class="meta">(2 of 2)</span>' in html


def test_the_readers_view_pages_and_searches(app_with, cast):
    client = app_with(PORCH_MODERATION_PAGE_SIZE=3).test_client()
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    signing_in = {"email": cast.bo.email, "password": PASSWORD, "csrf_token": token}
    assert client.post("/auth/login", data=signing_in).status_code == 303
    first = client.get("/moderation/readers").get_data(as_text=True)
    second = client.get("/moderation/readers?page=2").get_data(as_text=True)
    found = client.get("/moderation/readers?q=KIM").get_data(as_text=True)
    assert (listed(first), listed(second)) == (["Nia", "Lee", "Jo R."], ["Kim"])
    assert "Page 1 of 2" in first and 'rel="next" href="/moderation/readers?page=2"' in first
    assert listed(found) == ["Kim"]


def answer_states(html: str) -> list[str]:
    """Each comment's answer line on a reader's page, as text."""
    lines = re.findall(r'<li class="answer-state">(.*?)</li>', html, re.S)
    return [" ".join(re.sub("<[^>]+>", "", line).split()) for line in lines]


def test_a_readers_page_shows_their_history_oldest_or_newest_first(client, login, cast):
    signed_in(client, login, cast.bo)
    key = key_of(client.get("/moderation/readers").get_data(as_text=True), "Jo R.")
    oldest = client.get(f"/moderation/readers/{key}").get_data(as_text=True)
    newest = client.get(f"/moderation/readers/{key}?order=newest").get_data(as_text=True)
    titles = r'<a class="post" href="http://blog.test/2026/11/\w+/#comment-\d+">([^<]+)</a>'
    assert re.findall(titles, oldest) == ["Hello", "Offline mode", "Other news"]
    assert re.findall(titles, newest) == ["Other news", "Offline mode", "Hello"]
    assert answer_states(oldest) == [
        f"Answered by Ana Lima, {at(2).day} {at(2):%B %Y, %H:%M} UTC",
        f"Answered privately (phone) by Ana Lima, {at(75).day} {at(75):%B %Y, %H:%M} UTC",
        "Waiting for an answer",
    ]
    assert f'href="/moderation/comments/{cast.jo3.id}/thread#comment-{cast.jo3.id}"' in oldest
    assert "Kind: question" in oldest and "3 on 3 posts" in oldest


def test_a_readers_page_without_an_email_says_who_found_no_answer_needed(client, login, cast):
    signed_in(client, login, cast.bo)
    key = key_of(client.get("/moderation/readers").get_data(as_text=True), "Kim")
    html = client.get(f"/moderation/readers/{key}?order=newest").get_data(as_text=True)
    assert answer_states(html) == ["No answer needed (Bo Admin)", "Waiting for an answer"]
    assert "None given" in html and "Kinds</dt><dd>praise 1</dd>" in html


def test_a_forged_or_foreign_key_gets_the_not_found_page(app, client, login, cast):
    signed_in(client, login, cast.ana)
    keys = ReaderKeys(app.config["SECRET_KEY"])
    assert client.get("/moderation/readers/made-up").status_code == 404
    with app.app_context():
        answer = db.session.get(Comment, cast.answer_id)
    for not_a_published_reader_comment in (cast.jo_spam, answer):
        key = keys.make(not_a_published_reader_comment.id, not_a_published_reader_comment.link_key)
        assert client.get(f"/moderation/readers/{key}").status_code == 404
    on_cys_post = keys.make(cast.jo3.id, cast.jo3.link_key)
    assert client.get(f"/moderation/readers/{on_cys_post}").status_code == 404
    response = client.get(f"/moderation/readers/{keys.make(cast.jo1.id, cast.jo1.link_key)}")
    assert response.status_code == 200 and "<h1>Jo</h1>" in response.get_data(as_text=True)


def test_the_queue_marks_a_readers_first_comment(client, login, cast):
    html = signed_in(client, login, cast.bo).get("/moderation/").get_data(as_text=True)
    badges = re.findall(
        r'<strong>([^<]+)</strong> <span class="badge badge--first">First comment</span>', html
    )
    names = re.findall(r'<span class="author"><strong>([^<]+)</strong>', html)
    assert names == ["Kim", "Jo R.", "Nia"]
    assert badges == ["Kim", "Nia"]


def test_a_forgotten_reader_leaves_the_readers_view_and_their_page(app, client, login, cast):
    signed_in(client, login, cast.bo)
    key = key_of(client.get("/moderation/readers").get_data(as_text=True), "Jo R.")
    result = app.test_cli_runner().invoke(args=["people", "forget", "jo@EXAMPLE.com"])
    assert result.exit_code == 0, result.output
    assert listed(client.get("/moderation/readers").get_data(as_text=True)) == ["Nia", "Lee", "Kim"]
    assert client.get(f"/moderation/readers/{key}").status_code == 404


def test_readers_pages_are_for_signed_in_staff_only(client, cast):
    for path in ("/moderation/readers", f"/moderation/readers/{ReaderKeys('x').make(1, 'k')}"):
        response = client.get(path)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_no_reader_facing_output_carries_an_email(app, client, cast, tmp_path):
    api = client.get("/api/posts/hello/comments").get_data(as_text=True)
    export = tmp_path / "export.json"
    result = app.test_cli_runner().invoke(args=["comments", "export", str(export)])
    assert result.exit_code == 0, result.output
    baked = export.read_text()
    assert json.loads(api)["count"] == 5
    for output in (api, baked):
        assert "@" not in output.lower()
        for email in EMAILS:
            assert email not in output.lower()
