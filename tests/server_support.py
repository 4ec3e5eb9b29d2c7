"""Real local servers for outage and load tests: a cuttable TCP relay, and gunicorn.

Both bind 127.0.0.1 only, and every wait here is bounded.
"""

import json
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from .browser_support import BIN, ROOT, free_port, stop_process

GUNICORN_CONF = ROOT / "gunicorn.conf.py"


class TcpForwarder:
    """Relays 127.0.0.1:<port> to a target, like a network path to the database.

    ``cut()`` closes every relayed connection and turns new ones away, as a database
    restart or a network failure does; ``restore()`` lets connections through again.
    """

    def __init__(self, target_host: str, target_port: int):
        self._target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)  # so the accept loop notices close()
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._open = True
        self._closed = False
        self._relayed: set[socket.socket] = set()
        self._thread = threading.Thread(target=self._accept, name="forwarder", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                upstream = self._open and _connect(self._target)
                if not upstream:
                    client.close()
                    continue
                client.settimeout(None)
                self._relayed |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            self._drop(source, sink)

    def _drop(self, *sockets: socket.socket) -> None:
        with self._lock:
            for sock in sockets:
                self._relayed.discard(sock)
                _hang_up(sock)

    def cut(self) -> None:
        with self._lock:
            self._open = False
            for sock in self._relayed:
                _hang_up(sock)
            self._relayed.clear()

    def restore(self) -> None:
        with self._lock:
            self._open = True

    def close(self) -> None:
        self.cut()
        self._closed = True
        self._thread.join(timeout=5)
        self._listener.close()


def _connect(target: tuple[str, int]) -> socket.socket | None:
    try:
        upstream = socket.create_connection(target, timeout=5)
    except OSError:
        return None
    upstream.settimeout(None)  # idle pooled connections may wait for long
    return upstream


def _hang_up(sock: socket.socket) -> None:
    """Shut down first: that wakes a thread blocked in recv(), close() alone would not."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


class Gunicorn:
    """The service as operators run it: gunicorn with the repository's gunicorn.conf.py."""

    def __init__(self, env: dict, log_path: Path, *options: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.command = [
            str(BIN / "gunicorn"),
            "--config",
            str(GUNICORN_CONF),
            "--bind",
            f"127.0.0.1:{self.port}",
            *options,
            "comments_service.wsgi:app",
        ]
        self._env = env
        self._log_path = log_path
        self._process: subprocess.Popen | None = None

    def start(self, within: float = 15) -> "Gunicorn":
        """Start and return once /healthz answers 200; fail with the log otherwise."""
        with open(self._log_path, "wb") as log:
            self._process = subprocess.Popen(
                self.command, cwd=ROOT, env=self._env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise AssertionError(f"gunicorn exited early:\n{self.log()}")
            if request(f"{self.url}/healthz")[0] == 200:
                return self
            time.sleep(0.1)
        self.stop()
        raise AssertionError(f"gunicorn did not answer /healthz in time:\n{self.log()}")

    def log(self) -> str:
        return self._log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        stop_process(self._process)


def request(url: str, body: dict | None = None, headers: dict | None = None):
    """(status, headers, JSON body or None); 0 when nothing answered, never raises for HTTP."""
    data = None if body is None else json.dumps(body).encode()
    sent = {"Accept": "application/json", **(headers or {})}
    if data is not None:
        sent["Content-Type"] = "application/json"
    call = urllib.request.Request(url, data=data, headers=sent)
    try:
        with urllib.request.urlopen(call, timeout=10) as response:
            return response.status, response.headers, _json(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers, _json(error.read())
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, {}, None


def _json(raw: bytes):
    try:
        return json.loads(raw)
    except ValueError:
        return None
