"""Who may do what to which comment (services.moderation.rules), and that the page, the
forms and the command line all follow that one table."""

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from comments_service.enums import Action, CommentStatus, Decision, FollowUp, Role, View
from comments_service.extensions import db
from comments_service.models import Comment, ModerationAction, Staff, utcnow
from comments_service.queries.states import VIEWS
from comments_service.services.comments.posting import add_staff_answer
from comments_service.services.moderation import assignment
from comments_service.services.moderation import decisions as moderation
from comments_service.services.moderation.rules import (
    DONE,
    LISTED,
    NotAllowed,
    allowed,
    bulk_actions,
)

from .conftest import answer_fields, csrf_token, service_urls

A = Action
WAITING = {A.SPAM, A.DELETE, A.ANSWER, A.DISMISS, A.REASSIGN, A.TAG, A.ANSWER_PRIVATELY}
WAITING |= {A.FOLLOW_UP, A.EDIT_COMMENT}
HELD = {A.APPROVE, A.SPAM, A.DELETE, A.ANSWER, A.TAG, A.FOLLOW_UP, A.EDIT_COMMENT}
ANSWERED = {A.SPAM, A.DELETE, A.ANSWER, A.TAG, A.ANSWER_PRIVATELY, A.FOLLOW_UP, A.EDIT_COMMENT}
OWN_ANSWER = {A.SPAM, A.DELETE, A.EDIT_ANSWER}
TEAM = ("Ana Lima", "Ben Okafor", "Root", "Cai Wen")


@pytest.fixture
def desk(app, make_staff, make_post, make_comment):
    """Ana writes "mine", Ana and Ben "ours", Ben "bens"; Root is an admin, Cai writes nothing.

    One comment in each state the rules tell apart; returns their ids by name.
    """
    people = {
        name: make_staff(name, role=Role.ADMIN if name == "Root" else Role.AUTHOR)
        for name in ("Ana Lima", "Ben Okafor", "Root", "Cai Wen")
    }
    mine, ours = make_post("mine"), make_post("ours", authors=("Ana Lima", "Ben Okafor"))
    bens = make_post("bens", authors=("Ben Okafor",))
    made = {
        "waiting": make_comment(mine),
        "held": make_comment(mine, status=CommentStatus.PENDING, published_at=None),
        "spam": make_comment(mine, status=CommentStatus.SPAM),
        "removed": make_comment(mine, status=CommentStatus.DELETED),
        "answered": make_comment(mine),
        "dismissed": make_comment(mine, dismissed_at=utcnow()),
        "answered privately": make_comment(mine, private_answered_at=utcnow()),
        "acted on": make_comment(mine, follow_up=FollowUp.ACTED_ON),
        "handed to Ben": make_comment(mine),
        "on ours": make_comment(ours),
        "held on Ben's post": make_comment(bens, status=CommentStatus.PENDING),
        "on Ben's post": make_comment(bens),
    }
    ids = {name: comment.id for name, comment in made.items()}
    with app.app_context():
        staff = {name: db.session.get(Staff, person.id) for name, person in people.items()}
        get = lambda name: db.session.get(Comment, ids[name])  # noqa: E731
        get("answered privately").answered_at = get("answered privately").private_answered_at
        ids["Ana's answer"] = add_staff_answer(get("answered"), staff["Ana Lima"], "Yes.").id
        ids["Ben's answer"] = add_staff_answer(get("on ours"), staff["Ben Okafor"], "Yes.").id
        assignment.reassign(
            get("handed to Ben"),
            staff["Ana Lima"],
            staff["Ben Okafor"],
            urls=service_urls(),
            now=utcnow(),
        )
        db.session.commit()
    return ids


def may(app, who: str, comment_id: int) -> set[Action]:
    with app.app_context():
        staff = db.session.scalar(select(Staff).where(Staff.name == who))
        return set(allowed(db.session.get(Comment, comment_id), staff))


