"""Who may open a teacher's or admin's page: the session of a signed-in user, and the guards.

A teacher's session holds ``session["user_id"]`` and the id of its sign-in row
(kit.signins: sign-out, a new password or deactivation ends it at once; it idles out
after ``session_idle_s``); a learner's holds ``session["learner_id"]``, which these
decorators never accept. A refused JSON caller gets the error envelope, a person the
sign-in page (401) or the error page (403).
"""

import functools
import time

from flask import current_app, g, redirect, request, session, url_for
from flask_babel import gettext as _

from .. import signins
from ..errors import Forbidden, Unauthorized, json_error
from ..models import User, WebSession


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
