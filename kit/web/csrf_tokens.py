"""CSRF tokens for pages, signed at most once a minute per session instead of per page.

Flask-WTF signs the session's raw token with a timestamp on every page that has a form
(an HMAC and a zlib attempt each time: a twentieth of a lesson page). A token signed
within the last minute for the same session and key is just as valid (the check is
unchanged: Flask-WTF still verifies the signature and its age on every POST), so pages
reuse it; a token's useful life is at most a minute shorter than WTF_CSRF_TIME_LIMIT.
"""

import time

from flask import current_app, g, session
from flask_wtf.csrf import generate_csrf

from ..caches import BoundedDict

REUSE_S = 60
_signed = BoundedDict(4096)  # (signing key, raw token) -> (when signed, signed token)


def csrf_token():
    """Return this session's signed CSRF token, as flask_wtf.csrf.generate_csrf does."""
    config = current_app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    raw = session.get(field)
    if raw is None or field in g:
        return generate_csrf()  # a fresh session (it makes the raw token), or already made
    key = (config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key, raw)
    now = time.monotonic()
    found = _signed.get(key)
    if found is not None and 0 <= now - found[0] < REUSE_S:  # its age, not a clock minute: two
        setattr(g, field, found[1])  # pages a moment apart across a minute's edge share it
        return found[1]
    token = generate_csrf()
    _signed.put(key, (now, token))
    return token


def init_app(app):
    """Templates' csrf_token() is this one (registered after Flask-WTF's, so it wins)."""
    app.context_processor(lambda: {"csrf_token": csrf_token})
