"""Gzip text responses for browsers that ask for it: pages, CSS, JavaScript, JSON, SVG.

Old tablets on a busy Wi-Fi benefit more from fewer bytes than the Pi loses in CPU.
Partial (206) and already-encoded responses, and tiny ones, go out as they are.
Pages made per request are compressed fast (level 1: half the CPU of level 6 for ~10 %
more bytes on a lesson page); files with an ETag (the same bytes for every tablet of the
class) are compressed well once and kept, up to CACHE_BYTES of compressed data in each
worker process (the oldest entry leaves first).
"""

import zlib

from flask import request

from ..caches import BytesBoundedDict

TYPES = {
    "text/html",
    "text/css",
    "text/plain",
    "text/vtt",
    "application/javascript",
    "text/javascript",
    "application/json",
    "image/svg+xml",
}
MIN_BYTES = 500
MAX_BYTES = 4 * 1024 * 1024  # bigger files are streamed as they are
CACHE_BYTES = 2 * 1024 * 1024  # a class's static files and pack media texts fit many times
_cache = BytesBoundedDict(CACHE_BYTES)  # (path, ETag) -> gzipped bytes


def _wants_gzip():
    return "gzip" in request.headers.get("Accept-Encoding", "").lower()


def compress(response):
    """Return the response gzipped when worth it and the client accepts gzip."""
    headers = response.headers
    vary = headers.get("Vary")  # set by hand: response.vary parses and rewrites the header
    if not vary:
        headers["Vary"] = "Accept-Encoding"
    elif "accept-encoding" not in vary.lower():
        headers["Vary"] = vary + ", Accept-Encoding"
    length = response.content_length  # cheapest test first: most API answers are tiny
    if length is not None and not MIN_BYTES <= length <= MAX_BYTES:
        return response
    if (
        response.status_code != 200
        or response.mimetype not in TYPES
        or "Content-Encoding" in headers
        or not _wants_gzip()
        or request.method == "HEAD"
    ):
        return response
    etag = headers.get("ETag")
    key = (request.path, etag)
    packed = _cache.get(key) if etag else None
    if packed is None:
        response.direct_passthrough = False
        data = response.get_data()
        if len(data) < MIN_BYTES:
            return response
        packed = _gzip(data, 6 if etag else 1)
        if etag:
            _cache.put(key, packed)
    else:
        response.close()  # the file it would have streamed
    response.set_data(packed)
    headers["Content-Encoding"] = "gzip"
    headers.pop("Accept-Ranges", None)
    if etag:
        tag, weak = response.get_etag()
        response.set_etag(tag + "-gz", weak=weak)
    return response


def _gzip(data, level):
    """Return data as a gzip member (no file name, time 0: the same bytes every time)."""
    packer = zlib.compressobj(level, zlib.DEFLATED, 31)
    return packer.compress(data) + packer.flush()


def init_app(app):
    app.after_request(compress)
