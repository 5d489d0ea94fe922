"""Sign-ins kept on the kit: the session cookie names a row of ``web_session``; no row, no session.

A signed cookie alone cannot be taken back: a copy of it (left on a shared tablet, on a
phone that changed hands, read off the open Wi-Fi) stays good until it expires. So the
cookie carries a random sign-in id and the row decides. Signing out deletes the row; a
new password, a deactivated account, a deactivated learner or class and a changed
picture password delete every row of that person (an account's, with its training
profile's: kit.training); a teacher's or admin's row unused for
``session_idle_s`` no longer counts. The check rides on the one query each request
already makes for the signed-in person (kit.web.guards.current_user,
kit.web.learn.auth.current_learner), so it costs no extra query and holds at once in
every server process.
"""

import secrets
import time

from .db import write
from .models import Learner, WebSession

# A teacher's row is marked as seen at most once a minute: one small write a minute while
# the teacher works, not one per request; the idle lifetime is that much less exact.
TOUCH_S = 60


def start(max_age_s, idle_s, user_id=None, learner_id=None):
    """Record a new sign-in for a user or a learner; return its id for the cookie.

    Rows that can no longer count are deleted on the way: teachers' idle ones, and
    learners' older than the cookie's `max_age_s` (a tablet's learner never idles out).
    """
    now = int(time.time())
    sid = secrets.token_urlsafe(24)
    with write():
        WebSession.delete().where(
            (WebSession.user.is_null(False) & (WebSession.seen_at < now - idle_s))
            | (WebSession.created_at < now - max_age_s)
        ).execute()
        WebSession.create(id=sid, user=user_id, learner=learner_id, created_at=now, seen_at=now)
    return sid


def end(sid):
    """End one sign-in (this browser's)."""
    if isinstance(sid, str):
        with write():
            WebSession.delete().where(WebSession.id == sid).execute()


def end_all(user_id=None, learner_id=None, classroom_id=None, keep=None):
    """End every sign-in of a user, a learner or a class's learners, except `keep`."""
    where = None
    if user_id is not None:  # and the account's own training profile (kit.training)
        where = (WebSession.user == user_id) | WebSession.learner.in_(
            Learner.select(Learner.id).where(Learner.teacher == user_id)
        )
    elif learner_id is not None:
        where = WebSession.learner == learner_id
    elif classroom_id is not None:
        where = WebSession.learner.in_(Learner.select(Learner.id).where(Learner.classroom == classroom_id))
    if where is None:
        return 0
    if keep is not None:
        where &= WebSession.id != keep
    with write():
        return WebSession.delete().where(where).execute()


def touch(sid, seen_at):
    """Mark a teacher's sign-in as used now, if it was last marked over TOUCH_S ago."""
    now = int(time.time())
    if now - seen_at >= TOUCH_S:
        with write():
            WebSession.update(seen_at=now).where(WebSession.id == sid).execute()
