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
    if field in g:
        return generate_csrf()  # already signed for this request
    secret = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    now = time.monotonic()
    found = _signed.get((secret, session.get(field)))
    if found is not None and 0 <= now - found[0] < REUSE_S:  # its age, not a clock minute: two
        setattr(g, field, found[1])  # pages a moment apart across a minute's edge share it
        return found[1]
    token = generate_csrf()  # makes the session's raw token first if it has none yet
    # Kept under the raw token it was made for, including one made just now: the first
    # page after signing in (a new session) then shares its token with the next page.
    _signed.put((secret, session.get(field)), (now, token))
    return token


def init_app(app):
    """Templates' csrf_token() is this one (registered after Flask-WTF's, so it wins)."""
    app.context_processor(lambda: {"csrf_token": csrf_token})
