"""The public API readers' browsers (and the blog's forms) talk to."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

from comments_service.api import deploy, own, routes  # noqa: E402,F401  (routes attach themselves to bp)
