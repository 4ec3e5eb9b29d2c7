from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload, with_expression
from werkzeug.exceptions import HTTPException

from comments_service.config import UNTAGGED, answer_within, comment_kinds, escalate_after
from comments_service.enums import Action, Decision, View
from comments_service.extensions import db
from comments_service.models import Comment, ModerationAction, Post, Staff, utcnow
from comments_service.moderation import bp
from comments_service.moderation.forms import DismissForm, ReassignForm
from comments_service.queries.care import (
    escalated_only,
    flagged_by_comment,
    for_staff,
    looks_after,
    posts_for,
    waiting_for,
)
from comments_service.queries.listings import (
    among,
    by_post_author,
    counted,
    found_by,
    of_kind,
    on_post,
)
from comments_service.queries.states import VIEWS, spam_check_failing_since
from comments_service.service_urls import ServiceUrls
from comments_service.services.inbound.reply_address import ReplyAddresses
from comments_service.services.mail.subscriptions import ReaderMail
from comments_service.services.moderation import assignment
from comments_service.services.moderation import decisions as moderation
from comments_service.services.moderation.held_reasons import HELD_BY_DECISION
from comments_service.services.moderation.readers import is_first_comment
from comments_service.services.moderation.rules import (
    DONE,
    LISTED,
    RECORDED_AS,
    Moderator,
    bulk_actions,
    tab_actions,
)
from comments_service.services.spam import akismet
from comments_service.services.spam import guard as spam_guard

FILTERS = ("post", "author", "kind", "q")
# What each listed comment shows besides itself, loaded for the whole page at once.
ON_THE_PAGE = (
    selectinload(Comment.parent),
    selectinload(Comment.staff_answers),
    selectinload(Comment.private_answered_by),
    selectinload(Comment.dismissed_by),
    with_expression(Comment.is_first_comment, is_first_comment()),
)
# The audit trail: a card shows it only inside "More" (the tools page) and, for held and
# spam comments, as why they are there (held_reasons).
WITH_HISTORY = (*ON_THE_PAGE, selectinload(Comment.actions).selectinload(ModerationAction.staff))


def _on_the_page(view: View) -> tuple:
    """What the cards of a tab load: the history only where a card says why it is held."""
    return WITH_HISTORY if LISTED[view] & HELD_BY_DECISION.keys() else ON_THE_PAGE


@bp.before_request
@login_required
def require_staff():
    """Every page here is for signed-in staff only."""


@bp.get("/")
def queue():
    view = _view()
    now = utcnow()
    filters = {name: request.args.get(name, "").strip() for name in FILTERS}
    kinds = comment_kinds(current_app.config)
    if filters["kind"] not in ("", UNTAGGED, *kinds):
        abort(
            400,
            gettext(
                "There is no kind %(kind)s; pick one of %(kinds)s.",
                kind=repr(filters["kind"]),
                kinds=", ".join(kinds),
            ),
        )
    found = found_by(filters["q"], FOUND_BY_ID) if filters["q"] else None
    tabs = {tab.value: _narrowed(tab, filters, now, found) for tab in View}
    untagged = of_kind(_narrowed(view, {**filters, "kind": ""}, now, found), None)
    counts = dict(
        db.session.execute(counted({**tabs, UNTAGGED: untagged}, COUNTED_UP_TO, EXACT_COUNTS))
        .one()
        ._mapping
    )
    capped = {name for name, count in counts.items() if _capped(name, count)}
    listing = db.paginate(
        tabs[view.value].options(*_on_the_page(view)),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PORCH_MODERATION_PAGE_SIZE"],
        max_per_page=current_app.config["PORCH_MODERATION_PAGE_SIZE"],
        error_out=False,
        count=False,
    )
    listing.total = _listing_total(counts[view.value], view.value in capped, listing)
    return render_template(
        "moderation/queue.html",
        view=view,
        views=View,
        counts=counts,
        capped=capped,
        counted_up_to=COUNTED_UP_TO,
        filters=filters,
        listing=listing,
        posts=_post_choices(filters["post"]),
        undo=session.pop("porch_undo", None),
        draft=session.pop("porch_draft", None),
        published=session.pop("porch_published", None),
        tab_actions=tab_actions(view),
        bulk_actions=bulk_actions(view),
        spam_checking=akismet.for_app(current_app) is not None,
        spam_check_failing_since=db.session.scalar(spam_check_failing_since()),
        **_for_cards(listing.items, now),
    )


