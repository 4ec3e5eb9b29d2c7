"""The database going away for real, for the tests of what the service does then.

On PostgreSQL the service reaches the database through a TCP relay that the test cuts
(every connection closed, new ones turned away) and restores. On SQLite the realistic
hiccup is another program holding the file's lock.
"""

import sqlite3

from sqlalchemy.engine import make_url

from .server_support import TcpForwarder


class SqliteLock:
    """Another connection holding the SQLite file, as a long write or a backup would."""

    def __init__(self, path: str):
        self._path = path
        self._holder: sqlite3.Connection | None = None

    def cut(self) -> None:
        self._holder = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        self._holder.execute("BEGIN EXCLUSIVE")

    def restore(self) -> None:
        if self._holder is not None:
            self._holder.execute("ROLLBACK")
            self._holder.close()
            self._holder = None

    def close(self) -> None:
        self.restore()


def breakable(database_url: str) -> tuple[SqliteLock | TcpForwarder, str]:
    """A way to take this database away and give it back, and the URL to reach it by so
    that taking it away works; ``close()`` it after the test."""
    if database_url.startswith("sqlite"):
        return SqliteLock(make_url(database_url).database), database_url
    direct = make_url(database_url)
    relay = TcpForwarder(direct.host, direct.port)
    return relay, direct.set(host="127.0.0.1", port=relay.port).render_as_string(False)
