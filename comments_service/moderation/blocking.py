"""Blocklists and Empty spam: the admins' tools against readers who only send spam.

The Blocklists page keeps both lists; "Block this reader" puts a comment's writer on
the Spam list from its card; "Empty spam" deletes the Spam tab for good, after a
confirmation page that needs no JavaScript.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, gettext, ngettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from comments_service.enums import Action, BlockKind, BlockList, Decision, View
from comments_service.extensions import db
from comments_service.models import BlocklistEntry
from comments_service.moderation import bp
from comments_service.moderation.routes import (
    COUNTED_UP_TO,
    back,
    comment_in_my_care,
    offer_undo,
    teach_spam_checker,
)
from comments_service.services.moderation import decisions as moderation
from comments_service.services.moderation.rules import allowed
from comments_service.services.spam import blocklist, emptying
from comments_service.words.blocking import LABELS


@bp.context_processor
def blocking_words() -> dict:
    """The card's Block button and the Spam tab's Empty link are for admins; the count
    (up to COUNTED_UP_TO + 1) is read only where the Spam tab asks for it."""
    return {"spam_to_empty": lambda: emptying.spam_in_bin(COUNTED_UP_TO)}


def _admins_only() -> None:
    if not current_user.is_admin:
        abort(403, gettext("Only admins keep the blocklists and empty the spam."))


@bp.get("/blocklist")
def blocklist_page():
    _admins_only()
    return _page()


def _page(status: int = 200, error: str | None = None, typed: dict | None = None):
    page = render_template(
        "moderation/blocklist.html",
        lists={to: blocklist.entries(to) for to in (BlockList.SPAM, BlockList.HELD)},
        kinds=BlockKind,
        labels=LABELS,
        error=error,
        typed=typed or {},
    )
    return page, status


@bp.post("/blocklist")
def add_to_blocklist():
    """Add what an admin typed; a refusal shows the page again with it and the reason."""
    _admins_only()
    typed = {name: request.form.get(name, "") for name in ("kind", "value", "to")}
    kind, to = _choice(BlockKind, typed["kind"]), _choice(BlockList, typed["to"])
    if kind is None:
        known = ", ".join(BlockKind)
        message = gettext(
            "There is no kind %(kind)s; pick one of %(kinds)s.",
            kind=repr(typed["kind"]),
            kinds=known,
        )
        return _page(400, message, typed)
    if to is None:
        message = gettext(
            "There is no list %(list)s; pick %(held)s or %(spam)s.",
            list=repr(typed["to"]),
            held=BlockList.HELD.value,
            spam=BlockList.SPAM.value,
        )
        return _page(400, message, typed)
    try:
        added = blocklist.add(kind, typed["value"], to, current_user)
    except blocklist.NotAnEntry as error:
        return _page(422, str(error), typed)
    return _commit_then_back(str(added))


def _choice(vocabulary, value: str):
    try:
        return vocabulary(value)
    except ValueError:
        return None


def _commit_then_back(message: str):
    try:
        db.session.commit()
    except IntegrityError:  # the same entry was stored meanwhile: it stands
        db.session.rollback()
        message = gettext("Someone added that entry a moment ago; it is on the list below.")
    flash(message, "success")
    return redirect(url_for("moderation.blocklist_page"), code=303)


@bp.post("/blocklist/<int:entry_id>/remove")
def remove_from_blocklist(entry_id: int):
    _admins_only()
    entry = db.session.get(BlocklistEntry, entry_id)
    if entry is None:
        flash(gettext("That entry was already removed."), "success")
        return redirect(url_for("moderation.blocklist_page"), code=303)
    removed = gettext(
        "%(kind)s %(entry)s removed; comments it matched come in as before.",
        kind=_kind_word(entry.kind),
        entry=entry.value,
    )
    db.session.delete(entry)
    return _commit_then_back(removed)


def _kind_word(kind: BlockKind) -> str:
    """An entry's kind as a sentence names it, from its value: "email", "ip"."""
    words = {
        BlockKind.EMAIL: lambda: gettext("email"),
        BlockKind.DOMAIN: lambda: gettext("domain"),
        BlockKind.IP: lambda: gettext("ip"),
        BlockKind.WORD: lambda: gettext("word"),
    }
    return words[kind]() if kind in words else kind.value


@bp.post("/comments/<int:comment_id>/block")
def block_reader(comment_id: int):
    """One click: the writer's email (else IP address) goes on the Spam list, the comment
    to Spam; Undo takes the comment out of Spam, the Blocklists page lifts the block."""
    _admins_only()
    comment = comment_in_my_care(comment_id)
    if not comment.is_reader:
        abort(400, gettext("Staff answers are never blocked; only a reader comment can be."))
    try:
        added = blocklist.block_writer(comment, current_user)
    except blocklist.NothingToBlock as error:
        flash(str(error), "error")
        return back(comment.id)
    marked = Action.SPAM in allowed(comment, current_user)
    if marked:
        entry = added.entry
        reason = f"blocked this reader: {entry.kind.value} {entry.value}"
        moderation.mark_spam(comment, current_user, reason)
    db.session.commit()
    if marked:
        teach_spam_checker(Decision.SPAM, [comment])
        offer_undo(Action.SPAM, [comment.id])
    flash(gettext("Blocked: %(entry)s Their new comments go to Spam.", entry=added), "success")
    return back()


@bp.get("/spam/empty")
def empty_spam_page():
    """The confirmation step: how many comments go, and who emptied the spam last."""
    _admins_only()
    return render_template(
        "moderation/empty_spam.html",
        spam_bin=emptying.spam_bin(),
        last=emptying.last_emptied(),
    )


@bp.post("/spam/empty")
def empty_spam():
    _admins_only()
    up_to_id = request.form.get("up_to_id", type=int)
    if up_to_id is None:
        abort(400, gettext("Open the Spam tab and use Empty spam again: the form was incomplete."))
    deleted = emptying.empty_spam(current_user, up_to_id)
    db.session.commit()
    said = ngettext(
        "%(count)s spam comment deleted for good.",
        "%(count)s spam comments deleted for good.",
        deleted,
        count=format_decimal(deleted),
    )
    flash(said, "success")
    return redirect(url_for("moderation.queue", view=View.SPAM.value), code=303)
