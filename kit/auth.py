"""Teachers' and admins' accounts: hashed passwords, a sign-in rate limit, role decorators.

Passwords are hashed with werkzeug's scrypt and a random salt, at N=2^14, r=8, p=5: one
of OWASP's equivalent minimum settings (werkzeug's default, N=2^15 and p=1, is below
them) that needs 16 MB per hash instead of 32 MB, which matters on a 1 GB Pi. Hashes
made with other settings still check, and are re-made at the next good sign-in.

Failed sign-ins are counted per (user name, address) in memory over ``login_window_s``;
after ``login_attempts`` failures that pair is refused, even with the right password,
until the window has passed. The kit runs as one waitress process, so an in-process
counter sees every attempt; a restart forgets them, which only an admin can do.

A teacher's session holds ``session["user_id"]``; a learner's holds only
``session["learner_id"]``, which these decorators never accept.
"""

import functools
import logging
import re
import threading
import time

from flask import (
    current_app, g, has_app_context, jsonify, redirect, request, session, url_for,
)
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from .db import write
from .errors import Conflict, Forbidden, KitError, NotFound, TooManyRequests, Unauthorized
from .models import User

logger = logging.getLogger(__name__)

ROLES = ("teacher", "admin")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
MIN_PASSWORD = 8


HASH_METHOD = "scrypt:16384:8:5"
# Each hash takes 16 MB. One at a time, so a burst of sign-ins (a school's teachers at
# 8:00, or someone hammering the form) adds 16 MB, not 16 MB each; `kit serve` has glibc
# give such blocks back when freed (kit/server.py). hashlib lets other requests run.
_one_hash_at_a_time = threading.Lock()


@functools.lru_cache(maxsize=1)
def _dummy_hash():
    """A hash checked when the user name is unknown, so a wrong name costs as much time as
    a wrong password. Made on first use: scrypt at import added ~0.2 s to every start."""
    return hash_password("not-a-real-password")


def hash_password(password):
    """Return a salted hash of `password` in werkzeug's format."""
    with _one_hash_at_a_time:
        return generate_password_hash(password, method=HASH_METHOD)


def check_password(stored_hash, password):
    """True when `password` matches the stored hash."""
    if not stored_hash:
        return False
    with _one_hash_at_a_time:
        return check_password_hash(stored_hash, password)


def validate_username(username):
    """Return the user name in canonical form (lower case) or raise KitError saying why."""
    name = (username or "").strip().lower()
    if not USERNAME.match(name):
        raise KitError(_(
            "a user name is 2 to 32 characters: lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"))
    return name


def validate_password(password):
    """Raise KitError unless the password is long enough to resist guessing."""
    if not password or len(password) < MIN_PASSWORD:
        raise KitError(_("a password needs at least %(n)s characters", n=MIN_PASSWORD))
    return password


def create_user(username, role, password, display_name=""):
    """Add a teacher or an admin; refuse a taken user name or a weak password."""
    name = validate_username(username)
    if role not in ROLES:
        raise KitError(_("role must be teacher or admin, not '%(role)s'", role=role))
    validate_password(password)
    display = (display_name or "").strip() or name
    with write():
        if User.select().where(User.username == name).exists():
            raise Conflict(_("the user name '%(name)s' is already taken", name=name))
        return User.create(username=name, display_name=display, role=role,
                           password_hash=hash_password(password))


def set_password(user_id, password):
    """Replace a user's password."""
    validate_password(password)
    with write():
        user = get_user(user_id)
        user.password_hash = hash_password(password)
        user.save()
    return user


def get_user(user_id):
    """Return the User with this id or raise NotFound."""
    user = User.get_or_none(User.id == user_id)
    if user is None:
        raise NotFound(_("no such user"))
    return user


def list_users():
    """Return every user, admins first, then by user name."""
    return list(User.select().order_by(User.role, User.username))  # "admin" sorts first


def has_admin():
    """True once the kit has an active admin (until then /admin/setup is open)."""
    return User.select().where((User.role == "admin") & (User.active == True)).exists()  # noqa: E712


