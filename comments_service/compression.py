"""Gzip for JSON and HTML answers, where no proxy in front compresses them.

Threads come gzipped from their cache (api/reading.py); this compresses the rest once
they are made: API answers, the moderation and readers' pages. PORCH_COMPRESS=false
leaves it to the proxy.
"""

import gzip

from flask import current_app, request

COMPRESSED_TYPES = frozenset({"application/json", "text/html"})
# Below this a gzip header and checksum save little or nothing.
MIN_BYTES = 500
LEVEL = 6


def gzip_response(response):
    """Gzip a finished answer when the client takes gzip and it is worth it."""
    if not current_app.config["PORCH_COMPRESS"] or "Content-Encoding" in response.headers:
        return response  # threads come gzipped, and vary already
    if response.mimetype not in COMPRESSED_TYPES:
        return response
    if response.direct_passthrough or response.is_streamed:
        return response
    response.vary.add("Accept-Encoding")
    if request.accept_encodings["gzip"] <= 0:
        return response
    body = response.get_data()
    if len(body) < MIN_BYTES or not 200 <= response.status_code < 300:
        return response
    response.set_data(gzip.compress(body, LEVEL, mtime=0))
    response.content_encoding = "gzip"
    etag, weak = response.get_etag()
    if etag and not weak:
        response.set_etag(etag, weak=True)  # the same content, other bytes
    return response
