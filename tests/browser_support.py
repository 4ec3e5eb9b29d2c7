"""Real servers for browser tests: the built blog and the comment service on local ports.

Everything here runs the project the way an operator does (the `flask` and `pelican`
commands, a static file server, a separate service process), so a browser test
exercises the same wiring as `make run`, only on free ports inside a temporary folder.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The venv that runs pytest also holds the `flask` and `pelican` commands.
BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
COMMAND_TIMEOUT = 60
# How long a browser test waits for the page (Playwright's timeouts, in milliseconds).
TIMEOUT_MS = 10_000


def free_port() -> int:
    """A port nothing listens on right now (the OS picks it, so parallel runs do not clash)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def clean_environment(**porch_settings: str) -> dict:
    """The caller's environment minus any PORCH_/FLASK_ settings, plus these ones.

    A developer's own PORCH_DATABASE_URL must never point a test at their database.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORCH_", "FLASK_"))}
    env.update({f"PORCH_{key}": value for key, value in porch_settings.items()})
    return env


def run(command: list[str], env: dict, stdin: str | None = None) -> str:
    """Run a project command from the repository root; fail with its output if it fails."""
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
    )
    if result.returncode != 0:
        raise AssertionError(
            f"{' '.join(command)} exited with {result.returncode}\n"
            f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        )
    return result.stdout


def flask(*args: str, env: dict, stdin: str | None = None) -> str:
    return run([str(BIN / "flask"), "--app", "comments_service", *args], env, stdin)


def post_comment(service_url: str, slug: str, origin: str, **fields: str | int) -> dict:
    """Post a comment to the service's JSON API as the blog's page would; return its 201 body.

    Fails with the service's answer if it refuses, so setup problems read clearly.
    """
    request = urllib.request.Request(
        f"{service_url}/api/posts/{slug}/comments",
        data=json.dumps(fields).encode(),
        headers={
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Origin": origin,
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=COMMAND_TIMEOUT) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise AssertionError(f"POST {request.full_url} -> {error.code}: {error.read()!r}") from None


def build_site(output: Path, env: dict, **settings: str) -> str:
    """Build the real sample blog with `pelican`, overriding string settings.

    Pelican reads each ``-e KEY=VALUE`` value as JSON, so strings go in quoted. Unless a
    test names its own comments export, the build reads none: pelicanconf.py's default,
    ``var/comments-export.json`` in the checkout, is what `make run` leaves behind, and
    its comments (numbered by another database) would be baked into the test's pages.
    The build's cache (share images drawn) goes next to the output, not in the checkout.
    """
    settings.setdefault("PORCH_COMMENTS_EXPORT", str(output.parent / "no-comments-export.json"))
    settings.setdefault("CACHE_PATH", str(output.parent / "cache"))
    extra = [f"{key}={json.dumps(value)}" for key, value in settings.items()]
    command = [str(BIN / "pelican"), "content", "-s", "pelicanconf.py", "-o", str(output)]
    return run([*command, "-e", *extra], env)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        """Keep request lines out of the test output."""


class StaticSite:
    """Serve a folder over HTTP from a background thread: a plain static file server."""

    def __init__(self, folder: Path):
        handler = partial(_QuietHandler, directory=str(folder))
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )

    def start(self) -> "StaticSite":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class ServiceProcess:
    """The comment service under `flask run`, its output kept in a log for failures."""

    def __init__(self, port: int, env: dict, log_path: Path):
        self.url = f"http://127.0.0.1:{port}"
        self._command = [
            str(BIN / "flask"),
            "--app",
            "comments_service",
            "run",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-reload",
            "--no-debugger",
        ]
        # Its own pages (the form that keeps a reader's text) post from this origin.
        self._env = {"PORCH_PUBLIC_URL": self.url, **env}
        self._log_path = log_path
        self._process: subprocess.Popen | None = None

    def launch(self) -> "ServiceProcess":
        """Start the process and return at once: it boots while the caller does other work."""
        if self._process is None:
            with open(self._log_path, "wb") as log:
                self._process = subprocess.Popen(
                    self._command, cwd=ROOT, env=self._env, stdout=log, stderr=subprocess.STDOUT
                )
        return self

    def start(self, attempts: int = 100, pause: float = 0.1) -> "ServiceProcess":
        """Start the service (unless launched) and return once /healthz answers ok (about
        10 s at most)."""
        self.launch()
        for _ in range(attempts):
            if self._process.poll() is not None:
                raise AssertionError(f"The service exited early:\n{self.log()}")
            if self._healthy():
                return self
            time.sleep(pause)
        self.stop()
        raise AssertionError(f"The service did not answer /healthz in time:\n{self.log()}")

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def log(self) -> str:
        return self._log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        stop_process(self._process)


def stop_process(process: subprocess.Popen | None, grace: float = 10) -> None:
    """Ask a server process to stop; kill it if it has not stopped within ``grace`` seconds."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