# The table: each row is one person and one comment, and everything they may do to it.
TABLE = [
    ("Ana Lima", "waiting", WAITING),
    ("Ana Lima", "held", HELD),
    ("Ana Lima", "spam", {A.NOT_SPAM}),
    ("Ana Lima", "removed", {A.RESTORE}),
    ("Ana Lima", "answered", ANSWERED),
    ("Ana Lima", "dismissed", ANSWERED),
    ("Ana Lima", "answered privately", ANSWERED - {A.ANSWER_PRIVATELY}),
    ("Ana Lima", "acted on", WAITING - {A.FOLLOW_UP}),
    ("Ana Lima", "handed to Ben", WAITING - {A.REASSIGN}),
    ("Ben Okafor", "handed to Ben", WAITING),
    ("Ana Lima", "Ana's answer", OWN_ANSWER),
    ("Ana Lima", "Ben's answer", set()),
    ("Ben Okafor", "Ben's answer", OWN_ANSWER),
    ("Root", "Ben's answer", OWN_ANSWER - {A.EDIT_ANSWER}),
    ("Ana Lima", "held on Ben's post", set()),
    ("Root", "held on Ben's post", HELD),
    ("Ana Lima", "on Ben's post", set()),
    ("Root", "on Ben's post", WAITING),
    ("Cai Wen", "waiting", set()),
]


@pytest.mark.parametrize(
    "who, which, expected", TABLE, ids=[f"{who} on {which}" for who, which, _ in TABLE]
)
def test_who_may_do_what_to_which_comment(app, desk, who, which, expected):
    assert may(app, who, desk[which]) == expected


def test_an_author_may_not_approve_a_comment_on_someone_elses_post(app, desk):
    assert A.APPROVE not in may(app, "Ana Lima", desk["held on Ben's post"])
    assert A.APPROVE in may(app, "Ben Okafor", desk["held on Ben's post"])


def test_an_author_may_not_take_down_a_co_authors_answer_but_its_writer_and_an_admin_may(app, desk):
    assert {A.SPAM, A.DELETE}.isdisjoint(may(app, "Ana Lima", desk["Ben's answer"]))
    assert {A.SPAM, A.DELETE} <= may(app, "Ben Okafor", desk["Ben's answer"])
    assert {A.SPAM, A.DELETE} <= may(app, "Root", desk["Ben's answer"])


def test_only_its_writer_may_edit_an_answer_not_even_an_admin(app, desk):
    whom = {who: A.EDIT_ANSWER in may(app, who, desk["Ana's answer"]) for who in TEAM}
    assert whom == {"Ana Lima": True, "Ben Okafor": False, "Root": False, "Cai Wen": False}


def test_a_comment_handed_on_may_be_handed_on_again_only_by_its_new_owner_or_an_admin(app, desk):
    whom = {who: A.REASSIGN in may(app, who, desk["handed to Ben"]) for who in TEAM}
    assert whom == {"Ana Lima": False, "Ben Okafor": True, "Root": True, "Cai Wen": False}


def test_a_spam_comment_is_only_taken_out_of_spam_the_page_offers_no_delete(app, desk):
    """Delete was offered on the Spam tab, and always refused: spam is taken down already."""
    assert may(app, "Root", desk["spam"]) == {A.NOT_SPAM}
    assert bulk_actions(View.SPAM) == (A.NOT_SPAM,)


def test_a_held_comment_is_approved_or_answered_never_marked_no_answer_needed(app, desk):
    with app.app_context(), pytest.raises(moderation.ModerationError, match="approve it first"):
        moderation.dismiss(db.session.get(Comment, desk["held"]), _staff("Ana Lima"), "Thanks")


def test_every_tab_offers_the_bulk_decisions_that_fit_the_comments_it_lists():
    assert {view: bulk_actions(view) for view in View} == {
        View.WAITING: (A.SPAM, A.DELETE),
        View.ESCALATED: (A.SPAM, A.DELETE),
        View.HELD: (A.APPROVE, A.SPAM, A.DELETE),
        View.SPAM: (A.NOT_SPAM,),
        View.REMOVED: (A.RESTORE,),
        View.ANSWERED: (A.SPAM, A.DELETE),
        View.ALL: (A.APPROVE, A.SPAM, A.NOT_SPAM, A.DELETE, A.RESTORE),
    }


