"""Template filters and globals for the moderation pages (times have theirs in words/times.py)."""

from flask import g, url_for
from flask_login import current_user
from markupsafe import Markup

from comments_service.enums import Action, CommentStatus
from comments_service.models import Comment
from comments_service.moderation import bp
from comments_service.services.comments.answers import words_seen
from comments_service.services.moderation.given_answers import (
    NO_ANSWER_NEEDED,
    GivenAnswer,
    given_answers,
)
from comments_service.services.moderation.held_reasons import why_held
from comments_service.services.moderation.rules import Moderator
from comments_service.words.rendering import inert_links

bp.add_app_template_filter(words_seen, "words_seen")
bp.add_app_template_filter(given_answers, "given_answers")
bp.add_app_template_filter(why_held, "why_held")


@bp.app_template_test("no_answer_needed")
def no_answer_needed(answer: GivenAnswer) -> bool:
    """Whether one of a comment's answers is its "no answer needed", in whatever language
    its words are said (the constant itself, lazy or not, rather than its English)."""
    return answer.how is NO_ANSWER_NEEDED or str(answer.how) == str(NO_ANSWER_NEEDED)


@bp.app_template_filter("staff_body")
def staff_body(comment: Comment) -> Markup:
    """A comment's stored HTML for staff: its links live only once it is published, so a
    click on a held or spam comment's link takes nobody anywhere before a person approved it.
    """
    if comment.status == CommentStatus.APPROVED:
        return Markup(comment.body_html)
    return Markup(inert_links(comment.body_html))


@bp.app_template_global("may_edit")
def may_edit(answer: Comment) -> bool:
    """Whether the signed-in staff member may edit this staff answer: its writer may.

    Asks the edit rule alone: ``allowed`` would weigh every action, some with a query.
    """
    return Moderator(current_user).refusal(Action.EDIT_ANSWER, answer) is None


# Stands for the comment's id in a built address; no real id or query value holds it.
_ANY_COMMENT = 987_654_321_987


@bp.app_template_global("comment_url")
def comment_url(endpoint: str, comment_id: int, **query) -> str:
    """``url_for(endpoint, comment_id=..., **query)``, built once per endpoint and query in
    a request: a page of fifty cards asks for hundreds, and Werkzeug builds each from its
    rule. The id is put into the address built for a stand-in id."""
    built = g.setdefault("porch_comment_urls", {})
    key = (endpoint, tuple(sorted(query.items())))
    if key not in built:
        built[key] = url_for(endpoint, comment_id=_ANY_COMMENT, **query).partition("?")
    path, mark, rest = built[key]
    return path.replace(str(_ANY_COMMENT), str(comment_id), 1) + mark + rest
