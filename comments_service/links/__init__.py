"""Links into threads that work without JavaScript: a comment's permalink, and its reply page."""

from flask import Blueprint

bp = Blueprint("links", __name__)

from comments_service.links import routes  # noqa: E402,F401
