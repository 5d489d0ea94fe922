"""Managers' sign-ins kept at the hub: the session cookie names a row of hub_web_session.

The same rule as the kit's (kit.signins): a signed cookie cannot be taken back, so it
only names a row, and the row decides. Signing out deletes it; a new password or a
switched-off account deletes every row of that account; a row unused for
``session_idle_s`` no longer counts. Hub pages are few and not hot, so each checks its
row with one query.
"""

import datetime as dt
import secrets

from .db import database
from .models import HubUser, HubWebSession, utcnow

TOUCH = dt.timedelta(seconds=60)  # mark a row as seen at most once a minute, not on every page


def start(username, idle_s):
    """Record a new sign-in for an account (dropping idle rows); return its id for the cookie."""
    now = utcnow()
    sid = secrets.token_urlsafe(24)
    with database.atomic():
        HubWebSession.delete().where(HubWebSession.seen_at < now - dt.timedelta(seconds=idle_s)).execute()
        HubWebSession.create(id=sid, username=username, created_at=now, seen_at=now)
    return sid


def end(sid):
    """End one sign-in (this browser's)."""
    if isinstance(sid, str):
        with database.atomic():
            HubWebSession.delete().where(HubWebSession.id == sid).execute()


def end_all(username):
    """End every sign-in of an account."""
    with database.atomic():
        return HubWebSession.delete().where(HubWebSession.username == username).execute()


def signed_in(sid, idle_s):
    """Return the username whose live sign-in `sid` names, or None; mark it as seen."""
    if not isinstance(sid, str):
        return None
    now = utcnow()
    row = (
        HubWebSession.select(HubWebSession.username, HubWebSession.seen_at)
        .join(HubUser, on=(HubUser.username == HubWebSession.username))
        .where(
            (HubWebSession.id == sid)
            & (HubUser.active == True)  # noqa: E712
            & (HubWebSession.seen_at > now - dt.timedelta(seconds=idle_s))
        )
        .first()
    )
    if row is None:
        return None
    if now - row.seen_at >= TOUCH:
        with database.atomic():
            HubWebSession.update(seen_at=now).where(HubWebSession.id == sid).execute()
    return row.username
