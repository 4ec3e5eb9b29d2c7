"""The staff side: what is waiting for you, answers in place, approvals and spam."""

from flask import Blueprint

bp = Blueprint("moderation", __name__, url_prefix="/moderation")

from comments_service.moderation import (  # noqa: E402,F401
    answering,
    bulk,
    dashboard,
    formatting,
    listening,
    readers,
    reporting,
    routes,
    thread,
)