@bp.get("/comments/<int:comment_id>/tools")
def tools(comment_id: int):
    """One comment's card with every tool open: what "More" holds on a page of cards,
    for a browser without script (moderation.js fetches it to open "More" in place).
    Its forms come back to the tab it was opened from."""
    comment = db.session.scalar(
        select(Comment)
        .where(Comment.id == comment_in_my_care(comment_id).id)
        .options(*WITH_HISTORY)
    )
    return render_template(
        "moderation/tools.html",
        comment=comment,
        view=_view(),
        views=View,
        here=came_from(),
        tools_here=True,
        draft=session.pop("porch_draft", None),
        **_for_cards([comment], utcnow()),
    )


def _for_cards(comments: list[Comment], now) -> dict:
    """What the cards of these comments read besides the comments (templates' _card.html)."""
    within, escalation = answer_within(current_app.config), escalate_after(current_app.config)
    flagged = flagged_by_comment([comment.id for comment in comments], now, escalation)
    return dict(
        now=now,
        answer_within=within,
        escalate_after=escalation,
        overdue=lambda comment: comment.is_overdue(now, within),
        escalated=lambda comment: comment.is_overdue(now, escalation),
        flagged_for=lambda comment: [staff.name for staff in flagged.get(comment.id, [])],
        colleagues=assignment.active_colleagues() if comments else [],
        allowed=Moderator(current_user, now).look_at(comments).allowed,
        kinds=comment_kinds(current_app.config),
        blog_url=current_app.config["PORCH_BLOG_URL"],
    )


# Tabs longer than this read "100+": an exact count of "All" at a million comments
# would read every row. The waiting tabs stay exact: they read a small partial index.
# Every count of the page is one statement.
COUNTED_UP_TO = 100
EXACT_COUNTS = (View.WAITING.value, View.ESCALATED.value)
# A search is looked up once, and the counts and the listing read the ids it found
# (queries.listings.found_by); in a search finding more comments than this, each of those
# two statements checks the words on the rows it reads instead.
FOUND_BY_ID = 2000


def _capped(name: str, count: int) -> bool:
    """Whether a count stopped at COUNTED_UP_TO + 1 (there may be more)."""
    return name not in EXACT_COUNTS and count > COUNTED_UP_TO


def _listing_total(count: int, capped: bool, listing) -> int:
    """The total the pages are numbered from: past a bounded count, one more page while
    this one is full, so "Next page" leads on as far as the comments go."""
    if not capped:
        return count
    full = len(listing.items) == listing.per_page
    return max(count, listing.page * listing.per_page + full)


# The post filter offers the newest posts: thousands of options would cost more than the
# rest of the page. An older post filtered by its address (?post=slug) stays listed.
POST_CHOICES = 100


def _post_choices(chosen: str) -> list:
    choices = db.session.execute(posts_for(current_user, POST_CHOICES)).all()
    if chosen and chosen not in {post.slug for post in choices}:
        choices += db.session.execute(
            select(Post.slug, Post.title).where(Post.slug == chosen)
        ).all()
    return choices


def _view() -> View:
    try:
        return View(request.args.get("view", View.WAITING))
    except ValueError:
        abort(
            400,
            gettext(
                "There is no view %(view)s; pick one of the tabs.", view=repr(request.args["view"])
            ),
        )


