"""Gunicorn settings for the comment service (docs/deploy.md, "Serving in production").

    invoke serve                               # flask db upgrade, then gunicorn with this file
    gunicorn comments_service.wsgi:app         # from the repository root, or --config this file

Each value below can be changed in the environment (the name beside it); options on
the command line and in GUNICORN_CMD_ARGS win over both.

Rate-limit counters kept in ``memory://`` (the default PORCH_RATELIMIT_STORAGE_URI)
belong to one process: with four workers each counts on its own, and a limit of 5 lets
about 20 through. So with ``memory://`` the service runs one worker with several
threads, and refuses to start when more workers are asked for. With a shared store
(``redis://host:6379``) workers may be several: ``--workers 4`` or WEB_CONCURRENCY=4.
"""

import os

from gunicorn.glogging import Logger

from comments_service.config import DEFAULTS
from comments_service.log_secrets import MASK_SECRETS, mask_secrets


def _number(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {os.environ[name]!r}") from None


# Local only: the TLS-terminating proxy in front forwards to this address.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:5000")
# Threads share one process, and so its memory:// rate-limit counters and its cache of
# threads. A thread waiting for the database or Akismet leaves the others working.
worker_class = "gthread"
workers = _number("WEB_CONCURRENCY", 1)
# A new comment waits for Akismet (about 200 ms) holding a thread but no database
# connection and little CPU: each thread posts at most 5 comments a second, so a worker
# needs many. Sizing and its measurement: docs/deploy.md, "Threads, workers, connections".
threads = _number("GUNICORN_THREADS", 24)
# Connections a worker takes at once: by default its threads and half as many again
# (on_starting), unless set here or with --worker-connections.
if "GUNICORN_WORKER_CONNECTIONS" in os.environ:
    worker_connections = _number("GUNICORN_WORKER_CONNECTIONS", 0)
# A request that waits for the database gives up after PORCH_DATABASE_TIMEOUT_SECONDS
# (5 s) and answers 503, well before gunicorn would kill the worker.
timeout = _number("GUNICORN_TIMEOUT", 30)
graceful_timeout = _number("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Idle keep-alive connections from the proxy; longer than the proxy's own idle timeout
# would only hold threads.
keepalive = _number("GUNICORN_KEEPALIVE", 5)
# X-Forwarded-For/-Proto/-Host are trusted by the service itself, as many proxies deep as
# PORCH_TRUSTED_PROXIES says (1 behind one proxy); gunicorn trusts none of its own accord.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "")
# "-": standard output (journald, docker logs); a path writes there; empty: no access log.
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
# The proxy's address, then the reader's as the proxy says; the time taken in microseconds.
access_log_format = os.environ.get(
    "GUNICORN_ACCESS_LOG_FORMAT",
    '%(h)s "%({x-forwarded-for}i)s" %(t)s "%(r)s" %(s)s %(b)s %(D)sus "%(a)s"',
)


class SecretMaskingLogger(Logger):
    """Gunicorn's logger with readers' links, feed secrets and readers' keys masked in
    everything a log format can print: the request line, the path and query, the
    headers (a Referer), the environ, and the error log's "Error handling request"."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        self.error_log.addFilter(MASK_SECRETS)

    def atoms(self, resp, req, environ, request_time) -> dict:
        found = super().atoms(resp, req, environ, request_time)
        return {
            name: mask_secrets(value) if isinstance(value, str) else value
            for name, value in found.items()
        }


# The log formats above print the request line, which for a reader's link or a private
# feed holds its secret: the logger writes it as *** (comments_service/log_secrets.py).
logger_class = SecretMaskingLogger


def post_fork(server, worker):
    """One database connection per thread, unless PORCH_DATABASE_POOL_SIZE says otherwise:
    read in the worker, before it loads the app, so --threads on the command line counts."""
    os.environ.setdefault("PORCH_DATABASE_POOL_SIZE", str(server.cfg.threads))


def on_starting(server):
    _connections_for_threads(server.cfg)
    _refuse_split_rate_limits(server.cfg)


def _connections_for_threads(cfg) -> None:
    """Unless set, a worker takes its threads and half as many again in connections
    (idle keep-alive ones among them), not gunicorn's 1,000: the rest wait in the listen
    queue for whichever worker has room. With 1,000, one worker can take most of the
    connections and queue them behind its busy threads while another's sit idle. A
    client that keeps more connections open than all workers take leaves the extra ones
    waiting until one closes: the documented proxy opens one per request.

    From the final thread count, so --threads on the command line counts; one thread
    still gets a connection kept alive."""
    if cfg.worker_connections == cfg.settings["worker_connections"].default:
        cfg.set("worker_connections", cfg.threads + max(cfg.threads // 2, 1))


def _refuse_split_rate_limits(cfg) -> None:
    """Refuse to split memory:// rate-limit counters between worker processes."""
    storage = os.environ.get("PORCH_RATELIMIT_STORAGE_URI", DEFAULTS["RATELIMIT_STORAGE_URI"])
    if storage.startswith("memory://") and cfg.workers > 1:
        raise RuntimeError(
            f"{cfg.workers} workers with PORCH_RATELIMIT_STORAGE_URI={storage} would "
            f"each keep their own rate-limit counters and let {cfg.workers} times the "
            "limits through. Run one worker (raise --threads instead), or share the "
            "counters: PORCH_RATELIMIT_STORAGE_URI=redis://host:6379."
        )