@pytest.mark.usefixtures("desk")
def test_each_tab_lists_only_the_statuses_its_bulk_buttons_are_read_from(app):
    with app.app_context():
        for view, rule in VIEWS.items():
            statuses = set(
                db.session.scalars(
                    select(Comment.status).where(
                        Comment.id.in_(rule().with_only_columns(Comment.id).scalar_subquery())
                    )
                )
            )
            assert statuses <= LISTED[view], view


def test_every_decision_in_the_audit_trail_has_its_words():
    assert set(DONE) == set(Decision)


# The page offers exactly what the rules allow


class Offered(HTMLParser):
    """The actions the forms of the listed comments offer, by the comment they act on."""

    ENDPOINTS = {
        "approve": A.APPROVE,
        "spam": A.SPAM,
        "not-spam": A.NOT_SPAM,
        "delete": A.DELETE,
        "restore": A.RESTORE,
        "answer": A.ANSWER,
        "edit": A.EDIT_ANSWER,
        "dismiss": A.DISMISS,
        "reassign": A.REASSIGN,
        "tag": A.TAG,
        "answer-privately": A.ANSWER_PRIVATELY,
        "follow-up": A.FOLLOW_UP,
        "edit-comment": A.EDIT_COMMENT,
    }

    def __init__(self, html: str):
        super().__init__()
        self.by_comment: dict[int, set[Action]] = {}
        self.current: int | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "article":
            self.current = int(attrs["id"].removeprefix("comment-"))
            self.by_comment[self.current] = set()
        elif tag == "form" and self.current is not None:
            # A card may carry a form for another comment: Edit on the answer it was given.
            target, endpoint = re.search(r"/comments/(\d+)/([a-z-]+)", attrs["action"]).groups()
            self.by_comment.setdefault(int(target), set()).add(self.ENDPOINTS[endpoint])

    def handle_endtag(self, tag):
        if tag == "article":
            self.current = None


@pytest.mark.parametrize("who", ["Ana Lima", "Ben Okafor", "Root"])
def test_the_page_offers_each_comment_exactly_what_the_rules_allow(app, client, login, desk, who):
    login(_account(app, who))
    offered = Offered(client.get("/moderation/?view=all").get_data(as_text=True)).by_comment
    assert len(offered) >= 5
    for comment_id in list(offered):  # and what "More" brings: the card's page of tools
        tools = client.get(f"/moderation/comments/{comment_id}/tools?view=all")
        for target, actions in Offered(tools.get_data(as_text=True)).by_comment.items():
            offered.setdefault(target, set()).update(actions)
    for comment_id, actions in offered.items():
        assert actions == may(app, who, comment_id), comment_id


def test_an_answered_comment_offers_a_further_answer_folded_away(app, client, login, desk):
    login(_account(app, "Ana Lima"))
    page = client.get("/moderation/?view=answered").get_data(as_text=True)
    article = re.search(rf'<article[^>]*id="comment-{desk["answered"]}".*?</article>', page, re.S)
    assert '<details class="fold fold--answer" data-fold="answer">' in article.group(0)
    assert "Your further answer to" in article.group(0)


# A refused action changes nothing


def post(client, path: str, **data):
    """Post a decision as the page's form does: an answer carries the words it answers
    (where the page offers to answer at all)."""
    page = client.get("/moderation/?view=all").get_data(as_text=True)
    offered = path.endswith("/answer") and f"/comments/{path}" in page
    shown = answer_fields(page, int(path.split("/")[0])) if offered else {}
    fields = {"csrf_token": csrf_token(page), **shown, **data}
    return client.post(f"/moderation/comments/{path}", data=fields)


