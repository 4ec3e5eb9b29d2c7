"""Settings for the comment service: one place, safe defaults.

Each setting has one name, ``PORCH_<NAME>``: in the environment, in the mapping a
test passes to ``create_app`` and in ``app.config``. Values from the environment take
the type of their default (``PORCH_SESSION_COOKIE_SECURE=false`` gives a boolean).
The names Flask and its extensions read (``SECRET_KEY``, ``SQLALCHEMY_DATABASE_URI``...)
are derived from these and are not settings of their own. docs/configuration.md
lists every setting.
"""

import os
import re
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import apprise
from babel import Locale, UnknownLocaleError

import porch_contract
from comments_service.enums import ModerationPolicy, Notify, SmtpSecurity
from comments_service.site_urls import normalised_url, refuse_renamed
from comments_service.words.addresses import AddressError, mail_address

PREFIX = "PORCH_"

DEFAULTS = {
    # Storage. A relative SQLite path lives in the Flask instance folder.
    "DATABASE_URL": "sqlite:///porch.sqlite3",
    # Where the static blog is served; its origin is the only one allowed by CORS
    # and by the cross-site check on comment forms.
    "BLOG_URL": "http://127.0.0.1:8000",
    # Where readers' browsers reach this service; the only other origin allowed to post.
    "PUBLIC_URL": "http://127.0.0.1:5000",
    # Top-level comments per page of a thread, in the API and the permalinks; the blog
    # bakes its pages with the Pelican setting of the same name, which must match.
    "COMMENTS_PER_PAGE": porch_contract.COMMENTS_PER_PAGE,
    # Where further pages of an article's comments live, relative to the article's URL:
    # the Pelican setting of the same name, which must match.
    "COMMENTS_PAGE_URL": porch_contract.COMMENTS_PAGE_URL,
    # A reader comment is overdue once it has waited this long for a staff answer.
    "ANSWER_WITHIN_HOURS": 24,
    # An unanswered comment is escalated to the admins once it has waited this long
    # since the reader posted it; must be longer than ANSWER_WITHIN_HOURS.
    "ESCALATE_AFTER_HOURS": 72,
    # "publish": reader comments appear at once unless the spam guard objects.
    # "first-time": a reader's first comment (by email address) waits for approval.
    # "queue": every reader comment waits for a staff member to approve it.
    "MODERATION_POLICY": ModerationPolicy.PUBLISH,
    # A comment with more links (bare addresses included) than this is held for approval.
    "MAX_LINKS": 3,
    # A comment the reader script timed as sent this soon after the page opened is spam.
    "MIN_FILL_SECONDS": 3,
    # Akismet. Empty key and blog URL fall back to the library's own environment
    # variables (PYTHON_AKISMET_API_KEY, PYTHON_AKISMET_BLOG_URL), the URL then to
    # BLOG_URL; no key at all: spam checking is off (docs/moderation.md).
    "AKISMET_API_KEY": "",
    "AKISMET_BLOG_URL": "",
    "AKISMET_TIMEOUT_SECONDS": 2.0,
    "AKISMET_BLOG_LANG": "en",
    # Tell Akismet the checks are tests (staging), so they do not train it.
    "AKISMET_IS_TEST": False,
    # Comments Akismet calls blatant spam are deleted this many days later (CLI).
    "SPAM_PURGE_DAYS": 15,
    # Comments per page on each tab of the moderation page (readers per page of the
    # Readers view): an author answers from the top of a queue, and a page of cards is
    # what the page costs to render and a phone to scroll.
    "MODERATION_PAGE_SIZE": 25,
    "MAX_COMMENT_CHARS": 10_000,
    "MAX_NAME_CHARS": 80,
    "MAX_CONTENT_LENGTH": 64 * 1024,
    # Rate limits (Flask-Limiter syntax). Storage "memory://" suits one process;
    # use "redis://host:6379" when several service hosts share the work.
    "COMMENT_RATE_LIMIT": "5 per minute;50 per day",
    # Comment posts per post, from all addresses together.
    "POST_RATE_LIMIT": "30 per minute",
    "LOGIN_RATE_LIMIT": "10 per minute",
    # Requests from the blog's privacy page (a copy of one's data, or its erasure).
    "PRIVACY_RATE_LIMIT": "5 per hour;20 per day",
    # The same requests per address asked about, from all clients together: how many
    # links one mailbox can be sent, however many clients ask.
    "PRIVACY_ADDRESS_RATE_LIMIT": "3 per hour;5 per day",
    "RATELIMIT_STORAGE_URI": "memory://",
    # Several service hosts behind a load balancer share only the database and Redis.
    # On: the service refuses to start with anything kept on one host (SQLite, rate
    # limits counted in memory, a secret key generated into the instance folder, pages
    # re-baked into a local output folder). docs/deploy.md, "Several hosts".
    "SEVERAL_HOSTS": False,
    # Number of proxies in front of the service whose X-Forwarded-* headers to trust.
    "TRUSTED_PROXIES": 0,
    "SESSION_COOKIE_SECURE": True,
    # A staff session ends after this long, or after REMEMBER_DAYS with "keep me signed in".
    "SESSION_HOURS": 12,
    "REMEMBER_DAYS": 14,
    # What a 503 tells clients to wait before retrying, while the database is away.
    "RETRY_AFTER_SECONDS": 5,
    # How long a request waits for the database (a PostgreSQL connection, a SQLite
    # lock) before answering 503: well inside gunicorn's worker timeout.
    "DATABASE_TIMEOUT_SECONDS": 5,
    # Database connections each worker process keeps (and never more): as many as its
    # threads (GUNICORN_THREADS, 24), so no thread waits for another's connection.
    "DATABASE_POOL_SIZE": 24,
    # How long /readyz waits for its SELECT 1 before it calls the database away.
    "READY_TIMEOUT_SECONDS": 2,
    # Serialised threads each worker process keeps, in megabytes (docs/deploy.md).
    "THREAD_CACHE_MB": 32,
    # Answer repeated thread reads with the answer Flask gave, after the version lookup.
    "REPLAY_THREADS": True,
    # Gzip JSON and HTML answers for clients that take it; false when the proxy does.
    "COMPRESS": True,
    # How long a CDN (a shared cache) may serve a thread before asking again, and how
    # much longer it may serve it while it asks; 0: every read reaches the service.
    "THREAD_CDN_SECONDS": 10,
    "THREAD_CDN_STALE_SECONDS": 30,
    # Mail (docs/notifications.md). No SMTP host: messages are written to the log
    # and kept in the outbox, marked "logged".
    "SMTP_HOST": "",
    "SMTP_PORT": 587,
    "SMTP_USER": "",
    "SMTP_PASSWORD": "",
    "SMTP_SECURITY": SmtpSecurity.STARTTLS,
    # Longest wait for the SMTP server on one step (connect, a command, the data).
    "SMTP_TIMEOUT_SECONDS": 30,
    "MAIL_FROM": "Porch <porch@localhost>",
    # A failed message is tried again after MAIL_RETRY_SECONDS, then twice as long
    # each time, MAIL_MAX_ATTEMPTS times in all before it is marked failed.
    "MAIL_MAX_ATTEMPTS": 8,
    "MAIL_RETRY_SECONDS": 60,
    # How long a sender holds a claimed message; far longer than one SMTP exchange,
    # so no other sender takes it while it is being sent.
    "MAIL_LEASE_SECONDS": 600,
    # At most this many messages per `mail send` pass.
    "MAIL_BATCH_SIZE": 100,
    # `mail send --loop`: the pause between passes, and the UTC hour from which it
    # sends the day's digests.
    "MAIL_LOOP_SECONDS": 30,
    "MAIL_DIGEST_HOUR": 8,
    # The team's chat channels (docs/notifications.md): Apprise URLs (slack://...,
    # msteams://..., json://host/path...) separated by spaces or commas. They carry
    # secrets. Empty: no channel hears anything.
    "NOTIFY_URLS": "",
    # What the channels hear of new reader comments: "each" one message per comment,
    # "digest" one a day listing them, "off" nothing (nor the daily overdue list).
    "NOTIFY_CHOICE": Notify.EACH,
    # Answering by email (docs/answering-by-email.md). With an inbound address, every
    # mail about one reader comment carries a Reply-To of it with a signed token after a
    # plus sign (answers+TOKEN@blog.example.com); a reply becomes the staff member's answer.
    # Empty: mails carry no reply address and nothing is received.
    "INBOUND_ADDRESS": "",
    # A reply address works this many days after its mail was made.
    "REPLY_DAYS": 30,
    # Refuse replies without a passing DKIM signature for their From domain.
    "REPLY_REQUIRE_DKIM": False,
    # `flask mail receive`: the SMTP server the company's mail server forwards replies to.
    "INBOUND_HOST": "127.0.0.1",
    "INBOUND_PORT": 2525,
    "INBOUND_MAX_BYTES": 10_000_000,
    # `flask mail fetch`: a mailbox to read replies from instead, as
    # imaps://user:password@imap.example.com/INBOX (imap:// only for a local test server).
    "IMAP_URL": "",
    # Where a processed message is moved, and the pause between `mail fetch --loop` passes.
    "IMAP_DONE_FOLDER": "Porch-done",
    "IMAP_LOOP_SECONDS": 30,
    # A reader's link to confirm email about a comment's replies works this long.
    "SUBSCRIPTION_CONFIRM_HOURS": 72,
    # At most this many confirmation mails to one address wait for an answer while their
    # links work; a comment asking beyond them gets no mail (nobody is flooded with them).
    "SUBSCRIPTION_CONFIRM_MAILS": 3,
    # Re-baking (docs/deploy.md): the built blog on this host, the Pelican settings
    # file it was built with, and the pause between `flask rebake --loop` passes.
    # Empty output: this host re-bakes nothing.
    "REBAKE_OUTPUT": "",
    "REBAKE_SETTINGS": "pelicanconf.py",
    "REBAKE_LOOP_SECONDS": 1.0,
    # A build host without the database loads the posts manifest over HTTP with this
    # secret (`invoke deploy`). Empty: that endpoint is off.
    "DEPLOY_TOKEN": "",
    # A reader's link to download or erase their data works this long.
    "PRIVACY_LINK_HOURS": 24,
    # The kinds staff tag reader comments with, comma-separated, in the order the
    # moderation page offers them: short lower-case words (letters, digits, -).
    "COMMENT_KINDS": "question,idea,problem,praise",
    # Which of those kinds the monthly report lists as still open: questions until they
    # are answered, ideas and problems until their follow-up is acted on or declined.
    # Left as they are, the ones COMMENT_KINDS has; set, each must be one of COMMENT_KINDS.
    "QUESTION_KINDS": "question",
    "FOLLOW_UP_KINDS": "idea,problem",
    # Who gets the monthly report "What readers told us" (docs/listening.md), as
    # comma-separated addresses; `mail send --loop` queues it once a month. Empty: none.
    "REPORT_TO": "",
    # A reader may change or delete their comment this many minutes after posting it
    # (fractions allowed), until the team answers it.
    "READER_EDIT_MINUTES": 15.0,
    # How long a reader's browser may ask to see its own comments (held ones included).
    "OWN_COMMENT_DAYS": 30,
    # Previews of a comment's rendering, per address.
    "PREVIEW_RATE_LIMIT": "30 per minute;500 per day",
    # The blog's name, in the header of the service's pages for readers.
    "BLOG_NAME": "Porch",
    # The blog's language, as Pelican's DEFAULT_LANG names it ("en", "de", "pt_BR"): every
    # page, form, error and mail of the service speaks it (staff may choose their own on
    # their settings page), and `posts sync` refuses a blog built in another one
    # (docs/translating.md).
    "LANGUAGE": "en",
    # Comments' request context: after this many days the address is cut to its
    # network (IPv4 /24, IPv6 /48) and the user agent deleted.
    "ADDRESS_RETENTION_DAYS": 30,
    "SECRET_KEY": None,
}


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL: what browsers send as Origin."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def load_settings(instance_path: str, overrides: dict | None = None) -> dict:
    """Return Flask config built from DEFAULTS, the PORCH_* environment and overrides.

    Override keys named ``PORCH_<NAME>`` replace Porch settings; any other key
    (TESTING, RATELIMIT_ENABLED...) is passed to Flask unchanged.
    """
    overrides = dict(overrides or {})
    unknown = [
        key
        for key in overrides
        if key.startswith(PREFIX) and key.removeprefix(PREFIX) not in DEFAULTS
    ]
    if unknown:
        raise ValueError(f"Unknown setting(s): {', '.join(sorted(unknown))}")
    refuse_renamed(os.environ)
    settings = {}
    for key, default in DEFAULTS.items():
        name = PREFIX + key
        raw = os.environ.get(name)
        value = default if raw is None else _parse(name, raw, default)
        settings[name] = overrides.pop(name, value)
    for name in ("PORCH_BLOG_URL", "PORCH_PUBLIC_URL"):
        settings[name] = normalised_url(name, settings[name])
    settings["PORCH_MODERATION_POLICY"] = _choice(
        "PORCH_MODERATION_POLICY", ModerationPolicy, settings["PORCH_MODERATION_POLICY"]
    )
    settings["PORCH_SMTP_SECURITY"] = _choice(
        "PORCH_SMTP_SECURITY", SmtpSecurity, settings["PORCH_SMTP_SECURITY"]
    )
    settings["PORCH_NOTIFY_CHOICE"] = _choice(
        "PORCH_NOTIFY_CHOICE", Notify, settings["PORCH_NOTIFY_CHOICE"]
    )
    settings["PORCH_LANGUAGE"] = language_code(settings["PORCH_LANGUAGE"])
    _check_escalation_comes_later(settings)
    notify_urls(settings)
    open_kinds(settings)
    _check_inbound_address(settings["PORCH_INBOUND_ADDRESS"])
    report_recipients(settings)
    if settings["PORCH_SEVERAL_HOSTS"]:
        _check_nothing_kept_on_one_host(settings)
    if not settings["PORCH_SECRET_KEY"]:
        settings["PORCH_SECRET_KEY"] = _instance_secret(Path(instance_path))
    return {**settings, **flask_names(settings), **overrides}


