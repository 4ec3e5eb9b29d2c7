"""The staff side: what is waiting for you, answers in place, approvals and spam."""

from flask import Blueprint

bp = Blueprint("moderation", __name__, url_prefix="/moderation")

from . import answering, bulk, dashboard, formatting, listening, readers, routes, thread  # noqa: E402,F401
