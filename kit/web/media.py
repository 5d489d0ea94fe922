"""Serve pack files to tablets: right types, HTTP ranges for seeking, cached by content hash.

URLs carry the pack version, so a file's URL never changes meaning and can be cached
for a year. After an upgrade the previous version's folder is kept; if even that is
gone, the request is redirected to the same file in the current version.
"""

import mimetypes
from pathlib import Path

from flask import Blueprint, abort, redirect, send_file

from ..models import Pack
from ..packs.lessons import folder_manifest, folder_path, media_url

bp = Blueprint("media", __name__)

TYPES = {
    ".vtt": "text/vtt",
    ".webm": "video/webm",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".oga": "audio/ogg",
    ".ogv": "video/ogg",
    ".svg": "image/svg+xml",
    ".m4a": "audio/mp4",
    ".mp4": "video/mp4",
    ".mp3": "audio/mpeg",
    ".webp": "image/webp",
    ".md": "text/plain",
    ".yaml": "text/plain",
    ".txt": "text/plain",
}
# A pack file is content, never a page: no scripts, no plugins, even if opened directly.
SANDBOX = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox"


@bp.get("/media/<pack_id>/<version>/<path:path>")
def pack_file(pack_id, version, path):
    folder = Path(folder_path(f"{pack_id}@{version}"))
    try:
        files = folder_manifest(str(folder))
    except FileNotFoundError:  # an older version, pruned since the page was rendered
        files = None
    if files is None:
        current = Pack.get_or_none(Pack.pack_id == pack_id)
        if current is None or path not in folder_manifest(folder_path(current.folder)):
            abort(404)
        return redirect(media_url(pack_id, current.version, path), code=302)
    if path not in files:  # only files the manifest lists: never pack.yaml's neighbours by accident
        abort(404)
    suffix = Path(path).suffix.lower()
    mimetype = TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"
    if suffix in (".md", ".yaml") or path == "manifest.json":
        abort(404)  # sources and quiz answers are read by the kit, not by tablets
    response = send_file(
        folder / path, mimetype=mimetype, conditional=True, etag=files[path], max_age=31536000
    )
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.headers["Content-Security-Policy"] = SANDBOX
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
