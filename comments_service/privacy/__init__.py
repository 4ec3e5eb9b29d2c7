"""Readers' data requests: the privacy page's form, and the links it mails."""

from flask import Blueprint

bp = Blueprint("privacy", __name__, url_prefix="/privacy")

from comments_service.privacy import routes  # noqa: E402,F401
