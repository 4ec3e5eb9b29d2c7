"""Thread reads answered again in front of Flask, from answers Flask already gave.

A public thread read (``GET /api/posts/<slug>/comments``) is the same bytes for every
request that has the same path and query, the same ``Origin``, ``Accept-Encoding``
and ``If-None-Match`` headers, and finds the post at the same comments version and
title. So this layer still does the one indexed lookup of that state, then answers
with the status, headers and body Flask gave the first such request: the ETag,
Cache-Control, Vary, CORS and security headers are all Flask's, 304s included.

Anything else goes to Flask untouched: other methods and paths, requests with a
cookie, unknown posts, a database that does not answer (Flask then says 503), and any
answer that is not a public 200 or 304 (errors are never kept).
"""

from dataclasses import dataclass
from functools import lru_cache

from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from comments_service.api.reading import LOOKED_UP, NO_ANSWER, thread_state
from comments_service.api.validation import is_possible_slug
from comments_service.services.comments.thread_cache import ThreadCache

ENDPOINT = "api.list_comments"
KEPT_STATUSES = ("200", "304")
# What of the request a thread answer depends on: its address, and the headers of
# CORS, compression and validators.
KEY_ENVIRON = (
    "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING",
    "HTTP_ORIGIN", "HTTP_ACCEPT_ENCODING", "HTTP_IF_NONE_MATCH",
)  # fmt: skip
SLUGS_REMEMBERED = 4096


@dataclass(frozen=True)
class KeptAnswer:
    status: str
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(name) + len(value) for name, value in self.headers)

    @property
    def replayable(self) -> bool:
        """A public answer that sets no cookie, as Flask gives every reader of a thread."""
        names = {name.lower(): value for name, value in self.headers}
        public = "public" in names.get("cache-control", "")
        return self.status[:3] in KEPT_STATUSES and public and "set-cookie" not in names


class ThreadReplay:
    """WSGI middleware: ``app.wsgi_app = ThreadReplay(app, app.wsgi_app)``."""

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self.answers = ThreadCache(app.config["PORCH_THREAD_CACHE_MB"] * 1024 * 1024)
        # The service's routes depend on the path alone (no host or subdomain rules).
        self._routes = app.url_map.bind("localhost")
        self._slug_at = lru_cache(maxsize=SLUGS_REMEMBERED)(self._slug_at)

    def __call__(self, environ, start_response):
        slug = self._thread_slug(environ)
        state = self._state(slug) if slug else None
        if isinstance(state, NO_ANSWER):
            environ[LOOKED_UP] = (slug, state)  # Flask answers it (503), without a second wait
        if state is None or isinstance(state, NO_ANSWER):
            return self.wsgi_app(environ, start_response)
        key = (tuple(state), *(environ.get(name) for name in KEY_ENVIRON))
        kept = self.answers.get(key)
        if kept is None:
            environ[LOOKED_UP] = (slug, state)  # Flask answers for this state, not a newer one
            kept = self._flask_answer(environ)
            if kept.replayable:
                self.answers.put(key, kept)
        start_response(kept.status, kept.headers)
        return [kept.body]

    def _state(self, slug: str):
        """The post's id, title and version; None when it is unknown (Flask says 404), the
        error when the database does not answer (Flask says 503)."""
        try:
            return thread_state(self.app, slug)
        except NO_ANSWER as error:
            return error

    def _thread_slug(self, environ) -> str | None:
        """The slug of a reader's thread read, found by Flask's own URL map."""
        if environ.get("REQUEST_METHOD") != "GET" or "HTTP_COOKIE" in environ:
            return None
        # WSGI gives the path's UTF-8 bytes as Latin-1 characters (PEP 3333).
        path = environ.get("PATH_INFO", "").encode("latin-1").decode(errors="replace")
        if not (path.startswith("/api/posts/") and path.endswith("/comments")):
            return None  # a cheap look first: most requests are not thread reads
        return self._slug_at(path)

    def _slug_at(self, path: str) -> str | None:
        """The slug Flask's own URL map finds in ``path``, remembered for popular threads."""
        try:
            endpoint, arguments = self._routes.match(path, method="GET")
        except (HTTPException, RequestRedirect):
            return None
        if endpoint != ENDPOINT or not is_possible_slug(arguments["slug"]):
            return None
        return arguments["slug"]

    def _flask_answer(self, environ) -> KeptAnswer:
        started = []

        def start_response(status, headers, exc_info=None):
            started[:] = [status, list(headers)]

        chunks = self.wsgi_app(environ, start_response)
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        return KeptAnswer(started[0], started[1], body)
