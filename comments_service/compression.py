"""Gzip for JSON and HTML answers, where no proxy in front compresses them (Flask-Compress).

Threads come gzipped from their cache (api/reading.py); Flask-Compress compresses the
rest once they are made: API answers, the moderation and readers' pages. A gzipped
answer's strong ETag gains ``:gzip`` (its bytes differ) and is still answered with a
304. PORCH_COMPRESS=false leaves it to the proxy.
"""

from flask import Flask, request
from flask_compress import Compress

SETTINGS = {
    "COMPRESS_MIMETYPES": ["application/json", "text/html"],
    # gzip alone: what every client takes, and what the thread cache keeps.
    "COMPRESS_ALGORITHM": ["gzip"],
    "COMPRESS_LEVEL": 6,
    # Below this a gzip header and checksum save little or nothing.
    "COMPRESS_MIN_SIZE": 500,
    # Streamed answers (exports, files) go out as they are made.
    "COMPRESS_STREAMS": False,
    # Registered by init_compression, in its place among the after_request hooks.
    "COMPRESS_REGISTER": False,
}


def init_compression(app: Flask) -> None:
    """Gzip answers after the hooks registered later have run (they run first)."""
    if not app.config["PORCH_COMPRESS"]:
        return
    app.config.from_mapping(SETTINGS)
    compress = Compress(app)

    def gzip_when_taken(response):
        # Flask-Compress 1.25 reads "gzip;q=0" as a yes; Werkzeug reads it as the no it is.
        if request.accept_encodings["gzip"] <= 0:
            response.vary.add("Accept-Encoding")
            return response
        return compress.after_request(response)

    app.after_request(gzip_when_taken)