def language_code(raw: str) -> str:
    """PORCH_LANGUAGE as Babel names it ("de", "pt_BR"); a code Babel lacks stops the service."""
    try:
        return str(Locale.parse(str(raw).strip().replace("-", "_")))
    except (ValueError, UnknownLocaleError):
        raise ValueError(
            f"PORCH_LANGUAGE must name a language, as Pelican's DEFAULT_LANG does (en, de, "
            f"fr, es, ar, pt_BR), not {raw!r}"
        ) from None


def _choice(name: str, vocabulary, value):
    """A setting with a closed set of values: a typo stops the service at start-up."""
    try:
        return vocabulary(value)
    except ValueError:
        choices = ", ".join(member.value for member in vocabulary)
        raise ValueError(f"{name} must be one of {choices}, not {value!r}") from None


def _check_escalation_comes_later(settings: dict) -> None:
    """Escalation is the second delay: one not past the first would skip the authors' turn."""
    within, escalate = settings["PORCH_ANSWER_WITHIN_HOURS"], settings["PORCH_ESCALATE_AFTER_HOURS"]
    if escalate <= within:
        raise ValueError(
            f"PORCH_ESCALATE_AFTER_HOURS ({escalate}) must be more than"
            f" PORCH_ANSWER_WITHIN_HOURS ({within}): authors get their turn first."
        )


