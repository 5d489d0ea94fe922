"""Who is in a live class: joins written with their event, presence batched per worker.

Sixty tablets poll every 0.7 s. Writing each one's "still here" in its own transaction
(even at most every 4 s each, 15 a second) took the data folder's writer lock more often
than the event writer did, and other learners' event batches waited behind it: +44 % at
p95 in `bench/run live` (docs/performance.md). So a poll only notes the time in this
process's memory, and the first poll after FLUSH_S writes everything noted since, for
every tablet, in one transaction: a worker writes presence at most every FLUSH_S seconds
however many tablets it serves. The teacher's "connected" (CONNECTED_S, 12 s) and the
end of the class read `seen_at` from the table, which is at most FLUSH_S (plus a poll)
behind, as it was when each tablet wrote its own every 4 s.

A join is the `live_joined` event itself: its UUID is made from the class and the learner,
so the event log stores it once however many polls ask, and `fold_joins` adds the member
row and the attendance in the event writer's transaction (one group commit, not a
transaction of its own before it).
"""

import calendar
import logging
import os
import threading
import time
import uuid as uuidlib

from peewee import DatabaseError

from ..db import database, write

logger = logging.getLogger(__name__)

FLUSH_S = 4
# Join events' UUIDs: uuid5(JOIN_NAMESPACE, "<live uuid>/<learner id>").
JOIN_NAMESPACE = uuidlib.UUID("5b0d7c1e-3a51-4f0e-9a3c-6c1f4e0a7d21")
_SEEN_SQL = "UPDATE live_member SET seen_at = max(seen_at, ?) WHERE live_id = ? AND learner_id = ?"
_MEMBER_SQL = (
    "INSERT INTO live_member (live_id, learner_id, joined_at, seen_at)"
    " SELECT id, ?, ?, ? FROM live_class WHERE uuid = ? ON CONFLICT (live_id, learner_id) DO NOTHING"
)
_ATTENDANCE_SQL = (
    "INSERT INTO attendance (session_id, learner_id, minutes) SELECT session_id, ?, 0 FROM live_class"
    " WHERE uuid = ? AND session_id IS NOT NULL ON CONFLICT (session_id, learner_id) DO NOTHING"
)


class _Seen:
    """This process's presence times not yet written: {(live id, learner id): seconds}."""

    def __init__(self):
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self):
        self.lock = threading.Lock()
        self.times = {}
        self.written = time.monotonic()


_seen = _Seen()


def join_uuid(live_uuid, learner_id):
    """The one UUID a learner's joining of a live class has, whichever poll records it."""
    return str(uuidlib.uuid5(JOIN_NAMESPACE, f"{live_uuid}/{learner_id}"))


def seen(live_id, learner_id, now):
    """Note that a learner's tablet is on the live page now; write the notes when due."""
    with _seen.lock:
        key = (live_id, learner_id)
        _seen.times[key] = max(now, _seen.times.get(key, 0))
        if time.monotonic() - _seen.written < FLUSH_S:
            return
        rows, _seen.times = _seen.times, {}
        _seen.written = time.monotonic()
    _write(rows)


def flush():
    """Write this process's notes now (before the end of a class reads who is here)."""
    with _seen.lock:
        rows, _seen.times = _seen.times, {}
        _seen.written = time.monotonic()
    _write(rows)


def _write(rows):
    if not rows:
        return
    try:
        with write():
            database.cursor().executemany(
                _SEEN_SQL, [(when, live_id, learner_id) for (live_id, learner_id), when in rows.items()]
            )
    except DatabaseError as exc:  # a full disk, a locked file: the next poll notes them again
        logger.warning("could not write the presence of %s tablets: %s", len(rows), exc)


def fold_joins(events):
    """Add the member row and attendance of each newly stored `live_joined` event.

    kit.events calls it in the transaction that appends the events, never on a progress
    rebuild: attendance a teacher changed since must stay as the teacher left it.
    """
    rows = [e for e in events if e["kind"] == "live_joined"]
    if not rows:
        return
    cursor = database.cursor()
    for event in rows:
        when = calendar.timegm(event["received_at"].utctimetuple())
        live_uuid, learner_id = event["payload"]["live"], event["learner_id"]
        cursor.execute(_MEMBER_SQL, (learner_id, when, when, live_uuid))
        cursor.execute(_ATTENDANCE_SQL, (learner_id, live_uuid))
