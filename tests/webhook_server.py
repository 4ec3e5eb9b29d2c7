"""A local server that takes chat messages as Apprise's plain JSON webhook sends them.

``json://127.0.0.1:<port>/<path>`` makes Apprise POST ``{"title", "message", "type",
"version"}`` here. The server binds 127.0.0.1 only, records every message it is sent
and answers with the status a test sets (200 by default, 500 for a broken service).
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class WebhookServer:
    def __init__(self):
        self.status = 200
        self.received: list[tuple[str, dict]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()

    def url(self, path: str = "team") -> str:
        """The Apprise URL of one channel on this server."""
        return f"json://127.0.0.1:{self.port}/{path}"

    def messages(self, path: str = "team") -> list[dict]:
        with self._lock:
            return [body for sent, body in self.received if sent == f"/{path}"]

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length))
                with server._lock:
                    server.received.append((self.path, body))
                    status = server.status
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                """Keep request lines out of the test output."""

        return Handler