# What one host would keep to itself, and what to set instead, for PORCH_SEVERAL_HOSTS.
_ONE_HOST_ONLY = (
    ("PORCH_DATABASE_URL", lambda v: v.startswith("sqlite"), "a PostgreSQL URL shared by all"),
    (
        "PORCH_RATELIMIT_STORAGE_URI",
        lambda v: v.startswith("memory:"),
        "a redis:// URL shared by all, or each host would count alone",
    ),
    ("PORCH_SECRET_KEY", lambda v: not v, "one key shared by all, or sign-ins break between hosts"),
    (
        "PORCH_REBAKE_OUTPUT",
        bool,
        "empty: the build host's `invoke rebake --watch` re-bakes the blog",
    ),
)


def _check_nothing_kept_on_one_host(settings: dict) -> None:
    """Several hosts would silently disagree on anything one of them keeps alone."""
    wrong = [
        f"{name} needs {instead}"
        for name, kept_alone, instead in _ONE_HOST_ONLY
        if kept_alone(settings[name])
    ]
    if wrong:
        raise ValueError("PORCH_SEVERAL_HOSTS is on, but " + "; ".join(wrong) + ".")


def flask_names(settings: dict) -> dict:
    """The names Flask and its extensions read, derived from Porch settings."""
    secure = settings["PORCH_SESSION_COOKIE_SECURE"]
    return dict(
        SECRET_KEY=settings["PORCH_SECRET_KEY"],
        SQLALCHEMY_DATABASE_URI=settings["PORCH_DATABASE_URL"],
        MAX_CONTENT_LENGTH=settings["PORCH_MAX_CONTENT_LENGTH"],
        RATELIMIT_STORAGE_URI=settings["PORCH_RATELIMIT_STORAGE_URI"],
        RATELIMIT_HEADERS_ENABLED=True,
        # Redis away: count in this process for a while rather than refuse every comment.
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings["PORCH_SESSION_HOURS"]),
        REMEMBER_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_DURATION=timedelta(days=settings["PORCH_REMEMBER_DAYS"]),
        REMEMBER_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_DEFAULT_LOCALE=settings["PORCH_LANGUAGE"],
        BABEL_DEFAULT_TIMEZONE="UTC",
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(settings),
    )


