"""The rules of who is waiting for an answer, tested on the real database."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus, Role
from comments_service.queries.care import (
    flagged_staff,
    for_staff,
    looks_after,
    overdue,
    staff_by_name,
    unanswered_for,
)
from comments_service.queries.states import unanswered
from comments_service.services.comments.posting import add_staff_answer
from comments_service.services.moderation import decisions as moderation

pytestmark = pytest.mark.usefixtures("ctx")


def ids(query):
    return [comment.id for comment in db.session.scalars(query)]


def test_reader_comment_is_unanswered_once_published(make_post, make_comment):
    post = make_post()
    published = make_comment(post)
    make_comment(post, status=CommentStatus.PENDING)
    make_comment(post, status=CommentStatus.SPAM)
    assert ids(unanswered()) == [published.id]


def test_unanswered_is_oldest_first(make_post, make_comment):
    post = make_post()
    newer = make_comment(post, minutes_ago=5)
    older = make_comment(post, minutes_ago=50)
    assert ids(unanswered()) == [older.id, newer.id]


def test_staff_comment_is_never_waiting(make_post, make_staff, make_comment):
    post = make_post()
    ana = make_staff("Ana Lima")
    make_comment(post, staff=ana)
    assert ids(unanswered()) == []


def test_staff_reply_answers_the_comment_and_records_when(make_post, make_staff, make_comment):
    post = make_post()
    ana = make_staff("Ana Lima")
    question = make_comment(post, minutes_ago=90)
    answer = add_staff_answer(question, ana, "Thanks for asking.")
    db.session.commit()
    assert question.answered_at == answer.created_at
    assert question.answered_by_id == ana.id
    assert ids(unanswered()) == []
    assert question.answered_at - question.created_at >= timedelta(minutes=90)


def test_staff_reply_deep_in_thread_answers_root(make_post, make_staff, make_comment):
    post = make_post()
    ana = make_staff("Ana Lima")
    root = make_comment(post, name="Jo", minutes_ago=30)
    middle = make_comment(post, parent=root, name="Sam", minutes_ago=20)
    deepest = make_comment(post, parent=middle, name="Jo", minutes_ago=10)
    add_staff_answer(deepest, ana, "Here is how.")
    assert ids(unanswered()) == []
    for comment in (root, middle, deepest):
        db.session.refresh(comment)
        assert comment.answered_by_id == ana.id


def test_staff_reply_does_not_answer_siblings(make_post, make_staff, make_comment):
    post = make_post()
    ana = make_staff("Ana Lima")
    root = make_comment(post, minutes_ago=30)
    asked = make_comment(post, parent=root, minutes_ago=20)
    sibling = make_comment(post, parent=root, minutes_ago=10)
    add_staff_answer(asked, ana, "Answered.")
    assert ids(unanswered()) == [sibling.id]


def test_reader_reply_under_staff_answer_is_unanswered_in_its_own_right(
    make_post, make_staff, make_comment
):
    post = make_post()
    ana = make_staff("Ana Lima")
    question = make_comment(post, minutes_ago=60)
    answer = add_staff_answer(question, ana, "Try this.")
    follow_up = make_comment(post, parent=answer, name="Jo")
    assert ids(unanswered()) == [follow_up.id]


def test_a_staff_answer_marked_spam_no_longer_counts(make_post, make_staff, make_comment):
    post = make_post()
    ana = make_staff("Ana Lima")
    question = make_comment(post, minutes_ago=60)
    moderation.mark_spam(add_staff_answer(question, ana, "Buy now"), ana)
    assert ids(unanswered()) == [question.id]


def test_an_answer_below_a_removed_staff_answer_still_answers(make_post, make_staff, make_comment):
    post = make_post()
    ana, ben = make_staff("Ana Lima"), make_staff("Ben Okafor")
    question = make_comment(post, minutes_ago=60)
    first = add_staff_answer(question, ana, "First")
    follow_up = make_comment(post, parent=first, minutes_ago=0)
    second = add_staff_answer(follow_up, ben, "Second")
    moderation.delete(first, ana)
    db.session.commit()
    assert (question.answered_at, question.answered_by_id) == (second.created_at, ben.id)
    assert ids(unanswered()) == []


def test_first_staff_answer_time_is_kept(make_post, make_staff, make_comment):
    post = make_post()
    ana, ben = make_staff("Ana Lima"), make_staff("Ben Okafor")
    question = make_comment(post, minutes_ago=60)
    first = add_staff_answer(question, ana, "First.")
    add_staff_answer(question, ben, "Second.")
    db.session.commit()
    assert (question.answered_at, question.answered_by_id) == (first.created_at, ana.id)


def test_no_answer_needed_leaves_the_queue_with_reason(make_post, make_staff, make_comment):
    post = make_post()
    ana = make_staff("Ana Lima")
    thanks = make_comment(post)
    moderation.dismiss(thanks, ana, "Just a thank-you")
    assert ids(unanswered()) == []
    db.session.refresh(thanks)
    assert thanks.dismiss_reason == "Just a thank-you"
    assert thanks.dismissed_by_id == ana.id
    assert thanks.answered_at is None


def test_dismissing_twice_is_refused(make_post, make_staff, make_comment):
    post = make_post()
    ana = make_staff("Ana Lima")
    thanks = make_comment(post)
    moderation.dismiss(thanks, ana, "Thanks only")
    with pytest.raises(moderation.ModerationError):
        moderation.dismiss(thanks, ana, "Again")


def test_deleted_or_spam_comment_leaves_the_queue(make_post, make_staff, make_comment):
    post = make_post()
    ana = make_staff("Ana Lima")
    rude, junk = make_comment(post), make_comment(post)
    moderation.delete(rude, ana, "abusive")
    moderation.mark_spam(junk, ana)
    assert ids(unanswered()) == []


def test_deleting_the_only_staff_answer_puts_the_question_back(make_post, make_staff, make_comment):
    post = make_post()
    ana, ben = make_staff("Ana Lima"), make_staff("Ben Okafor")
    question = make_comment(post, minutes_ago=60)
    first = add_staff_answer(question, ana, "Wrong answer.")
    moderation.delete(first, ana)
    assert ids(unanswered()) == [question.id]
    db.session.commit()
    assert (question.answered_at, question.answered_by_id) == (None, None)
    second = add_staff_answer(question, ben, "Right answer.")
    db.session.commit()
    assert (question.answered_at, question.answered_by_id) == (second.created_at, ben.id)


def test_a_reply_under_a_deleted_comment_still_waits(make_post, make_staff, make_comment):
    post = make_post()
    ana = make_staff("Ana Lima")
    question = make_comment(post, minutes_ago=20)
    follow_up = make_comment(post, parent=question, minutes_ago=10)
    moderation.delete(question, ana, "abusive")
    assert ids(unanswered()) == [follow_up.id]


def test_taken_down_comments_cannot_be_answered_or_dismissed(make_post, make_staff, make_comment):
    post = make_post()
    ana = make_staff("Ana Lima")
    junk = make_comment(post)
    moderation.mark_spam(junk, ana)
    with pytest.raises(moderation.ModerationError):
        add_staff_answer(junk, ana, "Hello?")
    with pytest.raises(moderation.ModerationError):
        moderation.dismiss(junk, ana, "spam")


def test_answering_a_held_comment_approves_it(make_post, make_staff, make_comment):
    post = make_post()
    ana = make_staff("Ana Lima")
    held = make_comment(post, status=CommentStatus.PENDING)
    add_staff_answer(held, ana, "Welcome!")
    db.session.refresh(held)
    assert held.status == CommentStatus.APPROVED
    assert held.answered_at is not None


def test_comment_is_flagged_for_every_named_author_with_an_account(
    make_post, make_staff, make_comment
):
    comment = make_comment(make_post(authors=("Ana Lima", "Ben Okafor", "Dev Patel")))
    make_staff("Ana Lima")
    make_staff("Ben Okafor")
    make_staff("Root", role=Role.ADMIN)
    flagged = flagged_staff(comment, datetime.now(UTC))
    assert [s.name for s in flagged] == ["Ana Lima", "Ben Okafor"]


def test_comment_is_flagged_for_admins_when_no_author_has_an_account(
    make_post, make_staff, make_comment
):
    comment = make_comment(make_post(authors=("Dev Patel",)))
    make_staff("Ana Lima")
    make_staff("Root", role=Role.ADMIN)
    assert [s.name for s in flagged_staff(comment, datetime.now(UTC))] == ["Root"]


def test_authors_see_only_their_posts_and_admins_see_all(make_post, make_staff, make_comment):
    ana, ben = make_staff("Ana Lima"), make_staff("Ben Okafor")
    admin = make_staff("Root", role=Role.ADMIN)
    shared = make_comment(make_post("shared", authors=("Ana Lima", "Ben Okafor")), minutes_ago=3)
    anas = make_comment(make_post("anas", authors=("Ana Lima",)), minutes_ago=2)
    orphan = make_comment(make_post("orphan", authors=("Dev Patel",)), minutes_ago=1)
    now = datetime.now(UTC)
    assert ids(unanswered_for(ana, now)) == [shared.id, anas.id]
    assert ids(unanswered_for(ben, now)) == [shared.id]
    assert ids(unanswered_for(admin, now)) == [shared.id, anas.id, orphan.id]


def test_overdue_after_the_answer_within_time(make_post, make_comment):
    post = make_post()
    late = make_comment(post, minutes_ago=25 * 60)
    make_comment(post, minutes_ago=23 * 60)
    assert ids(overdue(datetime.now(UTC), timedelta(hours=24))) == [late.id]


# Around the limit: a microsecond, a second and a minute either side, and exactly on it.
LIMIT_OFFSETS = [timedelta(microseconds=1), timedelta(seconds=1), timedelta(minutes=1)]


def test_overdue_in_sql_and_on_a_loaded_comment_agree_at_the_limit(make_post, make_comment):
    post = make_post()
    now, within = datetime.now(UTC), timedelta(hours=24)
    offsets = [timedelta(0)] + LIMIT_OFFSETS + [-offset for offset in LIMIT_OFFSETS]
    for offset in offsets:
        make_comment(post).created_at = now - within - offset
    make_comment(post, status=CommentStatus.PENDING).created_at = now - 2 * within
    db.session.commit()
    waiting = db.session.scalars(unanswered()).all()
    on_loaded_comments = {c.id for c in waiting if c.is_overdue(now, within)}
    assert set(ids(overdue(now, within))) == on_loaded_comments
    assert len(on_loaded_comments) == len(LIMIT_OFFSETS)


def test_looks_after_one_comment_agrees_with_for_staff_in_sql(make_post, make_staff, make_comment):
    posts = {
        "anas": make_post("anas", authors=("Ana Lima",)),
        "shared": make_post("shared", authors=("Ben Okafor", "Ana Lima")),
        "bens": make_post("bens", authors=("Ben Okafor",)),
        "orphan": make_post("orphan", authors=("Dev Patel",)),
    }
    comments = {slug: make_comment(post) for slug, post in posts.items()}
    expected = {
        "Ana Lima": {"anas", "shared"},
        "Ben Okafor": {"shared", "bens"},
        "Ana": set(),  # a name that is only part of an author's name
        "Root": set(posts),
    }
    make_staff("Ana Lima")
    make_staff("Ben Okafor")
    make_staff("Ana", email="ana.other@porch.test")
    make_staff("Root", role=Role.ADMIN)
    for name, slugs in expected.items():
        staff = staff_by_name(name)
        in_sql = {c.post.slug for c in db.session.scalars(for_staff(select(Comment), staff))}
        one_at_a_time = {slug for slug, c in comments.items() if looks_after(staff, c)}
        assert in_sql == one_at_a_time == slugs, name
