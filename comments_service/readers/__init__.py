"""Pages for readers: confirming an address for answers by email, and stopping them."""

from flask import Blueprint

bp = Blueprint("readers", __name__, url_prefix="/subscriptions")

from comments_service.readers import routes  # noqa: E402,F401
