"""One rule says which comments are public (``Comment.is_public``): the thread, the reply
page and the permalink, a reply's parent and the readers' pages all ask it, in SQL or
in Python; the two agree on every state a comment can be in."""

from datetime import UTC, datetime
from itertools import product

import pytest
from sqlalchemy import Column, select
from sqlalchemy.sql import visitors

from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus
from comments_service.queries.public import public_comment_rows, removed_comment_rows
from comments_service.services.comments.freshness import SHOWN_FIELDS
from comments_service.services.moderation.readers import published

pytestmark = pytest.mark.usefixtures("ctx")

# Columns a comment is given when it is stored and that never change afterwards.
FIXED_AT_CREATION = {"id", "post_id", "staff_id", "created_at"}


@pytest.fixture
def every_state(make_post, make_staff, make_comment):
    """A comment for each status, erased or not, by a reader or a member of staff."""
    post = make_post()
    ana = make_staff("Ana Lima")
    erased_at = datetime(2026, 5, 1, tzinfo=UTC)
    return [
        make_comment(post, staff=staff, status=status, erased_at=erased)
        for status, erased, staff in product(CommentStatus, (None, erased_at), (None, ana))
    ]


def ids(query) -> set[int]:
    return set(db.session.scalars(query))


def test_is_public_says_the_same_in_sql_and_in_python(every_state):
    in_python = {comment.id for comment in every_state if comment.is_public}
    assert ids(select(Comment.id).where(Comment.is_public)) == in_python
    public = [c for c in every_state if c.status == CommentStatus.APPROVED and not c.erased_at]
    assert in_python == {comment.id for comment in public}


def test_threads_and_readers_pages_show_the_public_comments(every_state):
    public = {comment.id for comment in every_state if comment.is_public}
    readers = {comment.id for comment in every_state if comment.is_public and comment.is_reader}
    assert {row.id for row in db.session.execute(public_comment_rows())} == public
    assert ids(select(Comment.id).where(published())) == readers


def test_a_placeholder_never_stands_for_a_public_comment(every_state):
    placeholders = {row.id for row in db.session.execute(removed_comment_rows())}
    assert placeholders
    assert not placeholders & {comment.id for comment in every_state if comment.is_public}


def test_every_column_a_thread_shows_raises_the_posts_version_when_it_changes():
    """What a public thread reads of a comment (public_comment_rows, the public rule
    included) is what services/comments/freshness.py watches: a column shown but not watched would
    leave cached and baked threads behind."""
    read = {
        element.key
        for element in visitors.iterate(public_comment_rows())
        if isinstance(element, Column) and element.table is Comment.__table__
    }
    assert read - FIXED_AT_CREATION == set(SHOWN_FIELDS)
