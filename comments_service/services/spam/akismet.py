"""Porch's line to Akismet: the fields it needs about a comment, one client per app.

The client is built on first use, not at import or app creation: a service with no
network to Akismet still starts, and a key Akismet refuses is tried again on the next
comment instead of being remembered. Every call is bounded by
PORCH_AKISMET_TIMEOUT_SECONDS; whoever calls decides what a failure means (services.spam).
"""

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass

import akismet
import httpx

from comments_service.models import Comment

# Where a test (a local server that speaks Akismet's API) or an outgoing proxy puts an
# httpx transport for the client to send through; not a setting operators type.
TRANSPORT_KEY = "AKISMET_TRANSPORT"
# Every connection a check opened stays open for the next check (until 5 s idle): each
# of a worker's threads may be asking at once (24 by default), and httpx's default of 20
# kept connections would give the others a new TCP and TLS handshake per comment.
CONNECTIONS = httpx.Limits(max_connections=None, max_keepalive_connections=None)
EXTENSION_KEY = "porch_akismet"
_extension_lock = threading.Lock()


@dataclass(frozen=True)
class AkismetSettings:
    api_key: str
    blog_url: str  # the site the key is registered for
    article_base: str  # PORCH_BLOG_URL: permalinks are this plus the post's path
    timeout: float
    blog_lang: str
    is_test: bool
    transport: httpx.BaseTransport | None = None


def settings_from(config: Mapping, environ: Mapping = os.environ) -> AkismetSettings | None:
    """Porch settings first, then the library's own variables; None: checking is off."""
    key = config["PORCH_AKISMET_API_KEY"] or environ.get("PYTHON_AKISMET_API_KEY")
    if not key:
        return None
    url = (
        config["PORCH_AKISMET_BLOG_URL"]
        or environ.get("PYTHON_AKISMET_BLOG_URL")
        or config["PORCH_BLOG_URL"]
    )
    return AkismetSettings(
        api_key=key,
        blog_url=url,
        article_base=config["PORCH_BLOG_URL"],
        timeout=float(config["PORCH_AKISMET_TIMEOUT_SECONDS"]),
        blog_lang=config["PORCH_AKISMET_BLOG_LANG"],
        is_test=config["PORCH_AKISMET_IS_TEST"],
        transport=config.get(TRANSPORT_KEY),
    )


class Akismet:
    """One app's Akismet client, made (and its key verified) when first needed.

    Threads of a gthread worker share it: httpx clients are safe to share.
    """

    def __init__(self, settings: AkismetSettings, client_class=akismet.SyncClient):
        self.settings = settings
        self._client_class = client_class
        self._client: akismet.SyncClient | None = None
        self._lock = threading.Lock()

    def client(self) -> akismet.SyncClient:
        """The verified client; raises akismet.AkismetError when it cannot be had now.

        Verified outside the lock: while Akismet is slow, threads wait for it side by
        side, not one after another. Of two clients built at once, one is kept.
        """
        if self._client is None:
            built = self._client_class.validated_client(
                config=akismet.Config(key=self.settings.api_key, url=self.settings.blog_url),
                http_client=self._http_client(),
            )
            with self._lock:
                self._client = self._client or built
        return self._client

    def _http_client(self) -> httpx.Client:
        return httpx.Client(
            headers={"User-Agent": akismet.USER_AGENT},
            timeout=self.settings.timeout,
            limits=CONNECTIONS,
            transport=self.settings.transport,
        )

    def check(self, comment: Comment) -> akismet.CheckResponse:
        return self.client().comment_check(**self.arguments(comment))

    def submit_spam(self, comment: Comment) -> None:
        self.client().submit_spam(**self.arguments(comment))

    def submit_ham(self, comment: Comment) -> None:
        self.client().submit_ham(**self.arguments(comment))

    def arguments(self, comment: Comment) -> dict:
        """Everything Akismet weighs, from the comment as stored: checks and reports agree."""
        arguments = dict(
            user_ip=comment.remote_addr or "",
            user_agent=comment.user_agent or "",
            referrer=comment.referrer or "",
            permalink=self.settings.article_base + comment.post.path,
            comment_type=comment.comment_type,
            comment_author=comment.author_name,
            comment_author_email=comment.author_email or "",
            comment_author_url=comment.author_website or "",
            comment_content=comment.body_markdown,
            comment_date_gmt=comment.created_at.isoformat(),
            blog_lang=self.settings.blog_lang,
            blog_charset="UTF-8",
        )
        if self.settings.is_test:
            arguments["is_test"] = True
        return arguments


def for_app(app) -> Akismet | None:
    """The app's Akismet (None when no key is set), kept in ``app.extensions``."""
    with _extension_lock:
        if EXTENSION_KEY not in app.extensions:
            settings = settings_from(app.config)
            app.extensions[EXTENSION_KEY] = settings and Akismet(settings)
        return app.extensions[EXTENSION_KEY]