class LoginLimiter:
    """Count failed sign-ins per key over a sliding window; thread-safe, bounded memory."""

    MAX_KEYS = 10000

    def __init__(self, attempts, window_s, clock=time.monotonic):
        self.attempts = attempts
        self.window_s = window_s
        self.clock = clock
        self._failures = {}
        self._lock = threading.Lock()

    def _recent(self, key, now):
        times = [t for t in self._failures.get(key, ()) if now - t < self.window_s]
        if times:
            self._failures[key] = times
        else:
            self._failures.pop(key, None)
        return times

    def retry_after(self, key):
        """Seconds until `key` may try again, or 0 when it is not blocked."""
        with self._lock:
            now = self.clock()
            times = self._recent(key, now)
            if len(times) < self.attempts:
                return 0
            return max(1, int(self.window_s - (now - times[0])) + 1)

    def fail(self, key):
        """Record one failed attempt for `key`."""
        with self._lock:
            now = self.clock()
            if len(self._failures) >= self.MAX_KEYS:
                for old in [k for k in self._failures if not self._recent(k, now)]:
                    self._failures.pop(old, None)
            self._failures.setdefault(key, []).append(now)
            self._failures[key] = self._failures[key][-self.attempts:]

    def clear(self, key):
        with self._lock:
            self._failures.pop(key, None)


_process_limiter = []


def limiter(app=None):
    """Return the app's LoginLimiter, made from its settings on first use.

    Outside a Flask app (a script or a CLI command checking a password) one limiter per
    process with the default settings is used, so authenticate() works there too.
    """
    if app is None and not has_app_context():
        if not _process_limiter:
            from .settings import BY_NAME

            _process_limiter.append(LoginLimiter(BY_NAME["login_attempts"].default,
                                                 BY_NAME["login_window_s"].default))
        return _process_limiter[0]
    app = app or current_app
    found = app.extensions.get("kit_login_limiter")
    if found is None:
        kit = app.config["KIT"]
        found = LoginLimiter(kit["login_attempts"], kit["login_window_s"])
        app.extensions["kit_login_limiter"] = found
    return found


def authenticate(username, password, address):
    """Return the active User for these credentials, or raise Unauthorized/TooManyRequests."""
    name = (username or "").strip().lower()
    key = (name, address or "")
    limit = limiter()
    wait = limit.retry_after(key)
    if wait:
        raise TooManyRequests(
            _("too many failed sign-ins: wait %(n)s seconds and try again", n=wait),
            retry_after=wait)
    user = User.get_or_none(User.username == name) if name else None
    good = check_password(user.password_hash if user else _dummy_hash(), password or "")
    if user is None or not good or not user.active:
        limit.fail(key)
        logger.warning("failed sign-in for %r from %s", name, address)
        raise Unauthorized(_("wrong user name or password"))
    limit.clear(key)
    if not user.password_hash.startswith(HASH_METHOD + "$"):
        with write():  # made with older settings: re-make it while we know the password
            User.update(password_hash=hash_password(password)).where(User.id == user.id).execute()
    return user


def sign_in(user):
    """Start a fresh teacher session for `user` (drops any learner session on this browser)."""
    language = session.get("lang")
    session.clear()
    session["user_id"] = user.id
    if user.language or language:
        session["lang"] = user.language or language


def sign_out():
    session.pop("user_id", None)


def current_user():
    """Return the signed-in active User for this request, or None (learners are never users)."""
    if "kit_user" in g:
        return g.kit_user
    user = None
    user_id = session.get("user_id")
    if isinstance(user_id, int):
        user = User.get_or_none((User.id == user_id) & (User.active == True))  # noqa: E712
    g.kit_user = user
    if user is not None and user.language:
        g.language = user.language
    return user


def _refuse(status, message):
    """Answer a refused request: JSON for .json/API callers, a sign-in redirect or page otherwise."""
    if request.path.endswith(".json") or request.accept_mimetypes.best == "application/json":
        return jsonify({"error": {"code": "unauthorized" if status == 401 else "forbidden",
                                  "message": message}}), status
    if status == 401:
        return redirect(url_for("teach.login", next=request.full_path.rstrip("?")))
    raise Forbidden(message)


def teacher_required(view):
    """Let through a signed-in teacher or admin; send anyone else to the sign-in page."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if current_user() is None:
            return _refuse(401, _("sign in as a teacher to see this page"))
        return view(*args, **kwargs)

    return wrapper


def admin_required(view):
    """Let through a signed-in admin; a teacher gets 403, anyone else the sign-in page."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        user = current_user()
        if user is None:
            return _refuse(401, _("sign in as an admin to see this page"))
        if user.role != "admin":
            return _refuse(403, _("only an admin can open this page"))
        return view(*args, **kwargs)

    return wrapper
