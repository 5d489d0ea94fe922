"""Who is the learner: the signed session, the signed event token, the picture-password limit.

A learner's session holds only ``learner_id`` (teachers hold ``user_id``; neither key
ever grants the other's pages). The event token is made at sign-in and embedded in
the page, so events queued on a shared tablet by learner A are still stored as A's
after B signs in: the token, not the cookie, says whose events they are.
"""

import threading
import time
from collections import defaultdict, deque, namedtuple
from functools import lru_cache

from flask import current_app, session
from itsdangerous import BadSignature, URLSafeSerializer

from ...db import database
from ...errors import TooManyRequests, Unauthorized

TOKEN_SALT = "classroom-kit.learner-events"


# What the learner pages and the API need of the signed-in learner; read with one plain
# query on every learner request (a peewee model costs ~4x more to build than the query).
SignedIn = namedtuple("SignedIn", "id uuid display_name colour avatar classroom_id language")


def make_token(learner):
    """Return a signed token naming the learner (by id and uuid) for their event posts."""
    return _token(current_app.config["SECRET_KEY"], learner.id, learner.uuid)


@lru_cache(maxsize=1024)
def _token(secret_key, learner_id, learner_uuid):
    """The token is the same on every page (no timestamp), so sign it once per learner."""
    return URLSafeSerializer(secret_key, salt=TOKEN_SALT).dumps(
        {"id": learner_id, "uuid": learner_uuid})


@lru_cache(maxsize=1024)
def _token_names(secret_key, token):
    """Return (id, uuid) a token was signed for, or None if it is forged or malformed.
    Remembered per token: a tablet posts every batch with the same one."""
    try:
        data = URLSafeSerializer(secret_key, salt=TOKEN_SALT).loads(token)
    except BadSignature:
        return None
    return (data.get("id"), data.get("uuid")) if isinstance(data, dict) else None


def learner_from_token(token):
    """Return the learner a token names (a SignedIn); raise Unauthorized for a forged or
    stale token. The learner is read on every call: one removed since still counts."""
    names = _token_names(current_app.config["SECRET_KEY"], token) \
        if isinstance(token, str) else None
    if names is None:
        raise Unauthorized("the learner token is missing or not valid; sign in again")
    found = _one_learner("WHERE l.id = ?", names[0]) if isinstance(names[0], int) else None
    if found is None or found.uuid != names[1]:
        raise Unauthorized("the learner token names no learner on this kit; sign in again")
    return found


def current_learner():
    """Return the signed-in learner as a SignedIn, or None (an inactive learner counts as
    signed out)."""
    learner_id = session.get("learner_id")
    if learner_id is None:
        return None
    found = _one_learner("JOIN classroom c ON c.id = l.classroom_id"
                         " WHERE l.id = ? AND l.active AND c.active", learner_id)
    if found is None:
        session.clear()
    return found


def _one_learner(where, learner_id):
    """Return the SignedIn a query finds, or None."""
    found = database.execute_sql(
        "SELECT l.id, l.uuid, l.display_name, l.colour, l.avatar, l.classroom_id,"
        f" l.language FROM learner l {where}", (learner_id,)).fetchone()
    return SignedIn(*found) if found else None


def sign_in(learner):
    """Start a fresh session for this learner: nothing of the previous one survives."""
    session.clear()
    session["learner_id"] = learner.id
    if learner.language:
        session["lang"] = learner.language


def sign_out():
    session.clear()


class AttemptLimiter:
    """Count wrong picture passwords per learner in a sliding window (in this process)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._failures = defaultdict(deque)

    def _recent(self, key, window):
        stamps = self._failures[key]
        cutoff = time.monotonic() - window
        while stamps and stamps[0] < cutoff:
            stamps.popleft()
        return stamps

    def check(self, key, limit, window):
        """Raise TooManyRequests when `key` has used up its wrong tries in the window."""
        with self._lock:
            stamps = self._recent(key, window)
            if len(stamps) >= limit:
                wait = int(stamps[0] + window - time.monotonic()) + 1
                raise TooManyRequests(
                    "too many wrong picture passwords; ask your teacher or wait a few minutes",
                    retry_after=wait)

    def fail(self, key):
        with self._lock:
            self._failures[key].append(time.monotonic())

    def clear(self, key):
        with self._lock:
            self._failures.pop(key, None)


picture_limiter = AttemptLimiter()