def _narrowed(view: View, filters: dict, now, found=None):
    """The view's rule, narrowed to what the signed-in staff member looks after and asked for
    (``found``: what the search found, ``queries.listings.found_by``).

    The waiting tabs are the staff member's queue (``waiting_for``: what is theirs or
    flagged for them); the others list what they may act on (``for_staff``).
    """
    query = VIEWS[view]()
    if view == View.ESCALATED:
        query = escalated_only(query, now, escalate_after(current_app.config))
    if view in (View.WAITING, View.ESCALATED):
        query = waiting_for(query, current_user, now)
    else:
        query = for_staff(query, current_user)
    if filters["post"]:
        query = on_post(query, filters["post"])
    if filters["author"]:
        query = by_post_author(query, filters["author"])
    if filters["kind"]:
        query = of_kind(query, None if filters["kind"] == UNTAGGED else filters["kind"])
    if found is not None:
        query = among(query, found)
    return query


@bp.post("/comments/<int:comment_id>/dismiss")
def dismiss(comment_id: int):
    comment = comment_in_my_care(comment_id)
    form = DismissForm()
    if not form.validate_on_submit():
        return back_with_errors(form)
    reason = form.reason.data.strip()
    return _decide(Action.DISMISS, moderation.dismiss, comment, reason)


@bp.post("/comments/<int:comment_id>/reassign")
def reassign(comment_id: int):
    """Hand a waiting comment to a colleague; it leaves this queue and enters theirs."""
    comment = comment_in_my_care(comment_id)
    form = ReassignForm()
    if not form.validate_on_submit():
        return back_with_errors(form)
    colleague = db.session.get(Staff, form.to.data)
    if colleague is None:
        flash(gettext("There is no such colleague; choose one from the list."), "error")
        return back()
    try:
        assignment.reassign(
            comment,
            current_user,
            colleague,
            urls=ServiceUrls.of(current_app),
            now=utcnow(),
            replies=ReplyAddresses.from_config(current_app.config),
        )
    except moderation.NotAllowed as error:
        abort(403, str(error))
    except moderation.ModerationError as error:
        flash(str(error), "error")
        return back()
    db.session.commit()
    flash(
        gettext(
            "Comment by %(name)s handed to %(colleague)s.",
            name=comment.author_name,
            colleague=colleague.name,
        ),
        "success",
    )
    return back()


@bp.post("/comments/<int:comment_id>/approve")
def approve(comment_id: int):
    readers = ReaderMail.for_app(current_app)
    comment = comment_in_my_care(comment_id)
    return _decide(Action.APPROVE, moderation.approve, comment, readers)


@bp.post("/comments/<int:comment_id>/spam")
def spam(comment_id: int):
    return _simple_action(Action.SPAM, comment_id)


@bp.post("/comments/<int:comment_id>/delete")
def delete(comment_id: int):
    return _simple_action(Action.DELETE, comment_id)


@bp.post("/comments/<int:comment_id>/not-spam")
def not_spam(comment_id: int):
    return _simple_action(Action.NOT_SPAM, comment_id)


@bp.post("/comments/<int:comment_id>/restore")
def restore(comment_id: int):
    return _simple_action(Action.RESTORE, comment_id)


def offer_undo(action: Action, comment_ids: list[int]) -> None:
    """Remember what would undo this decision; the next page shows it as an Undo button."""
    session["porch_undo"] = {"decision": moderation.UNDO[action], "ids": comment_ids}


def _simple_action(action: Action, comment_id: int):
    """Approve, spam, delete: the CSRF token (checked for every form) is all they carry."""
    return _decide(action, moderation.BY_ACTION[action], comment_in_my_care(comment_id))


def _decide(action: Action, decide, comment: Comment, *args):
    """Take the decision; refused, it is a 403 (not yours) or a message (state moved on)."""
    try:
        decide(comment, current_user, *args)
    except moderation.NotAllowed as error:
        abort(403, str(error))
    except moderation.ModerationError as error:
        flash(str(error), "error")
        return back()
    db.session.commit()
    decision = RECORDED_AS[action]
    teach_spam_checker(decision, [comment])
    flash(decided(decision, [comment]), "success")
    if action in moderation.UNDO:
        offer_undo(action, [comment.id])
    return back()


