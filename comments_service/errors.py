"""Errors as JSON for the API and as pages for people, with messages they can act on."""

import sqlite3

from flask import current_app, g, render_template, request
from flask_babel import gettext, lazy_gettext
from flask_limiter.errors import RateLimitExceeded
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from comments_service.extensions import db

MESSAGES = {
    400: lazy_gettext("The request could not be read."),
    404: lazy_gettext("Nothing here. Check the address."),
    405: lazy_gettext("That method is not allowed here."),
    413: lazy_gettext("That is too large to send; please shorten your comment."),
    429: lazy_gettext("Too many requests in a short time; please wait a minute and try again."),
    503: lazy_gettext(
        "Comments are unavailable for a moment: our database cannot be reached. "
        "Please try again in a few seconds."
    ),
}
# The pages' titles: Werkzeug's names of the statuses, in the page's language.
TITLES = {
    400: lazy_gettext("Bad Request"),
    401: lazy_gettext("Unauthorized"),
    403: lazy_gettext("Forbidden"),
    404: lazy_gettext("Not Found"),
    405: lazy_gettext("Method Not Allowed"),
    409: lazy_gettext("Conflict"),
    410: lazy_gettext("Gone"),
    413: lazy_gettext("Request Entity Too Large"),
    415: lazy_gettext("Unsupported Media Type"),
    422: lazy_gettext("Unprocessable Entity"),
    428: lazy_gettext("Precondition Required"),
    429: lazy_gettext("Too Many Requests"),
    500: lazy_gettext("Internal Server Error"),
    503: lazy_gettext("Service Unavailable"),
}

# SQLite reports busy and missing files as OperationalError, like its query mistakes.
SQLITE_OUTAGES = ("database is locked", "unable to open database")


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
# Where readers arrive from the blog and their emails: errors there wear the blog's look.
READER_PATHS = ("/api/", "/c/", "/reply/", "/subscriptions/", "/privacy/")


def handle_http_error(error: HTTPException):
    """JSON for API clients; a page for people, including readers posting a plain form."""
    from_form = request.mimetype in FORM_TYPES
    headers = _headers_of(error)
    if (request.path.startswith("/api/") and not from_form) or request.is_json:
        return error_body(error), error.code, headers
    back = current_app.config["PORCH_BLOG_URL"] if request.path.startswith("/api/") else None
    for_readers = request.path.startswith(READER_PATHS)
    title = str(TITLES.get(error.code, error.name))
    context = dict(
        error=error, title=title, message=_message(error), back=back, for_readers=for_readers
    )
    if error.code == 503:
        return _unavailable_page(context), error.code, headers
    return render_template("errors/error.html", **context), error.code, headers


def _headers_of(error: HTTPException) -> list[tuple[str, str]]:
    """What the error says in headers (a 405's Allow, RFC 9110), but not its content type:
    the answer is ours, in JSON or HTML."""
    return [(name, value) for name, value in error.get_headers() if name != "Content-Type"]


def _unavailable_page(context: dict) -> str:
    """The 503 page, rendered without context processors and with no signed-in user:
    Flask-Login's would load the user from the database that is away."""
    name = "errors/reader_unavailable.html" if context["for_readers"] else "errors/unavailable.html"
    template = current_app.jinja_env.get_template(name)
    return template.render(**context, **blog_look(current_app.config))


def blog_look(config) -> dict:
    """What blog_base.html needs to look like the blog: its address and its name."""
    return {
        "blog_url": config["PORCH_BLOG_URL"],
        "blog_name": config["PORCH_BLOG_NAME"],
    }


def is_outage(error: DBAPIError) -> bool:
    """Whether the database is away or busy (worth a retry), rather than a query being wrong.

    psycopg's OperationalError (connection lost, server shutting down, lock timeout...)
    reaches us wrapped as SQLAlchemy's OperationalError.
    """
    if error.connection_invalidated:
        return True
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    if isinstance(error.orig, sqlite3.Error):
        return any(outage in str(error.orig) for outage in SQLITE_OUTAGES)
    return True


def handle_database_error(error: DBAPIError):
    """An unreachable database is a 503 that says when to retry; anything else stays a 500.

    The session is rolled back so nothing of the failed request is committed later.
    """
    if not is_outage(error):
        raise error
    if error.connection_invalidated and request.method in READS and not g.get(READ_AGAIN):
        return _read_again()
    current_app.logger.warning("Database unavailable: %s", error.orig)
    return _unavailable()


READS = ("GET", "HEAD")
READ_AGAIN = "porch_read_again"


def _read_again():
    """A read whose pooled connection the database had dropped (a restart) is made once
    more: SQLAlchemy has invalidated the pool, so it connects afresh. Reads change
    nothing, so running the view again is safe; a second failure is the 503."""
    g.setdefault(READ_AGAIN, True)
    release_session()
    try:
        return current_app.dispatch_request()
    except Exception as again:  # answered as any error of the view would be
        return current_app.handle_user_exception(again)


def handle_busy_pool(error: PoolTimeout):
    """Every pooled connection stayed in use for PORCH_DATABASE_TIMEOUT_SECONDS: busy, retry."""
    current_app.logger.warning("Database busy: %s", error)
    return _unavailable()


def _unavailable():
    release_session()
    response = current_app.make_response(handle_http_error(ServiceUnavailable()))
    response.retry_after = current_app.config["PORCH_RETRY_AFTER_SECONDS"]
    return response


def release_session(error: BaseException | None = None) -> None:
    """Roll back and give the connection back, even when the database is gone.

    It also ends every request (a teardown): when the database went away after the
    request's last statement, the rollback fails, and that exception would replace a
    finished answer (a stored comment's 201) with gunicorn's bare 500. SQLAlchemy has
    discarded the dead connection by then, so there is nothing left to do but say so.
    """
    try:
        db.session.close()
    except DBAPIError as lost:
        current_app.logger.warning("Database connection lost while ending a request: %s", lost.orig)


def _kind(error: HTTPException) -> str:
    return (error.name or "error").lower().replace(" ", "_")


def _message(error: HTTPException) -> str:
    """A description given where the error was raised is kept; Werkzeug's stock text is not.

    Flask-Limiter's description is the limit itself ("5 per 1 minute"), not a message,
    unless the limit was given one of its own.
    """
    if isinstance(error, RateLimitExceeded) and error.limit.error_message:
        said = error.limit.error_message
        return str(said() if callable(said) else said)
    stock = error.description == type(error).description or isinstance(error, RateLimitExceeded)
    if error.description and not stock:
        return str(error.description)
    return str(MESSAGES.get(error.code) or error.description or gettext("Something went wrong."))


def register(app) -> None:
    """Bind the handlers; after Flask-SQLAlchemy, so release_session runs before its teardown."""
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(DBAPIError, handle_database_error)
    app.register_error_handler(PoolTimeout, handle_busy_pool)
    app.teardown_appcontext(release_session)
