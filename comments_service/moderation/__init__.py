"""The staff side: what is waiting for you, answers in place, approvals and spam."""

from flask import Blueprint

from comments_service.enums import Action
from comments_service.services.moderation.rules import DONE

bp = Blueprint("moderation", __name__, url_prefix="/moderation")


@bp.context_processor
def moderation_words() -> dict:
    """Every page here names actions (``allowed`` answers with them) and decisions' words."""
    return {"Action": Action, "DONE": DONE}


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
