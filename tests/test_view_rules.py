"""The rules behind each tab of the moderation page, and its filters, on the real database."""

from datetime import UTC, datetime

import pytest

from comments_service.enums import View
from comments_service.extensions import db
from comments_service.models import CommentStatus, Role
from comments_service.queries.care import for_staff
from comments_service.queries.listings import (
    among,
    by_post_author,
    contains,
    count_of,
    found_by,
    matching,
    on_post,
)
from comments_service.queries.states import (
    VIEWS,
    answered,
    every_comment,
    in_spam,
    pending_approval,
    removed,
)
from comments_service.services.comments.posting import add_staff_answer
from comments_service.services.moderation import decisions as moderation

pytestmark = pytest.mark.usefixtures("ctx")


def ids(query):
    return [comment.id for comment in db.session.scalars(query)]


@pytest.fixture
def one_of_each(make_post, make_staff, make_comment):
    """A post with a comment in every state the tabs tell apart."""
    post = make_post()
    ana = make_staff("Ana Lima")
    shown = {
        "waiting": make_comment(post, name="Waiting", minutes_ago=60),
        "held": make_comment(post, name="Held", status=CommentStatus.PENDING, minutes_ago=50),
        "spam": make_comment(post, name="Spam", status=CommentStatus.SPAM, minutes_ago=40),
        "removed": make_comment(post, name="Gone", status=CommentStatus.DELETED, minutes_ago=30),
        "answered": make_comment(post, name="Asked", minutes_ago=20),
        "dismissed": make_comment(post, name="Thanks", minutes_ago=10),
    }
    shown["answer"] = add_staff_answer(shown["answered"], ana, "An answer.")
    moderation.dismiss(shown["dismissed"], ana, "A thank-you")
    db.session.commit()
    return {name: comment.id for name, comment in shown.items()}


def test_held_lists_comments_waiting_for_approval_oldest_first(one_of_each):
    assert ids(pending_approval()) == [one_of_each["held"]]


def test_spam_lists_only_spam(one_of_each):
    assert ids(in_spam()) == [one_of_each["spam"]]


def test_removed_lists_only_deleted_comments(one_of_each):
    assert ids(removed()) == [one_of_each["removed"]]


def test_answered_lists_answered_and_no_answer_needed_reader_comments_newest_first(one_of_each):
    assert ids(answered()) == [one_of_each["dismissed"], one_of_each["answered"]]


def test_all_lists_every_comment_in_any_state_newest_first(one_of_each):
    assert ids(every_comment()) == [
        one_of_each[name]
        for name in ("answer", "dismissed", "answered", "removed", "spam", "held", "waiting")
    ]


def test_spam_and_removed_are_newest_first(make_post, make_comment):
    post = make_post()
    older = make_comment(post, status=CommentStatus.SPAM, minutes_ago=9)
    newer = make_comment(post, status=CommentStatus.SPAM, minutes_ago=1)
    assert ids(in_spam()) == [newer.id, older.id]


STATUS_SHOWN = {
    View.HELD: CommentStatus.PENDING,
    View.SPAM: CommentStatus.SPAM,
    View.REMOVED: CommentStatus.DELETED,
}


@pytest.mark.parametrize("view", list(View))
def test_every_tab_shows_an_author_only_their_posts_and_an_admin_all(
    view, make_post, make_staff, make_comment
):
    ana = make_staff("Ana Lima")
    root = make_staff("Root", role=Role.ADMIN)
    status = STATUS_SHOWN.get(view, CommentStatus.APPROVED)
    extra = {"dismissed_at": datetime.now(UTC)} if view == View.ANSWERED else {}
    mine = make_comment(make_post("mine"), status=status, **extra)
    theirs = make_comment(make_post("theirs", authors=("Ben Okafor",)), status=status, **extra)
    assert ids(for_staff(VIEWS[view](), ana)) == [mine.id]
    assert sorted(ids(for_staff(VIEWS[view](), root))) == [mine.id, theirs.id]


def test_post_filter_keeps_one_posts_comments(make_post, make_comment):
    kept = make_comment(make_post("kept"))
    make_comment(make_post("other"))
    assert ids(on_post(every_comment(), "kept")) == [kept.id]


def test_post_author_filter_keeps_posts_naming_that_author_even_without_an_account(
    make_post, make_comment
):
    devs = make_comment(make_post("devs", authors=("Dev Patel", "Ana Lima")))
    make_comment(make_post("anas", authors=("Ana Lima",)))
    assert ids(by_post_author(every_comment(), "Dev Patel")) == [devs.id]


@pytest.mark.parametrize(
    "search, field",
    [
        ("EXPORT", {"body_markdown": "How do I export my jobs?"}),
        ("jo rea", {"name": "Jo Reader"}),
        ("@EXAMPLE.org", {"author_email": "jo@example.org"}),
        ("203.0.113", {"remote_addr": "203.0.113.9"}),
    ],
)
def test_search_finds_text_reader_name_email_or_address_in_any_case(
    search, field, make_post, make_comment
):
    post = make_post()
    found = make_comment(post, **field)
    make_comment(post, name="Someone Else", author_email="else@porch.test", remote_addr="10.0.0.1")
    assert ids(matching(every_comment(), search)) == [found.id]


def test_search_reads_percent_and_underscore_as_themselves(make_post, make_comment):
    post = make_post()
    literal = make_comment(post, body_markdown="100% sure_thing")
    make_comment(post, body_markdown="100 percent surely a thing")
    assert ids(matching(every_comment(), "0% sure_")) == [literal.id]


def test_a_search_found_once_narrows_to_the_same_comments_as_one_searched_again(
    make_post, make_comment
):
    """``found_by`` hands over the ids it found while they are few, else the words'
    condition itself: either narrows a listing to the same comments."""
    post = make_post()
    first = make_comment(post, body_markdown="The offline mode lost my plan")
    second = make_comment(post, body_markdown="Offline MODE again", status=CommentStatus.SPAM)
    make_comment(post, body_markdown="Something else")
    assert found_by("offline mode", most=2) == [first.id, second.id]
    assert found_by("offline mode", most=1).compare(contains("offline mode"))
    for most in (1, 2):
        found = ids(among(every_comment(), found_by("offline mode", most)))
        assert found == [second.id, first.id], most
    assert found_by("nowhere", most=2) == []
    assert ids(among(every_comment(), [])) == []


def test_counts_agree_with_the_rows_and_are_one_number_from_the_database(one_of_each):
    for view, rule in VIEWS.items():
        statement = count_of(rule())
        assert len(statement.selected_columns) == 1, view
        assert db.session.scalar(statement) == len(ids(rule())), view
