"""Private Atom feeds: what is waiting for one staff member, at a secret address."""

from flask import Blueprint

bp = Blueprint("feeds", __name__, url_prefix="/feeds")

from comments_service.feeds import routes  # noqa: E402,F401
