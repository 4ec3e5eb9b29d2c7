"""The service as the benchmark runs it: rate limits off; Akismet, when asked for, local.

Settings come from the PORCH_* environment; BENCH_AKISMET_PORT sends Akismet's
requests to the local stand-in of tests/akismet_server.py.
"""

import os

from comments_service import create_app
from tests.akismet_server import RedirectToLocal

overrides = {"RATELIMIT_ENABLED": False}
if port := os.environ.get("BENCH_AKISMET_PORT"):
    overrides["AKISMET_TRANSPORT"] = RedirectToLocal(int(port))
app = create_app(overrides)
