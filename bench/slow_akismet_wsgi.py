"""The service for bench/slow_akismet.py: Akismet's requests go to the local Akismet."""

import os

from comments_service import create_app
from tests.akismet_server import RedirectToLocal

app = create_app({"AKISMET_TRANSPORT": RedirectToLocal(int(os.environ["BENCH_AKISMET_PORT"]))})
