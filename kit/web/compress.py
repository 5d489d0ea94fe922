"""Gzip text responses for browsers that ask for it: pages, CSS, JavaScript, JSON, SVG.

Old tablets on a busy Wi-Fi benefit more from fewer bytes than the Pi loses in CPU.
Partial (206) and already-encoded responses, and tiny ones, go out as they are.
"""

import gzip

from flask import request

TYPES = {"text/html", "text/css", "text/plain", "text/vtt", "application/javascript",
         "text/javascript", "application/json", "image/svg+xml"}
MIN_BYTES = 500
MAX_BYTES = 4 * 1024 * 1024  # bigger files are streamed as they are


def _wants_gzip():
    return "gzip" in request.headers.get("Accept-Encoding", "").lower()


def compress(response):
    """Return the response gzipped when worth it and the client accepts gzip."""
    response.vary.add("Accept-Encoding")
    if (response.status_code != 200 or response.mimetype not in TYPES
            or "Content-Encoding" in response.headers or not _wants_gzip()
            or request.method == "HEAD"):
        return response
    length = response.content_length
    if length is not None and not MIN_BYTES <= length <= MAX_BYTES:
        return response
    response.direct_passthrough = False
    data = response.get_data()
    if len(data) < MIN_BYTES:
        return response
    response.set_data(gzip.compress(data, compresslevel=6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    response.headers.pop("Accept-Ranges", None)
    if response.headers.get("ETag"):
        tag, weak = response.get_etag()
        response.set_etag(tag + "-gz", weak=weak)
    return response


def init_app(app):
    app.after_request(compress)
