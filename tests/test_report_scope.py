"""Whose comments the report quotes: an author the ones they may open, an admin all.

The report's open items and follow-up steps link to each comment's thread on the
moderation page; an author is never shown a comment whose thread answers them 403.
"""

import re
from datetime import UTC, datetime

import pytest

from comments_service.enums import FollowUp, Role

from .test_report import follow

REPORT = "/moderation/report?since=2026-10-01&until=2026-11-01"


def oct_(day: int) -> datetime:
    return datetime(2026, 10, day, 10, 0, tzinfo=UTC)


@pytest.fixture
def scene(app, make_staff, make_post, make_comment):
    """Ana and Ben each write a post; one of Ben's readers' questions is handed to Ana."""
    staff = {
        "ana": make_staff("Ana Lima"),
        "ben": make_staff("Ben Okafor"),
        "ada": make_staff("Ada Admin", role=Role.ADMIN),
    }
    anas, bens = (
        make_post("anas", authors=("Ana Lima",)),
        make_post("bens", authors=("Ben Okafor",)),
    )

    def question(post, body, day, **fields):
        return make_comment(
            post, created_at=oct_(day), kind="question", body_markdown=body, **fields
        )

    comments = {
        "on_anas": question(anas, "On Ana's post", 5),
        "on_bens": question(bens, "On Ben's post, Ben's alone", 6),
        "handed_to_ana": question(bens, "On Ben's post, handed to Ana", 7,
                                  assigned_to_id=staff["ana"].id),
        "idea_on_bens": make_comment(bens, created_at=oct_(8), kind="idea",
                                     body_markdown="An idea on Ben's post"),
    }  # fmt: skip
    follow(app, comments["idea_on_bens"], staff["ben"], FollowUp.PASSED_ON,
           "Only for Ben to read", oct_(9), "Team Ben")  # fmt: skip
    return staff, comments


def quoted_threads(html: str) -> set[int]:
    """The comments the report links to a moderation thread for."""
    return {int(n) for n in re.findall(r"/moderation/comments/(\d+)/thread", html)}


def test_an_authors_report_quotes_only_the_comments_they_may_open(client, login, scene):
    staff, comments = scene
    login(staff["ana"])
    html = client.get(REPORT).get_data(as_text=True)

    listed = quoted_threads(html)
    assert listed == {comments["on_anas"].id, comments["handed_to_ana"].id}
    assert "Only for Ben to read" not in html and "Team Ben" not in html
    for comment in comments.values():
        thread = client.get(f"/moderation/comments/{comment.id}/thread")
        assert thread.status_code == (200 if comment.id in listed else 403), comment.body_markdown


def test_an_admins_report_quotes_every_comment(client, login, scene):
    staff, comments = scene
    login(staff["ada"])
    html = client.get(REPORT).get_data(as_text=True)

    assert quoted_threads(html) == {comment.id for comment in comments.values()}
    assert "Only for Ben to read" in html


def test_the_figures_are_the_whole_blogs_for_every_viewer(client, login, scene):
    """Counts name no reader and quote nothing: every staff member sees the blog's."""
    staff, _ = scene
    login(staff["ben"])
    html = client.get(REPORT).get_data(as_text=True)
    assert re.search(r"All reader comments</th><td>4<", html)
