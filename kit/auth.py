"""Teachers' and admins' accounts: hashed passwords, a sign-in rate limit, role decorators.

Passwords are hashed with werkzeug's scrypt and a random salt, at N=2^14, r=8, p=5: one
of OWASP's equivalent minimum settings (werkzeug's default, N=2^15 and p=1, is below
them) that needs 16 MB per hash instead of 32 MB, which matters on a 1 GB Pi. Hashes
made with other settings still check, and are re-made at the next good sign-in.

Failed sign-ins are counted in the database (kit.ratelimit), so every server process
sees them and a restart forgets none: ``login_attempts`` per (user name, address) and
``login_address_attempts`` per address across every name, within ``login_window_s``;
past either the sign-in is refused, even with the right password, until the window has
moved on. There is no limit per name alone: anyone on the Wi-Fi could then lock the
teachers out.

A teacher's session holds ``session["user_id"]`` and the id of its sign-in row
(kit.signins: sign-out, a new password or deactivation ends it at once; it idles out
after ``session_idle_s``); a learner's holds ``session["learner_id"]``, which these
decorators never accept.
"""

import functools
import logging
import re
import threading
import time

from flask import (
    current_app,
    g,
    has_app_context,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from . import signins
from .db import write
from .errors import Conflict, Forbidden, KitError, NotFound, TooManyRequests, Unauthorized, json_error
from .models import LoginFailure, User, WebSession
from .ratelimit import FailureLog
from .settings import BY_NAME

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
        raise KitError(
            _(
                "a user name is 2 to 32 characters: lower-case letters, digits, '.', '_' or '-', "
                "starting with a letter or digit"
            )
        )
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
        return User.create(
            username=name, display_name=display, role=role, password_hash=hash_password(password)
        )


def set_password(user_id, password, keep_session=None):
    """Replace a user's password and end their sign-ins (except `keep_session`, the
    browser of a user who changes their own)."""
    validate_password(password)
    with write():
        user = get_user(user_id)
        user.password_hash = hash_password(password)
        user.save()
        signins.end_all(user_id=user.id, keep=keep_session)
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


failures = FailureLog(LoginFailure)


def limits():
    """Return (per name and address, per address, window s): the app's, or the registry's
    defaults outside an app (a script or a CLI command checking a password)."""
    kit = (
        current_app.config["KIT"]
        if has_app_context()
        else {name: setting.default for name, setting in BY_NAME.items()}
    )
    return kit["login_attempts"], kit["login_address_attempts"], kit["login_window_s"]


def wait_before_trying(name_key, address_key):
    """Seconds a sign-in must wait (0: it may try now); raise nothing."""
    per_name, per_address, window = limits()
    return max(
        failures.retry_after(name_key, per_name, window),
        failures.retry_after(address_key, per_address, window),
    )


def authenticate(username, password, address):
    """Return the active User for these credentials, or raise Unauthorized/TooManyRequests."""
    name = (username or "").strip().lower()
    key, address_key = f"signin:{name}:{address or ''}", f"signin-from:{address or ''}"
    wait = wait_before_trying(key, address_key)
    if wait:
        raise TooManyRequests(
            _("too many failed sign-ins: wait %(n)s seconds and try again", n=wait), retry_after=wait
        )
    user = User.get_or_none(User.username == name) if name else None
    good = check_password(user.password_hash if user else _dummy_hash(), password or "")
    if user is None or not good or not user.active:
        failures.fail(key, address_key)
        logger.warning("failed sign-in for %r from %s", name, address)
        raise Unauthorized(_("wrong user name or password"))
    failures.clear(key)  # not the address's count: a right password must not buy more guesses
    if not user.password_hash.startswith(HASH_METHOD + "$"):
        with write():  # made with older settings: re-make it while we know the password
            User.update(password_hash=hash_password(password)).where(User.id == user.id).execute()
    return user


def sign_in(user):
    """Start a fresh teacher session for `user` (ends any learner session on this browser)."""
    language = session.get("lang")
    signins.end(session.get("sid"))
    session.clear()
    kit = current_app.config["KIT"]
    session["sid"] = signins.start(
        int(current_app.permanent_session_lifetime.total_seconds()), kit["session_idle_s"], user_id=user.id
    )
    session["user_id"] = user.id
    if user.language or language:
        session["lang"] = user.language or language


def sign_out():
    """End this browser's sign-in: its row goes, so a copy of the cookie is worth nothing."""
    signins.end(session.pop("sid", None))
    session.pop("user_id", None)


def current_user():
    """Return the signed-in active User for this request, or None (learners are never users).

    The user, the sign-in row and its idle time are read in one query (kit.signins)."""
    if "kit_user" in g:
        return g.kit_user
    user = None
    user_id, sid = session.get("user_id"), session.get("sid")
    if isinstance(user_id, int) and isinstance(sid, str):
        idle_s = current_app.config["KIT"]["session_idle_s"]
        user = (
            User.select(User, WebSession.seen_at)
            .join(WebSession, on=(WebSession.user == User.id))
            .where(
                (User.id == user_id)
                & (User.active == True)  # noqa: E712
                & (WebSession.id == sid)
                & (WebSession.seen_at > time.time() - idle_s)
            )
            .objects()
            .first()
        )
        if user is not None:
            signins.touch(sid, user.seen_at)
    g.kit_user = user
    if user is not None and user.language:
        g.language = user.language
    return user


def _refuse(status, message):
    """Answer a refused request: JSON for .json/API callers, a sign-in redirect or page otherwise."""
    if request.path.endswith(".json") or request.accept_mimetypes.best == "application/json":
        return json_error(Unauthorized(message) if status == 401 else Forbidden(message))
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