def _engine_options(settings: dict) -> dict:
    """Bound every wait for the database, so an outage is a quick 503 and not a hung worker.

    Pooled connections are not tested before use (a round trip on every checkout): a
    connection the database dropped fails its first statement, SQLAlchemy invalidates
    the pool, and that first read is made once more on a new connection
    (extensions.once_more_if_dropped, errors.handle_database_error). A thread waits for a pooled
    connection no longer than for the database itself. PostgreSQL's JIT compiler is
    off: it spends up to a second compiling the moderation page's counts, which run in
    milliseconds without it (docs/indexes.md). A SQLite write transaction starts with
    BEGIN IMMEDIATE: it takes the write lock first, so writers wait for each other
    there, and none fails half-way, after its reads, for a lock another reader holds.
    """
    url = settings["PORCH_DATABASE_URL"]
    wait = settings["PORCH_DATABASE_TIMEOUT_SECONDS"]
    options = {
        "pool_size": settings["PORCH_DATABASE_POOL_SIZE"],
        "max_overflow": 0,
        "pool_timeout": wait,
    }
    if url.startswith("sqlite"):
        # timeout: the wait for another connection's lock.
        options["connect_args"] = {"timeout": wait, "isolation_level": "IMMEDIATE"}
    elif url.startswith("postgresql"):
        options["connect_args"] = {"connect_timeout": wait, "options": "-c jit=off"}
    return options


