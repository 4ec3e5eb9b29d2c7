"""The staff's names and the blocklists each process keeps: a write from anywhere else (another
process, a command, SQL) is seen by the next post, and a rolled-back one never."""

import pytest
from sqlalchemy import text

from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus
from comments_service.words.names import skeleton

from .conftest import BLOG_URL


def post(client, name="Jo Reader", body="How do I export my schedule?"):
    body = {"author_name": name, "body": body}
    return client.post("/api/posts/hello/comments", json=body, headers={"Origin": BLOG_URL})


def status_of(app, comment_id) -> CommentStatus:
    with app.app_context():
        return db.session.get(Comment, comment_id).status


@pytest.fixture
def other_process(app_with):
    """Another service on the same database, with copies of its own."""
    return app_with()


def test_a_staff_member_added_elsewhere_reserves_their_name_at_the_next_post(
    app, client, make_post, other_process, password_hash
):
    make_post("hello")
    assert post(client, name="Bea Costa").status_code == 201  # the copy is read here
    with other_process.app_context():
        db.session.execute(
            text(
                "INSERT INTO staff (name, name_skeleton, email, password_hash, role, active,"
                " created_at, notify) VALUES ('Bea Costa', 'beacosta', 'bea@porch.test',"
                " :hash, 'author', true, '2026-12-01 00:00:00', 'each')"
            ),
            {"hash": password_hash},
        )
        db.session.commit()

    refused = post(client, name="Bea Costa")

    assert refused.status_code == 422
    assert "author_name" in refused.get_json()["fields"]


def test_a_renamed_staff_member_frees_the_old_name_and_takes_the_new(
    app, client, make_post, make_staff, other_process
):
    make_post("hello")
    make_staff("Bea Costa")
    assert post(client, name="Bea Costa").status_code == 422
    with other_process.app_context():
        db.session.execute(
            text("UPDATE staff SET name = 'Cai Dias', name_skeleton = :skeleton"),
            {"skeleton": skeleton("Cai Dias")},
        )
        db.session.commit()

    assert post(client, name="Bea Costa").status_code == 201
    assert post(client, name="Cai Dias").status_code == 422


def test_a_blocklist_entry_added_elsewhere_holds_the_next_post(
    app, client, make_post, other_process
):
    make_post("hello")
    assert post(client, body="Cheap pills here").get_json()["status"] == "approved"
    result = other_process.test_cli_runner().invoke(
        args=["blocklist", "add", "word", "cheap pills", "--to", "held"]
    )
    assert result.exit_code == 0, result.output

    held = post(client, body="Cheap pills again")

    assert held.get_json()["status"] == "pending"
    assert status_of(app, held.get_json()["id"]) == CommentStatus.PENDING


def test_a_rolled_back_blocklist_entry_blocks_nothing(app, client, make_post, other_process):
    make_post("hello")
    assert post(client, body="Cheap pills here").status_code == 201
    with other_process.app_context():
        db.session.execute(
            text(
                "INSERT INTO blocklist_entries (kind, value, sends_to, added_at)"
                " VALUES ('word', 'cheap pills', 'spam', '2026-12-01 00:00:00')"
            )
        )
        db.session.rollback()

    assert post(client, body="Cheap pills again").get_json()["status"] == "approved"
