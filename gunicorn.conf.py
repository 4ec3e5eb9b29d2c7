"""Gunicorn settings for the comment service (docs/operations.md).

    flask db upgrade                           # first: gunicorn serves a migrated database
    gunicorn comments_service.wsgi:app         # from the repository root, or --config this file

Command-line options (``--bind``, ``--workers``, ``--threads``...) and GUNICORN_CMD_ARGS
override what is set here.

Rate-limit counters kept in ``memory://`` (the default PORCH_RATELIMIT_STORAGE_URI)
belong to one process: with four workers each counts on its own, and a limit of 5 lets
about 20 through. So with ``memory://`` the service runs one worker with several
threads, and refuses to start when more workers are asked for. With a shared store
(``redis://host:6379``) workers may be several: ``--workers 4`` or WEB_CONCURRENCY=4.
"""

import os

from comments_service.config import DEFAULTS

# Local only: the TLS-terminating proxy in front forwards to this address.
bind = "127.0.0.1:5000"
# Threads share one process, and so its memory:// rate-limit counters.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
threads = 4
# A request that waits for the database gives up after PORCH_DATABASE_TIMEOUT_SECONDS
# (5 s) and answers 503, well before gunicorn would kill the worker.
timeout = 30
graceful_timeout = 30
keepalive = 5
# X-Forwarded-For/-Proto/-Host are trusted by the service itself, as many proxies deep as
# PORCH_TRUSTED_PROXIES says (1 behind one proxy); gunicorn trusts none of its own accord.
forwarded_allow_ips = ""
accesslog = "-"


def on_starting(server):
    """Refuse to split memory:// rate-limit counters between worker processes."""
    storage = os.environ.get("PORCH_RATELIMIT_STORAGE_URI", DEFAULTS["RATELIMIT_STORAGE_URI"])
    if storage.startswith("memory://") and server.cfg.workers > 1:
        raise RuntimeError(
            f"{server.cfg.workers} workers with PORCH_RATELIMIT_STORAGE_URI={storage} would "
            f"each keep their own rate-limit counters and let {server.cfg.workers} times the "
            "limits through. Run one worker (raise --threads instead), or share the "
            "counters: PORCH_RATELIMIT_STORAGE_URI=redis://host:6379."
        )
