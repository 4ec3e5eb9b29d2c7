"""Reading a thread: one indexed lookup, then a 304, a kept body, or a body made once.

The lookup gives the post's comments version, which every change readers can see
raises (services/comments/freshness.py); the body for that version, page and page size is
made at most once per process and kept (services/comments/thread_cache.py).
"""

import re
from functools import cache
from typing import NamedTuple

from flask import current_app, request
from flask_babel import format_decimal, gettext, lazy_gettext
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from comments_service.api.validation import is_possible_slug
from comments_service.errors import ApiError
from comments_service.extensions import DriverRead, db, once_more_if_dropped
from comments_service.queries.public import THREAD_STATE
from comments_service.services.comments.thread_cache import CachedThread, ThreadCache, ThreadKey
from comments_service.services.comments.threads import (
    counted,
    thread_for,
    thread_page,
)
from porch_contract import split_pages

NO_POST_HERE = lazy_gettext("There is no post at this address to comment on.")
NO_SUCH_POST = lazy_gettext("There is no post '%(slug)s' to comment on.")

GZIPPED = "-gzip"
PAGE_NUMBER = re.compile(r"[0-9]{1,9}")
# The (slug, state or database error) replay.py looked up for this request, so the
# database is not asked twice.
LOOKED_UP = "porch.thread_state"
STATE_READ = "porch_thread_state_read"

# What a lookup meets when the database does not answer: it is down, or every pooled
# connection is in use past PORCH_DATABASE_TIMEOUT_SECONDS. Both are a 503.
NO_ANSWER = (DBAPIError, PoolTimeout)


def thread_response(slug: str, asked_page: str | None):
    """The thread's JSON (gzipped when the client takes it), or 304 when the client has it."""
    post = _thread_state_or_404(slug)
    per_page = current_app.config["PORCH_COMMENTS_PER_PAGE"]
    page = None if asked_page is None else _page_number(asked_page)
    key = ThreadKey(post.id, post.comments_version, page, per_page, post.title)
    if request.if_none_match.contains(key.etag):
        return _not_modified(key.etag)
    if request.if_none_match.contains(key.etag + GZIPPED):
        return _not_modified(key.etag + GZIPPED)
    kept = thread_cache(current_app)
    entry = kept.get(key)
    if entry is None:
        entry = CachedThread.of(_document(slug, post, key, asked_page))
        kept.put(key, entry)
    return _answer(entry, key)


def thread_cache(app) -> ThreadCache:
    """This process's cache of serialised threads, made on first use."""
    if "porch_thread_cache" not in app.extensions:
        megabytes = app.config["PORCH_THREAD_CACHE_MB"]
        app.extensions["porch_thread_cache"] = ThreadCache(megabytes * 1024 * 1024)
    return app.extensions["porch_thread_cache"]


class ThreadState(NamedTuple):
    id: int
    title: str
    comments_version: int


def thread_state(app, slug: str) -> ThreadState | None:
    """The post's id, title and comments version, or None: one indexed lookup, on a
    pooled driver connection of its own (the ORM session is not needed), made once more
    on a new connection if the pooled one was dropped (extensions.once_more_if_dropped)."""
    read = app.extensions.get(STATE_READ) or _state_read(app)
    found = once_more_if_dropped(lambda: read.one_or_none(slug=slug))
    return None if found is None else ThreadState(*found)


def _state_read(app) -> DriverRead:
    """The lookup's statement, compiled once for the app's database."""
    with app.app_context():
        app.extensions[STATE_READ] = DriverRead(db.engine, THREAD_STATE)
    return app.extensions[STATE_READ]


def _thread_state_or_404(slug: str):
    if not is_possible_slug(slug):
        raise ApiError(404, "unknown_post", str(NO_POST_HERE))
    looked_up = request.environ.get(LOOKED_UP)
    post = looked_up[1] if looked_up and looked_up[0] == slug else thread_state(current_app, slug)
    if isinstance(post, NO_ANSWER):
        raise post
    if post is None:
        raise ApiError(404, "unknown_post", str(NO_SUCH_POST) % {"slug": slug})
    return post


def _page_number(asked: str) -> int:
    """The page asked for; 0, which no thread has, unless it is written in ASCII digits.

    str.isdigit() also takes "³" and "①", which int() refuses, and int() reads "١"
    (Arabic-Indic one); a page number longer than nine digits is past any thread.
    """
    return int(asked) if PAGE_NUMBER.fullmatch(asked) else 0


def _document(slug: str, post, key: ThreadKey, asked_page: str | None) -> dict:
    """The body the API has always given: the thread read after its version, so at least
    as new as the version says."""
    thread = {**counted(thread_for(post)), "version": key.version}
    if key.page is not None:
        page = thread_page(thread, key.page, key.per_page)
        if page is None:
            pages = len(split_pages(thread["comments"], key.per_page))
            message = gettext(
                "Pages of this thread are numbered 1 to %(pages)s, not %(asked)s.",
                pages=format_decimal(pages),
                asked=repr(asked_page),
            )
            raise ApiError(404, "unknown_page", message)
        thread = {**page, "per_page": key.per_page}
    return {"post": {"slug": slug, "title": post.title}, **thread}


def _answer(entry: CachedThread, key: ThreadKey):
    gzipped = current_app.config["PORCH_COMPRESS"] and request.accept_encodings["gzip"] > 0
    response = current_app.response_class(
        entry.gzipped if gzipped else entry.body, mimetype="application/json"
    )
    if gzipped:
        response.content_encoding = "gzip"
    response.set_etag(key.etag + (GZIPPED if gzipped else ""))
    return _public(response)


def _not_modified(etag: str):
    response = current_app.response_class(status=304)
    response.set_etag(etag)
    return _public(response)


def _public(response):
    config = current_app.config
    response.headers.update(
        cache_headers(config["PORCH_THREAD_CDN_SECONDS"], config["PORCH_THREAD_CDN_STALE_SECONDS"])
    )
    if config["PORCH_COMPRESS"]:
        response.headers["Vary"] = "Accept-Encoding"
    return response


@cache
def cache_headers(shared_seconds: int, stale_seconds: int) -> dict:
    """Shared caches (a CDN) may keep a thread ``shared_seconds``; browsers always ask again.

    Serving it ``stale_seconds`` longer while asking again is said to CDNs alone
    (``CDN-Cache-Control``): a browser that did so would show a reader who just posted
    without JavaScript the thread from before their comment.
    """
    if not shared_seconds:
        return {"Cache-Control": "public, no-cache"}
    headers = {"Cache-Control": f"public, max-age=0, s-maxage={shared_seconds}"}
    if stale_seconds:
        headers["CDN-Cache-Control"] = (
            f"max-age={shared_seconds}, stale-while-revalidate={stale_seconds}"
        )
    return headers
