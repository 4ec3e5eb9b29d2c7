"""Context for staff: a comment's whole thread on the moderation page, and its history."""

import re
from datetime import UTC, datetime

from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus, ModerationAction
from comments_service.services.comments.threads import staff_thread
from comments_service.services.moderation import decisions as moderation

from .conftest import csrf_token
from .test_deep_threads import DEPTH, chain  # noqa: F401
from .test_moderation import staff_answer


def listed(html: str) -> list[tuple[str, str]]:
    """(author, how far it is indented) of each comment on a thread page, in order."""
    return [
        (name, level)
        for level, name in re.findall(
            r'indent-(\d+)[^>]*>\s*<p class="meta"><strong>([^<]+)<', html
        )
    ]


def test_thread_view_lists_the_whole_thread_in_any_state_with_depths(
    client, app, make_staff, make_post, make_comment, login
):
    post = make_post("mine")
    ana = make_staff("Ana Lima")
    top = make_comment(post, name="Top", minutes_ago=9)
    gone = make_comment(post, parent=top, name="Gone", status=CommentStatus.DELETED, minutes_ago=8)
    held = make_comment(post, parent=gone, name="Held", status=CommentStatus.PENDING, minutes_ago=7)
    make_comment(post, parent=top, name="Second", minutes_ago=6)
    make_comment(post, name="Other Thread", minutes_ago=5)
    staff_answer(app, held, ana)
    login(ana)
    response = client.get(f"/moderation/comments/{held.id}/thread")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert listed(html) == [("Top", "0"), ("Gone", "1"), ("Held", "2"), ("Ana Lima", "3")] + [
        ("Second", "1")
    ]
    assert "Other Thread" not in html
    assert 'class="status status--deleted">removed' in html
    assert f'item--chosen" id="comment-{held.id}"' in html
    assert f'href="http://blog.test/2026/11/mine/#comment-{top.id}"' in html


def test_a_thread_deeper_than_python_recursion_lists_every_level(app, chain):  # noqa: F811
    with app.app_context():
        thread = staff_thread(db.session.get(Comment, chain.ids[DEPTH // 2]))
        assert [(member.id, depth) for member, depth in thread] == [
            (comment_id, depth) for depth, comment_id in enumerate(chain.ids)
        ]


def test_authors_cannot_open_threads_on_other_posts(
    client, make_staff, make_post, make_comment, login
):
    other = make_comment(make_post("theirs", authors=("Ben Okafor",)))
    login(make_staff("Ana Lima"))
    assert client.get(f"/moderation/comments/{other.id}/thread").status_code == 403
    assert client.get("/moderation/comments/999/thread").status_code == 404


def test_each_comment_shows_who_did_what_when_and_why(
    client, app, make_staff, make_post, make_comment, login
):
    post = make_post("mine")
    thanks = make_comment(post, name="Grateful Reader")
    held = make_comment(post, name="Linky", status=CommentStatus.PENDING)
    with app.app_context():
        db.session.add(ModerationAction(comment_id=held.id, action="hold", reason="4 links"))
        db.session.commit()
    login(make_staff("Ana Lima"))
    page = client.get("/moderation/").get_data(as_text=True)
    client.post(
        f"/moderation/comments/{thanks.id}/dismiss",
        data={"reason": "A thank-you <note>", "csrf_token": csrf_token(page)},
    )
    answered = client.get(f"/moderation/comments/{thanks.id}/tools?view=answered")
    history = re.search(
        r'<details class="history">.*?</details>', answered.get_data(as_text=True), re.S
    ).group(0)
    assert "History (1)" in history
    assert re.search(r"UTC</time>\s*· Ana Lima · marked no answer needed", history)
    assert '<span class="reason">A thank-you &lt;note&gt;</span>' in history
    held_page = client.get(f"/moderation/comments/{held.id}/tools?view=held").get_data(as_text=True)
    assert "Spam guard · held for approval" in held_page and "4 links" in held_page


def test_every_listed_comment_links_to_its_thread(
    client, make_staff, make_post, make_comment, login
):
    comment = make_comment(make_post("mine"))
    login(make_staff("Ana Lima"))
    page = client.get("/moderation/").get_data(as_text=True)
    assert f'href="/moderation/comments/{comment.id}/thread#comment-{comment.id}"' in page


def test_restore_is_kept_in_the_history(app, make_staff, make_post, make_comment, ctx):
    comment = make_comment(make_post("mine"))
    ana = db.session.merge(make_staff("Ana Lima"))
    loaded = db.session.get(Comment, comment.id)
    moderation.delete(loaded, ana)
    moderation.restore(loaded, ana)
    db.session.commit()
    db.session.expire_all()
    assert [a.action for a in db.session.get(Comment, comment.id).actions] == ["delete", "restore"]


def test_thread_view_shows_times_by_the_blogs_rule_in_utc(
    client, make_staff, make_post, make_comment, login
):
    post = make_post("mine")
    ana = make_staff("Ana Lima")
    asked = make_comment(post, name="Jo", created_at=datetime(2026, 3, 4, 23, 30, tzinfo=UTC))
    login(ana)
    html = client.get(f"/moderation/comments/{asked.id}/thread").get_data(as_text=True)
    assert '<time datetime="2026-03-04T23:30:00Z">4 March 2026, 23:30 UTC</time>' in html