def decided(decision: Decision, comments: list[Comment]) -> str:
    """What a decision on these comments says: "Comment by Jo approved.", "3 comments
    deleted."; each sentence whole, for its translation."""
    if len(comments) == 1:
        name = comments[0].author_name
        one = {
            Decision.APPROVE: lambda: gettext("Comment by %(name)s approved.", name=name),
            Decision.SPAM: lambda: gettext("Comment by %(name)s marked as spam.", name=name),
            Decision.NOT_SPAM: lambda: gettext("Comment by %(name)s taken out of spam.", name=name),
            Decision.DELETE: lambda: gettext("Comment by %(name)s deleted.", name=name),
            Decision.RESTORE: lambda: gettext("Comment by %(name)s restored.", name=name),
            Decision.DISMISS: lambda: gettext(
                "Comment by %(name)s marked no answer needed.", name=name
            ),
            Decision.ANSWER_PRIVATELY: lambda: gettext(
                "Comment by %(name)s answered privately.", name=name
            ),
            Decision.PASS_ON: lambda: gettext("Comment by %(name)s passed on.", name=name),
            Decision.ACT_ON: lambda: gettext(
                "Comment by %(name)s acted on; readers see what was done.", name=name
            ),
            Decision.DECLINE: lambda: gettext("Comment by %(name)s declined.", name=name),
        }
        if decision in one:
            return one[decision]()
        return gettext("Comment by %(name)s: %(done)s.", name=name, done=DONE[decision])
    n = len(comments)
    many = {
        Decision.APPROVE: lambda: ngettext(
            "%(num)s comment approved.", "%(num)s comments approved.", n
        ),
        Decision.SPAM: lambda: ngettext(
            "%(num)s comment marked as spam.", "%(num)s comments marked as spam.", n
        ),
        Decision.NOT_SPAM: lambda: ngettext(
            "%(num)s comment taken out of spam.", "%(num)s comments taken out of spam.", n
        ),
        Decision.DELETE: lambda: ngettext(
            "%(num)s comment deleted.", "%(num)s comments deleted.", n
        ),
        Decision.RESTORE: lambda: ngettext(
            "%(num)s comment restored.", "%(num)s comments restored.", n
        ),
    }
    if decision in many:
        return many[decision]()
    return ngettext(
        "%(num)s comment: %(done)s.", "%(num)s comments: %(done)s.", n, done=DONE[decision]
    )


def teach_spam_checker(decision: Decision | None, comments: list[Comment]) -> None:
    """Once a person's spam or not-spam decision is stored, Akismet learns from it."""
    spam_guard.teach(decision, comments, akismet.for_app(current_app))


def comment_in_my_care(comment_id: int) -> Comment:
    comment = db.get_or_404(Comment, comment_id, description=gettext("No such comment."))
    if not looks_after(current_user, comment):
        abort(403, gettext("This comment is on a post you are not an author of."))
    return comment


def back(anchor: int | None = None):
    """Back to the page the decision was taken on: a thread (its forms name it in
    ``?next=``), else the tab with its filters (``?view=`` and the filter fields)."""
    target = _thread_asked_for()
    if target is None:
        view = request.args.get("view")
        kept = {name: request.args[name] for name in FILTERS if request.args.get(name)}
        target = url_for("moderation.queue", view=view if view in set(View) else None, **kept)
    return redirect(f"{target}#comment-{anchor}" if anchor else target, code=303)


def _thread_asked_for() -> str | None:
    """``?next=`` when it is the path of a thread view of this service, else None:
    nothing else is followed, so a crafted link cannot send staff anywhere else."""
    path = request.args.get("next", "")
    if not path.startswith("/") or path.startswith("//"):
        return None
    try:
        endpoint, _ = current_app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:
        return None
    return request.script_root + path if endpoint == "moderation.thread" else None


@bp.context_processor
def forms_come_back() -> dict:
    """``came_from()``: what a form adds to its action so that ``back`` returns here."""
    return {"came_from": came_from}


def came_from() -> dict:
    if request.endpoint == "moderation.thread":
        return {"next": request.path}
    kept = {name: request.args[name] for name in FILTERS if request.args.get(name)}
    view = request.args.get("view")
    return {**kept, "view": view} if view in set(View) else kept


def back_with_errors(form):
    for messages in form.errors.values():
        for message in messages:
            flash(str(message), "error")
    return back()
