"""Isso 0.14 itself, run as a local server on a temporary SQLite database.

Bound to 127.0.0.1 on a free port; every wait is bounded.
"""

import subprocess
import time
from pathlib import Path

import httpx

from .browser_support import BIN, free_port, stop_process

BLOG = "http://blog.test"


class Isso:
    """``isso run`` with a config that points at ``database``; comments go in through its API."""

    def __init__(self, folder: Path, database: Path, moderated: bool = False):
        self.port = free_port()
        self.config = folder / f"isso-{self.port}.cfg"
        self.config.write_text(
            f"[general]\ndbpath = {database}\nhost = {BLOG}/\n"
            f"[server]\nlisten = http://127.0.0.1:{self.port}/\n"
            f"[moderation]\nenabled = {str(moderated).lower()}\n"
            "[guard]\nenabled = false\n"
        )
        self.log_path = folder / f"isso-{self.port}.log"
        self.process = None
        self.client = httpx.Client(
            base_url=f"http://127.0.0.1:{self.port}",
            headers={"Origin": BLOG, "Referer": f"{BLOG}/"},
            timeout=10,
        )

    def __enter__(self) -> "Isso":
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [str(BIN / "isso"), "-c", str(self.config), "run"],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if self.client.get("/info").status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError(f"Isso did not start: {self.log_path.read_text()}")

    def __exit__(self, *exc) -> None:
        self.client.close()
        stop_process(self.process)

    def post(self, uri: str, text: str, author: str | None = None, **fields) -> dict:
        """Write a comment as a reader's browser would; Isso's cookie lets it be deleted."""
        body = {"text": text, "author": author, "title": uri, **fields}
        response = self.client.post("/new", params={"uri": uri}, json=body)
        assert response.status_code in (201, 202), response.text
        return response.json()

    def delete(self, comment_id: int) -> None:
        response = self.client.delete(f"/id/{comment_id}")
        assert response.status_code == 200, response.text
