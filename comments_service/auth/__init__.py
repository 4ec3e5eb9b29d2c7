"""Staff sign-in and sign-out."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")

from comments_service.auth import mail_answers, routes  # noqa: E402,F401
