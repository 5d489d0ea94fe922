"""Where a page may send someone after sign-in: a path on this same server, or the fallback.

A ``next=`` value comes from the address bar, so anyone can write one. Browsers are
generous with what they take as another host: they drop tabs and newlines anywhere in a
URL (``/\\t/evil.example/`` becomes ``//evil.example/``), strip leading spaces and
control characters, read ``\\`` as ``/``, and follow ``//host`` and ``scheme:``. Rather
than list what is dangerous, the kit and the hub accept only what is plainly a local
path: printable ASCII without a backslash, one leading ``/`` not followed by another,
and no scheme or host when parsed.
"""

from urllib.parse import urlsplit

MAX_LENGTH = 2048


def local_path(target, fallback):
    """Return `target` if it is a path on this server, else `fallback` (no open redirect)."""
    if not isinstance(target, str) or not target or len(target) > MAX_LENGTH:
        return fallback
    if any(not 0x21 <= ord(c) <= 0x7E for c in target) or "\\" in target:
        return fallback  # controls, spaces, DEL and non-ASCII: browsers strip or rewrite them
    if not target.startswith("/") or target.startswith("//"):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target
