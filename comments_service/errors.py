"""Errors as JSON for the API and as pages for people, with messages they can act on."""

from flask import current_app, render_template, request
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: "The request could not be read.",
    404: "Nothing here. Check the address.",
    405: "That method is not allowed here.",
    413: "That is too large to send; please shorten your comment.",
    429: "Too many requests in a short time; please wait a minute and try again.",
}


class ApiError(HTTPException):
    """An API error with a machine-readable kind and optional per-field messages."""

    def __init__(self, code: int, kind: str, message: str, fields: dict | None = None):
        super().__init__(description=message)
        self.code = code
        self.kind = kind
        self.fields = fields


def error_body(error: HTTPException) -> dict:
    body = {
        "error": getattr(error, "kind", None) or _kind(error),
        "message": _message(error),
    }
    if getattr(error, "fields", None):
        body["fields"] = error.fields
    return body


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def handle_http_error(error: HTTPException):
    """JSON for API clients; a page for people, including readers posting a plain form."""
    from_form = request.mimetype in FORM_TYPES
    if (request.path.startswith("/api/") and not from_form) or request.is_json:
        return error_body(error), error.code
    back = current_app.config["PORCH_BLOG_URL"] if request.path.startswith("/api/") else None
    page = render_template("errors/error.html", error=error, message=_message(error), back=back)
    return page, error.code


def _kind(error: HTTPException) -> str:
    return (error.name or "error").lower().replace(" ", "_")


def _message(error: HTTPException) -> str:
    if isinstance(error, ApiError):
        return error.description
    if error.code in MESSAGES and error.code != 400:
        return MESSAGES[error.code]
    return error.description or MESSAGES.get(error.code, "Something went wrong.")


def register(app) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