def _parse(name: str, raw: str, default):
    """Read an environment value as the type of its default, or say which one is wrong."""
    if isinstance(default, bool):
        if raw.strip().lower() in {"1", "true", "yes", "on"}:
            return True
        if raw.strip().lower() in {"0", "false", "no", "off"}:
            return False
        raise ValueError(f"{name} must be true or false, not {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if isinstance(default, float):
        try:
            return float(raw)
        except ValueError:
            raise ValueError(f"{name} must be a number, not {raw!r}") from None
    return raw


def _instance_secret(instance: Path) -> str:
    """Keep a random key in the instance folder so sessions survive restarts.

    Several hosts behind a load balancer must share one key: set PORCH_SECRET_KEY.
    """
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        # Write aside, then link into place: of several workers starting at once, one
        # key wins and every worker reads that one, never a half-written file.
        fd, temporary = tempfile.mkstemp(dir=instance, prefix=".secret_key-")
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    return path.read_text().strip()


def answer_within(config) -> timedelta:
    """How long a reader may wait before their comment is overdue."""
    return timedelta(hours=config["PORCH_ANSWER_WITHIN_HOURS"])


def comment_paging(config) -> tuple[int, str]:
    """Top-level comments per page and where later pages live: a blog's posts manifest
    must carry the same (``posts sync`` and ``PUT /api/manifest`` check)."""
    return config["PORCH_COMMENTS_PER_PAGE"], config["PORCH_COMMENTS_PAGE_URL"]


def escalate_after(config) -> timedelta:
    """How long a reader may wait before the admins look after their comment too."""
    return timedelta(hours=config["PORCH_ESCALATE_AFTER_HOURS"])


# The moderation page's kind filter uses this word for "no kind yet".
UNTAGGED = "untagged"
_KIND = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")


def address_retention(config) -> timedelta:
    """How long a comment's address and user agent are kept whole."""
    return timedelta(days=config["PORCH_ADDRESS_RETENTION_DAYS"])


def reader_edit_window(config) -> timedelta:
    """How long after posting a reader may change or delete their comment."""
    return timedelta(minutes=config["PORCH_READER_EDIT_MINUTES"])


def comment_kinds(config) -> tuple[str, ...]:
    """The kinds a reader comment may be tagged with; a bad list stops the service at start-up."""
    raw = config["PORCH_COMMENT_KINDS"]
    kinds = tuple(kind.strip() for kind in raw.split(",") if kind.strip())
    bad = [kind for kind in kinds if not _KIND.fullmatch(kind) or kind == UNTAGGED]
    if not kinds or bad or len(set(kinds)) != len(kinds):
        raise ValueError(
            "PORCH_COMMENT_KINDS must list distinct short lower-case words (letters, digits, -;"
            f" not {UNTAGGED!r}) separated by commas, not {raw!r}"
        )
    return kinds


class OpenKinds(NamedTuple):
    """The kinds the report follows until they are settled (``queries.still_open``)."""

    questions: tuple[str, ...]  # open until answered or marked no answer needed
    follow_ups: tuple[str, ...]  # open until their follow-up is acted on or declined


def open_kinds(config) -> OpenKinds:
    """Which kinds of PORCH_COMMENT_KINDS stay open; a kind not in it stops the service."""
    vocabulary = comment_kinds(config)
    questions = _kinds_of(config, "QUESTION_KINDS", vocabulary)
    follow_ups = _kinds_of(config, "FOLLOW_UP_KINDS", vocabulary)
    if both := [kind for kind in questions if kind in follow_ups]:
        raise ValueError(
            "PORCH_QUESTION_KINDS and PORCH_FOLLOW_UP_KINDS must not share a kind:"
            f" {', '.join(both)}"
        )
    return OpenKinds(questions, follow_ups)


def _kinds_of(config, name: str, vocabulary: tuple[str, ...]) -> tuple[str, ...]:
    """A list of kinds from the vocabulary. Left at its default, it keeps the default
    kinds the vocabulary has: a team with words of its own names its open kinds."""
    raw = config[PREFIX + name]
    kinds = tuple(dict.fromkeys(kind.strip() for kind in raw.split(",") if kind.strip()))
    if raw == DEFAULTS[name]:
        return tuple(kind for kind in kinds if kind in vocabulary)
    if unknown := [kind for kind in kinds if kind not in vocabulary]:
        raise ValueError(
            f"{PREFIX}{name} may name only kinds of PORCH_COMMENT_KINDS"
            f" ({', '.join(vocabulary)}), not {', '.join(unknown)}"
        )
    return kinds


def report_recipients(config) -> tuple[str, ...]:
    """The addresses of PORCH_REPORT_TO; one that mail cannot be sent to (addresses.py)
    stops the service at start-up."""
    raw = config["PORCH_REPORT_TO"]
    addresses = tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
    bad = [address for address in addresses if not _is_mail_address(address)]
    if bad:
        raise ValueError(
            f"PORCH_REPORT_TO must list email addresses separated by commas, not {raw!r}"
        )
    return addresses


def _check_inbound_address(address: str) -> None:
    """Replies go to its local part with "+TOKEN" added: it must be a plain address."""
    if address and ("+" in address or not _is_mail_address(address)):
        raise ValueError(
            "PORCH_INBOUND_ADDRESS must be an email address without a plus sign, such as"
            f" answers@blog.example.com, not {address!r}"
        )


def _is_mail_address(text: str) -> bool:
    try:
        mail_address(text)
    except AddressError:
        return False
    return True


def notify_urls(config) -> tuple[str, ...]:
    """The chat channels' Apprise URLs; one Apprise does not recognise stops the service
    at start-up. The error names the kind of URL only: the rest may be a secret."""
    raw = config["PORCH_NOTIFY_URLS"]
    urls = tuple(dict.fromkeys(part for part in re.split(r"[\s,]+", raw) if part))
    for url in urls:
        if not apprise.Apprise().add(url):
            kind = url.partition("://")[0] if "://" in url else "not a URL"
            raise ValueError(
                f"PORCH_NOTIFY_URLS: Apprise does not recognise the URL number"
                f" {urls.index(url) + 1} ({kind}); see docs/notifications.md"
            )
    return urls
