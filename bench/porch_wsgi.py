"""The service as the benchmark runs it: rate limits off; Akismet, when asked for, local.

Settings come from the PORCH_* environment; BENCH_AKISMET_PORT sends Akismet's
requests to the local stand-in of tests/akismet_server.py, keeping connections open as
the service does to Akismet; BENCH_REPLAY_THREADS=false sends every thread read
through Flask (PORCH_REPLAY_THREADS=false), for comparison.
"""

import os

from comments_service import create_app
from comments_service.services.spam.akismet import CONNECTIONS
from tests.akismet_server import RedirectToLocal

overrides = {"RATELIMIT_ENABLED": False}
if port := os.environ.get("BENCH_AKISMET_PORT"):
    overrides["AKISMET_TRANSPORT"] = RedirectToLocal(int(port), limits=CONNECTIONS)
if os.environ.get("BENCH_REPLAY_THREADS") == "false":
    overrides["PORCH_REPLAY_THREADS"] = False
app = create_app(overrides)
