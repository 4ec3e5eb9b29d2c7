"""Settings for the comment service: one place, safe defaults.

Every setting can be overridden by an environment variable with the ``PORCH_``
prefix (``PORCH_DATABASE_URL``, ``PORCH_ANSWER_WITHIN_HOURS``...). Values from the
environment take the type of their default (``PORCH_SESSION_COOKIE_SECURE=false``
gives a boolean). docs/configuration.md lists every setting.
"""

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

MODERATION_POLICIES = ("publish", "queue")

DEFAULTS = {
    # Storage. A relative SQLite path lives in the Flask instance folder.
    "DATABASE_URL": "sqlite:///porch.sqlite3",
    # Where the static blog is served; its origin is the only one allowed by CORS
    # and by the cross-site check on comment forms.
    "BLOG_URL": "http://127.0.0.1:8000",
    # A reader comment is overdue once it has waited this long for a staff answer.
    "ANSWER_WITHIN_HOURS": 24,
    # "publish": reader comments appear at once unless the spam guard objects.
    # "queue": every reader comment waits for a staff member to approve it.
    "MODERATION_POLICY": "publish",
    # A comment with more links than this is held for approval.
    "MAX_LINKS": 3,
    "MAX_COMMENT_CHARS": 10_000,
    "MAX_NAME_CHARS": 80,
    "MAX_CONTENT_LENGTH": 64 * 1024,
    # Rate limits (Flask-Limiter syntax). Storage "memory://" suits one process;
    # use "redis://host:6379" when several service hosts share the work.
    "COMMENT_RATE_LIMIT": "5 per minute;50 per day",
    "LOGIN_RATE_LIMIT": "10 per minute",
    "RATELIMIT_STORAGE_URI": "memory://",
    # Number of proxies in front of the service whose X-Forwarded-* headers to trust.
    "TRUSTED_PROXIES": 0,
    "SESSION_COOKIE_SECURE": True,
    "SECRET_KEY": None,
}


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL: what browsers send as Origin."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def load_settings(instance_path: str, overrides: dict | None = None) -> dict:
    """Return Flask config built from DEFAULTS, the PORCH_* environment and overrides.

    Override keys named like DEFAULTS replace Porch settings; any other key (TESTING,
    WTF_CSRF_ENABLED...) is passed to Flask unchanged.
    """
    overrides = dict(overrides or {})
    settings = dict(DEFAULTS)
    for key in settings:
        raw = os.environ.get(f"PORCH_{key}")
        if raw is not None:
            settings[key] = _parse(key, raw, DEFAULTS[key])
        if key in overrides:
            settings[key] = overrides.pop(key)
    if settings["MODERATION_POLICY"] not in MODERATION_POLICIES:
        raise ValueError(
            f"PORCH_MODERATION_POLICY must be one of {', '.join(MODERATION_POLICIES)}, "
            f"not {settings['MODERATION_POLICY']!r}"
        )
    if not settings["SECRET_KEY"]:
        settings["SECRET_KEY"] = _instance_secret(Path(instance_path))
    return {**to_flask_config(settings), **overrides}


def to_flask_config(settings: dict) -> dict:
    """Map Porch settings onto the names Flask and its extensions read."""
    config = {f"PORCH_{key}": value for key, value in settings.items()}
    config.update(
        SECRET_KEY=settings["SECRET_KEY"],
        SQLALCHEMY_DATABASE_URI=settings["DATABASE_URL"],
        MAX_CONTENT_LENGTH=settings["MAX_CONTENT_LENGTH"],
        RATELIMIT_STORAGE_URI=settings["RATELIMIT_STORAGE_URI"],
        RATELIMIT_HEADERS_ENABLED=True,
        SESSION_COOKIE_SECURE=settings["SESSION_COOKIE_SECURE"],
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings["SESSION_COOKIE_SECURE"],
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_DURATION=timedelta(days=14),
        REMEMBER_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
    )
    return config


def _parse(key: str, raw: str, default):
    """Read an environment value as the type of its default, or say which one is wrong."""
    if isinstance(default, bool):
        if raw.strip().lower() in {"1", "true", "yes", "on"}:
            return True
        if raw.strip().lower() in {"0", "false", "no", "off"}:
            return False
        raise ValueError(f"PORCH_{key} must be true or false, not {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"PORCH_{key} must be a whole number, not {raw!r}") from None
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