def audit(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.scalars(select(ModerationAction).order_by(ModerationAction.id))
        return [(row.comment_id, row.action, row.staff_id, row.reason) for row in rows]


@pytest.mark.parametrize(
    "which, action, status",
    [
        ("Ben's answer", "spam", 403),
        ("Ben's answer", "delete", 403),
        ("Ben's answer", "edit", 403),
        ("held on Ben's post", "approve", 403),
        ("handed to Ben", "reassign", 403),
        ("spam", "delete", 303),
        ("held", "dismiss", 303),
        ("waiting", "restore", 303),
        ("Ana's answer", "answer", 303),
    ],
)
def test_an_action_the_rules_refuse_is_refused_on_the_page_and_changes_nothing(
    app, client, login, desk, which, action, status
):
    login(_account(app, "Ana Lima"))
    before = audit(app), _states(app)
    data = {"body": "Changed.", "reason": "No.", "to": str(_account(app, "Cai Wen").id)}
    response = post(client, f"{desk[which]}/{action}", **data)
    assert response.status_code == status
    assert (audit(app), _states(app)) == before
    if status == 303:
        assert 'class="flash flash--error"' in client.get(response.headers["Location"]).text


def test_the_command_line_refuses_what_the_rules_refuse_and_says_why(app, desk):
    runner = app.test_cli_runner()
    before = audit(app), _states(app)
    for command, which, says in [
        ("delete", "Ben's answer", "Only its writer or an admin can remove a staff answer."),
        ("approve", "held on Ben's post", "not an author of"),
        ("delete", "spam", "already been taken down"),
    ]:
        result = runner.invoke(args=["comments", command, str(desk[which]), "--by", "Ana Lima"])
        assert result.exit_code == 1, result.output
        assert "Nothing was changed." in result.output and says in result.output
    assert (audit(app), _states(app)) == before


# Answering a held comment approves it the one way there is


def test_answering_a_held_comment_writes_the_audit_of_approving_then_answering(
    app, client, login, desk
):
    login(_account(app, "Ana Lima"))
    with app.app_context():
        approved_first = Comment(
            **{
                name: getattr(db.session.get(Comment, desk["held"]), name)
                for name in ("post_id", "author_name", "body_markdown", "body_html", "status")
            }
        )
        db.session.add(approved_first)
        db.session.commit()
        twin = approved_first.id
    post(client, f"{twin}/approve")
    post(client, f"{twin}/answer", body="Welcome!")
    post(client, f"{desk['held']}/answer", body="Welcome!")
    trail = {comment_id: [] for comment_id in (twin, desk["held"])}
    for comment_id, action, staff_id, reason in audit(app):
        if comment_id in trail:
            trail[comment_id].append((action, staff_id, reason))
    ana = _account(app, "Ana Lima").id
    assert (
        trail[desk["held"]]
        == trail[twin]
        == [(Decision.APPROVE, ana, None)] + [(Decision.ANSWER, ana, None)]
    )


def test_answering_a_held_comment_is_refused_to_whoever_may_not_approve_it(app, desk):
    """The answer approves through ``approve``, so its rule holds: before, it approved inline."""
    with app.app_context():
        held = db.session.get(Comment, desk["held on Ben's post"])
        with pytest.raises(NotAllowed, match="not an author of"):
            add_staff_answer(held, _staff("Ana Lima"), "Hello!")
        db.session.rollback()
        assert db.session.get(Comment, held.id).status == CommentStatus.PENDING


def _staff(name: str) -> Staff:
    return db.session.scalar(select(Staff).where(Staff.name == name))


def _account(app, name: str) -> Staff:
    with app.app_context():
        return _staff(name)


def _states(app) -> list[tuple]:
    with app.app_context():
        columns = (Comment.id, Comment.status, Comment.assigned_to_id, Comment.dismissed_at)
        return db.session.execute(
            select(*columns, Comment.body_markdown).order_by(Comment.id)
        ).all()
