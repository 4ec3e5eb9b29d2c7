"""A local server that speaks Akismet's REST API, with answers a test scripts.

It binds 127.0.0.1 only and records every request it gets (path and form fields).
The service reaches it through ``RedirectToLocal``, an httpx transport that sends the
library's requests for rest.akismet.com to this server instead: the Akismet library
and httpx run unchanged, over real HTTP.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import httpx

SUBMITTED = "Thanks for making the web a better place."


@dataclass
class Answer:
    """What the server says to one kind of request."""

    body: str
    status: int = 200
    headers: dict = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait first: more than the client's timeout is "slow"


HAM = Answer("false")
SPAM = Answer("true")
DISCARD = Answer("true", headers={"X-akismet-pro-tip": "discard"})
BROKEN = Answer("Internal Server Error", status=500)
RATE_LIMITED = Answer("Too Many Requests", status=429)
INVALID_KEY = Answer("invalid")


class _Server(ThreadingHTTPServer):
    # Akismet takes many connections at once (the bench opens dozens); the standard
    # library's backlog of 5 would drop the rest, for a second's retry each.
    request_queue_size = 128


class FakeAkismet:
    """Akismet on a local port: verify-key, comment-check, submit-spam, submit-ham."""

    def __init__(self, keep_alive: bool = False):
        """``keep_alive``: answer over HTTP/1.1 and keep the connection open for the next
        request, as Akismet does; else HTTP/1.0, a connection per request."""
        self.keep_alive = keep_alive
        self.answers = {
            "/1.1/verify-key": Answer("valid"),
            "/1.1/comment-check": HAM,
            "/1.1/submit-spam": Answer(SUBMITTED),
            "/1.1/submit-ham": Answer(SUBMITTED),
        }
        self.received: list[tuple[str, dict]] = []
        # The client's (address, port) of each request: one per connection it opened.
        self.connections: list[tuple[str, int]] = []
        # Called from the request handler before it answers, while the client waits.
        self.observers: dict[str, Callable[[], None]] = {}
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()

    def answer(self, path: str, answer: Answer) -> None:
        self.answers[f"/1.1/{path}"] = answer

    def while_asked(self, path: str, observe: Callable[[], None]) -> None:
        """Run ``observe`` in the handler of each request to ``path``, before answering."""
        self.observers[f"/1.1/{path}"] = observe

    def requests_to(self, path: str) -> list[dict]:
        with self._lock:
            return [fields for sent, fields in self.received if sent == f"/1.1/{path}"]

    def transport(self, **options) -> "RedirectToLocal":
        """``options``: httpx.HTTPTransport's, such as ``limits``."""
        return RedirectToLocal(self.port, **options)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if fake.keep_alive else "HTTP/1.0"

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                fields = dict(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
                with fake._lock:
                    fake.received.append((self.path, fields))
                    fake.connections.append(self.client_address)
                    answer = fake.answers.get(self.path, Answer("not found", status=404))
                    observe = fake.observers.get(self.path)
                if observe:
                    observe()
                time.sleep(answer.delay)
                try:
                    self._send(answer)
                except OSError:  # the client gave up waiting (a timeout test)
                    pass

            def _send(self, answer: Answer):
                body = answer.body.encode()
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                """Keep request lines out of the test output."""

        return Handler


class RedirectToLocal(httpx.HTTPTransport):
    """Sends every request to 127.0.0.1:port, keeping its path, query and body."""

    def __init__(self, port: int, **options):
        super().__init__(**options)
        self._port = port

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self._port)
        return super().handle_request(request)


class Unreachable(httpx.HTTPTransport):
    """Sends every request to a loopback port nothing listens on: Akismet is down."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=9)
        return super().handle_request(request)
