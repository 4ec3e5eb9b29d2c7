"""The staff side: what is waiting for you, answers in place, approvals and spam."""

from flask import Blueprint
from markupsafe import Markup

from comments_service.enums import Action
from comments_service.services.moderation.rules import DONE

bp = Blueprint("moderation", __name__, url_prefix="/moderation")


# Where words only a screen reader says begin and end, inside a sentence to translate whole:
# ``_("Edit%(hide)s your answer to %(name)s%(end)s", hide=hide, end=end, name=...)``.
HIDDEN_WORDS = {"hide": Markup('<span class="visually-hidden">'), "end": Markup("</span>")}


@bp.context_processor
def moderation_words() -> dict:
    """Every page here names actions (``allowed`` answers with them) and decisions' words,
    and says some words to screen readers only (``hide`` ... ``end``)."""
    return {"Action": Action, "DONE": DONE, **HIDDEN_WORDS}


from comments_service.moderation import (  # noqa: E402,F401
    answering,
    blocking,
    bulk,
    dashboard,
    editing,
    formatting,
    listening,
    preview,
    readers,
    reporting,
    routes,
    saved_replies,
    thread,
)
