"""A reader's edit racing a staff answer, another edit, and the rest of the thread.

Akismet is a real local server (tests/akismet_server.py) that takes its time: it holds
its answer, or runs a step of the test in its request handler while the edit waits for
it. Readers and staff are test clients of the one service, each request on its own
thread as under gunicorn's threads. Every wait is bounded.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event, select

from comments_service.enums import Decision
from comments_service.extensions import db
from comments_service.models import Comment, ModerationAction
from comments_service.services.comments.posting import add_staff_answer

from . import akismet_server as fake
from .conftest import BLOG_URL, PASSWORD, answer_fields, csrf_token

KEY = "porch-test-key"
WAIT = 2.0  # seconds the hanging Akismet takes to answer
ORIGINAL = "How do I export my schedule?"
EDITED = "Edited by its writer. Before the edit:\n{before}"
EDITS_AT_ONCE = 6


@pytest.fixture
def akismet_service():
    server = fake.FakeAkismet()
    yield server
    server.stop()


@pytest.fixture
def checked_app(app_with, akismet_service):
    """The service with an Akismet key; it waits for Akismet longer than Akismet hangs."""
    return app_with(
        PORCH_AKISMET_API_KEY=KEY,
        PORCH_AKISMET_TIMEOUT_SECONDS=4 * WAIT,
        AKISMET_TRANSPORT=akismet_service.transport(),
    )


def post_comment(client, body=ORIGINAL, **fields) -> dict:
    sent = {"author_name": "Jo Reader", "body": body, **fields}
    response = client.post("/api/posts/hello/comments", json=sent, headers={"Origin": BLOG_URL})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def edit(client, created: dict, body: str):
    return client.patch(
        f"/api/comments/{created['id']}",
        json={"token": created["own_token"], "body": body},
        headers={"Origin": BLOG_URL},
    )


def signed_in(app, staff):
    client = app.test_client()
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    client.post(
        "/auth/login", data={"email": staff.email, "password": PASSWORD, "csrf_token": token}
    )
    return client


def answer_form(staff_client, comment_id: int) -> dict:
    return answer_fields(staff_client.get("/moderation/").get_data(as_text=True), comment_id)


def publish_answer(staff_client, comment_id: int, form: dict, body: str):
    return staff_client.post(
        f"/moderation/comments/{comment_id}/answer", data={**form, "body": body}
    )


def stored(app, comment_id: int) -> Comment:
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        db.session.expunge(comment)
        return comment


def befores(app, comment_id: int) -> list[str]:
    """What each of the reader's edits replaced, in the order they were stored."""
    query = (
        select(ModerationAction.reason)
        .where(ModerationAction.comment_id == comment_id)
        .where(ModerationAction.action == Decision.EDIT)
        .order_by(ModerationAction.id)
    )
    with app.app_context():
        return list(db.session.scalars(query))


def answers_to(app, comment_id: int) -> list[str]:
    with app.app_context():
        query = select(Comment.body_markdown).where(Comment.parent_id == comment_id)
        return list(db.session.scalars(query))


def test_an_answer_stored_while_akismet_weighs_an_edit_keeps_the_words_it_answered(
    checked_app, akismet_service, make_post, make_staff
):
    """The staff answer commits in the middle of the edit's Akismet call: the edit, checked
    again when it writes, is refused, and the comment keeps the words that were answered."""
    make_post("hello")
    reader = checked_app.test_client()
    created = post_comment(reader)
    staff = signed_in(checked_app, make_staff("Ana Lima"))
    form = answer_form(staff, created["id"])
    answered = []

    def staff_answers_meanwhile():
        response = publish_answer(staff, created["id"], form, "Settings, then Export.")
        answered.append(response.status_code)

    akismet_service.while_asked("comment-check", staff_answers_meanwhile)
    response = edit(reader, created, "Never mind, I found it")

    assert answered == [303]
    assert (response.status_code, response.get_json()["error"]) == (403, "answered")
    assert "Add a reply below it instead." in response.get_json()["message"]
    comment = stored(checked_app, created["id"])
    assert comment.body_markdown == ORIGINAL and comment.edited_at is None
    assert comment.answered_at is not None
    assert answers_to(checked_app, created["id"]) == ["Settings, then Export."]
    assert befores(checked_app, created["id"]) == []


def test_an_answer_to_words_changed_since_the_page_was_read_is_refused(
    checked_app, make_post, make_staff
):
    make_post("hello")
    reader = checked_app.test_client()
    created = post_comment(reader)
    staff = signed_in(checked_app, make_staff("Ana Lima"))
    seen_before = answer_form(staff, created["id"])
    assert edit(reader, created, "Where is the export button?").status_code == 200

    refused = publish_answer(staff, created["id"], seen_before, "Settings, then Export.")
    assert refused.status_code == 303
    page = staff.get("/moderation/").get_data(as_text=True)
    assert "Jo Reader changed their comment while you were answering: read it again" in page
    assert "Settings, then Export.</textarea>" in page  # what was typed is kept
    assert answers_to(checked_app, created["id"]) == []
    assert stored(checked_app, created["id"]).answered_at is None

    read_again = answer_form(staff, created["id"])
    assert publish_answer(staff, created["id"], read_again, "Top right.").status_code == 303
    assert answers_to(checked_app, created["id"]) == ["Top right."]
    comment = stored(checked_app, created["id"])
    assert comment.answered_at is not None
    assert comment.body_markdown == "Where is the export button?"


