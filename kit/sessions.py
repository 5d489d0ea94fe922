"""The session cookie: Flask's signed cookie, checked once per cookie value, not per request.

Every learner request opens the session: verifying the cookie (base64, an HMAC, JSON with
Flask's tags) was a tenth of a progress request. A cookie whose signature has been
verified once is remembered with its contents, so the same cookie sent again is only
looked up (and its age still checked against the session lifetime). A cookie never seen
is verified as before; a forged one is refused as before. Only sessions holding plain
values (numbers, text) are remembered, so no request can change what another reads.

What this cache remembers is only that a cookie is genuine, never that its session is
still alive, so it cannot keep a session going after sign-out. A session ends on the
server (kit.signins): the cookie names a sign-in row, and the query each learner or
teacher request already makes for its person joins that row, so a sign-out, a new
password or a deactivation is seen by the very next request, in every server process,
at no extra cost; the verified cookie of an ended session is a valid signature that
names nothing.
"""

import threading
import time

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

from .caches import BoundedDict

PLAIN = (str, int, float, bool, type(None))


class KitSessionInterface(SecureCookieSessionInterface):
    """SecureCookieSessionInterface with its serializer made once per key and verified
    cookies remembered (bounded)."""

    def __init__(self):
        self._made = (None, None)
        self._verified = BoundedDict(4096)  # cookie value -> (signed at, epoch s; data)
        self._lock = threading.Lock()

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        made_for, serializer = self._made
        if made_for != keys:
            serializer = super().get_signing_serializer(app)
            with self._lock:
                self._made = (keys, serializer)
                self._verified.clear()  # verified under another key
        return serializer

    def open_session(self, app, request):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        known = self._verified.get(value)
        if known is not None and time.time() - known[0] <= max_age:
            return self.session_class(known[1])
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if isinstance(data, dict) and all(isinstance(v, PLAIN) for v in data.values()):
            self._verified.put(value, (signed_at.timestamp(), dict(data)))
        return self.session_class(data)
