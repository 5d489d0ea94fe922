"""Who is the learner: the signed session, the signed event token, the picture-password limit.

A learner's session holds ``learner_id`` and the id of its sign-in row (kit.signins;
teachers hold ``user_id``; neither key ever grants the other's pages). The event token
is made at sign-in and embedded in the page, so events queued on a shared tablet by
learner A are still stored as A's after B signs in: the token, not the cookie, says
whose events they are, and it outlives A's session on purpose (it can only add events
for A, never read anything).
"""

from collections import namedtuple
from functools import lru_cache

from flask import current_app, session
from itsdangerous import BadSignature, URLSafeSerializer

from ... import signins
from ...db import database
from ...errors import Unauthorized
from ...signin_limits import failures, wait_before_trying

TOKEN_SALT = "classroom-kit.learner-events"


# What the learner pages and the API need of the signed-in learner; read with one plain
# query on every learner request (a peewee model costs ~4x more to build than the query).
SignedIn = namedtuple(
    "SignedIn", "id uuid display_name colour avatar classroom_id language sign_first teacher_id"
)


def make_token(learner):
    """Return a signed token naming the learner (by id and uuid) for their event posts."""
    return _token(current_app.config["SECRET_KEY"], learner.id, learner.uuid)


@lru_cache(maxsize=1024)
def _token(secret_key, learner_id, learner_uuid):
    """The token is the same on every page (no timestamp), so sign it once per learner."""
    return URLSafeSerializer(secret_key, salt=TOKEN_SALT).dumps({"id": learner_id, "uuid": learner_uuid})


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
    names = _token_names(current_app.config["SECRET_KEY"], token) if isinstance(token, str) else None
    if names is None:
        raise Unauthorized("the learner token is missing or not valid; sign in again")
    found = _one_learner("WHERE l.id = ?", names[0]) if isinstance(names[0], int) else None
    if found is None or found.uuid != names[1]:
        raise Unauthorized("the learner token names no learner on this kit; sign in again")
    return found


def current_learner():
    """Return the signed-in learner as a SignedIn, or None (an inactive learner, or a
    sign-in that was ended, counts as signed out). One query: learner, class and sign-in."""
    learner_id, sid = session.get("learner_id"), session.get("sid")
    if learner_id is None:
        return None
    found = _one_learner(
        "JOIN classroom c ON c.id = l.classroom_id"
        " JOIN web_session s ON s.learner_id = l.id"
        " WHERE l.id = ? AND s.id = ? AND l.active AND c.active",
        learner_id,
        sid if isinstance(sid, str) else "",
    )
    if found is None:
        session.clear()
    return found


def _one_learner(where, *params):
    """Return the SignedIn a query finds, or None."""
    found = database.execute_sql(
        "SELECT l.id, l.uuid, l.display_name, l.colour, l.avatar, l.classroom_id,"
        f" l.language, l.sign_first, l.teacher_id FROM learner l {where}",
        params,
    ).fetchone()
    return SignedIn(*found) if found else None


def sign_in(learner):
    """Start a fresh session for this learner: nothing of the previous one survives."""
    sign_out()
    kit = current_app.config["KIT"]
    session["sid"] = signins.start(
        int(current_app.permanent_session_lifetime.total_seconds()),
        kit["session_idle_s"],
        learner_id=learner.id,
    )
    session["learner_id"] = learner.id
    if learner.language:
        session["lang"] = learner.language


def sign_out():
    """End this browser's sign-in (learner's or teacher's) and forget the session."""
    signins.end(session.get("sid"))
    session.clear()


def picture_wait(learner_id, address):
    """Seconds before this learner's pictures may be tried again from this address (0: now)."""
    return wait_before_trying(f"picture:{learner_id}", f"picture-from:{address or ''}")


def picture_failed(learner_id, address):
    """Count one wrong picture password, for the learner and for the address."""
    failures.fail(f"picture:{learner_id}", f"picture-from:{address or ''}")


def picture_passed(learner_id):
    """Forget the learner's wrong tries (the address's stay counted)."""
    failures.clear(f"picture:{learner_id}")
