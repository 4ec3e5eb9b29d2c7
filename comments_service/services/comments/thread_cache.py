"""Serialised threads kept in this process, keyed by what makes them differ.

A thread's JSON depends on its post, the post's comments version (raised in the same
transaction as every change readers can see: services/comments/freshness.py), the page asked
for, the page size and the post's title. So a read looks up those (one indexed query
by slug), and a body made for the same key is the same body: each host may keep its
own cache and never serve a stale thread, because the version comes from the
database on every read.

The cache is bounded by the bytes it holds and forgets the least recently used
thread first; it is shared by the threads of one worker process.
"""

import gzip
import hashlib
import json
import threading
from dataclasses import dataclass
from operator import attrgetter

from cachetools import LRUCache

# Fast to make, and about as small as the slowest level for JSON this repetitive.
GZIP_LEVEL = 6


@dataclass(frozen=True)
class ThreadKey:
    post_id: int
    version: int
    page: int | None  # None: the whole thread, as re-bakers read it
    per_page: int
    title: str

    @property
    def etag(self) -> str:
        """A strong validator of this body: it changes whenever the key does."""
        title = hashlib.blake2b(self.title.encode(), digest_size=4).hexdigest()
        page = "all" if self.page is None else f"{self.page}of{self.per_page}"
        return f"thread-{self.post_id}-v{self.version}-{page}-{title}"


@dataclass(frozen=True)
class CachedThread:
    """One thread's JSON, and the same bytes gzipped for clients that take them."""

    body: bytes
    gzipped: bytes

    @classmethod
    def of(cls, document: dict) -> "CachedThread":
        compact = {"ensure_ascii": False, "sort_keys": True, "separators": (",", ":")}
        body = json.dumps(document, **compact).encode()
        return cls(body, gzip.compress(body, GZIP_LEVEL, mtime=0))

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped)


class ThreadCache:
    """Least recently used threads, at most ``max_bytes`` of them, safe across threads.

    Entries are anything with a ``size`` in bytes: serialised threads here, whole
    answers in front of Flask (comments_service/replay.py). cachetools' LRU cache
    counts and evicts; it is not safe across threads by itself, so one lock guards it
    (a read moves its entry to the front, so reads write too).
    """

    def __init__(self, max_bytes: int):
        self._entries: LRUCache = LRUCache(maxsize=max_bytes, getsizeof=attrgetter("size"))
        self._lock = threading.Lock()

    @property
    def max_bytes(self) -> int:
        return self._entries.maxsize

    @property
    def held_bytes(self) -> int:
        return self._entries.currsize

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: ThreadKey) -> CachedThread | None:
        with self._lock:
            return self._entries.get(key)

    def put(self, key: ThreadKey, entry: CachedThread) -> None:
        """Keep ``entry``, forgetting the oldest until it fits; one too big is not kept."""
        if entry.size > self.max_bytes:
            return
        with self._lock:
            self._entries[key] = entry