def test_an_answer_form_without_what_was_seen_is_refused(checked_app, make_post, make_staff):
    """A page from before the form carried it: nothing says which words were answered."""
    make_post("hello")
    created = post_comment(checked_app.test_client())
    staff = signed_in(checked_app, make_staff("Ana Lima"))
    form = answer_form(staff, created["id"])
    form.pop("seen", None)
    assert publish_answer(staff, created["id"], form, "An answer.").status_code == 303
    assert "reload it" in staff.get("/moderation/").get_data(as_text=True)
    assert answers_to(checked_app, created["id"]) == []


def test_two_edits_at_once_each_record_the_words_they_replaced(
    checked_app, akismet_service, make_post
):
    """Both edits are read and sent to Akismet before either is stored: the second one
    stored replaced the first one's words, and its audit entry says so."""
    make_post("hello")
    created = post_comment(checked_app.test_client())
    both_asking = threading.Barrier(2, timeout=WAIT)
    akismet_service.while_asked("comment-check", both_asking.wait)
    bodies = ["Second words", "Third words"]
    with ThreadPoolExecutor(len(bodies)) as pool:
        responses = list(pool.map(lambda b: edit(checked_app.test_client(), created, b), bodies))

    assert [response.status_code for response in responses] == [200, 200]
    last = stored(checked_app, created["id"]).body_markdown
    (first,) = set(bodies) - {last}
    assert befores(checked_app, created["id"]) == [
        EDITED.format(before=ORIGINAL),
        EDITED.format(before=first),
    ]


def test_a_delete_checks_again_under_the_lock_an_answer_takes(app, make_post, make_staff):
    """A staff answer is stored just after the delete has read the comment: the delete,
    checked again where it writes, is refused and the answered comment stays."""
    make_post("hello")
    reader = app.test_client()
    created = post_comment(reader)
    ana = make_staff("Ana Lima")
    deleting, answered = threading.get_ident(), []

    def answer_once_it_is_read(connection, cursor, statement, *args):
        reads_it = statement.lstrip().startswith("SELECT") and "FROM comments" in statement
        if reads_it and threading.get_ident() == deleting and not answered:
            answered.append("started")
            staff = threading.Thread(target=answer, args=(app, created["id"], ana))
            staff.start()
            staff.join(timeout=5 * WAIT)
            answered.append("stored" if not staff.is_alive() else "still running")

    with app.app_context():
        engine = db.engine
    event.listen(engine, "after_cursor_execute", answer_once_it_is_read)
    try:
        response = reader.delete(
            f"/api/comments/{created['id']}",
            json={"token": created["own_token"]},
            headers={"Origin": BLOG_URL},
        )
    finally:
        event.remove(engine, "after_cursor_execute", answer_once_it_is_read)

    assert answered == ["started", "stored"]
    assert response.status_code == 403
    assert response.get_json()["error"] == "answered"
    comment = stored(app, created["id"])
    assert comment.body_markdown == ORIGINAL and comment.answered_at is not None
    assert answers_to(app, created["id"]) == ["Settings, then Export."]


def answer(app, comment_id: int, staff) -> None:
    with app.app_context():
        parent = db.session.get(Comment, comment_id)
        add_staff_answer(parent, db.session.merge(staff), "Settings, then Export.")
        db.session.commit()


def test_edits_waiting_for_akismet_hold_up_no_one(
    checked_app, akismet_service, app_with, make_post, make_staff
):
    """Six edits on one post all reach Akismet at once; while Akismet holds them, a staff
    answer and a new comment on the same post are stored; then the six finish together,
    in about one Akismet wait, not one after another."""
    make_post("hello")
    reader = checked_app.test_client()
    question = post_comment(reader, body="Is there an API?")
    mine = [post_comment(reader, body=f"Comment {n}") for n in range(EDITS_AT_ONCE)]
    staff = signed_in(checked_app, make_staff("Ana Lima"))
    form = answer_form(staff, question["id"])
    all_asking = threading.Barrier(EDITS_AT_ONCE + 1, timeout=2 * WAIT)
    released, held_too_long = threading.Event(), []

    def hold_until_released():
        all_asking.wait()
        if not released.wait(timeout=2 * WAIT):
            held_too_long.append("an edit waited for the test, the test for the edits")

    akismet_service.while_asked("comment-check", hold_until_released)
    akismet_service.answer("comment-check", fake.Answer("false", delay=WAIT))
    # Another host of the service, whose Akismet answers at once, takes a new comment.
    quick = fake.FakeAkismet()
    other_host = app_with(PORCH_AKISMET_API_KEY=KEY, AKISMET_TRANSPORT=quick.transport())
    try:
        with ThreadPoolExecutor(EDITS_AT_ONCE) as pool:
            edits = [
                pool.submit(edit, checked_app.test_client(), created, f"Comment {n}, edited")
                for n, created in enumerate(mine)
            ]
            all_asking.wait()  # every edit is waiting for Akismet now
            answered = publish_answer(staff, question["id"], form, "Yes.")
            posted = post_comment(other_host.test_client(), "Me too")
            released.set()
            started = time.monotonic()
            statuses = [future.result().status_code for future in edits]
            took = time.monotonic() - started
    finally:
        released.set()
        quick.stop()

    assert held_too_long == []
    assert answered.status_code == 303 and posted["status"] == "approved"
    assert answers_to(checked_app, question["id"]) == ["Yes."]
    assert statuses == [200] * EDITS_AT_ONCE
    assert took < 3 * WAIT, f"{EDITS_AT_ONCE} edits took {took:.1f} s, Akismet {WAIT} s"
    for n, created in enumerate(mine):
        assert stored(checked_app, created["id"]).body_markdown == f"Comment {n}, edited"
