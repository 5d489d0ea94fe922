"""The event log: validate a batch from a tablet, judge it, append it, update progress.

Events are what learners did (opened a lesson, viewed a page, answered a question).
Each carries a client-made UUID, so a batch sent twice is stored once. The log is
append-only; kit.progress folds new events into the progress tables inside the same
write transaction, and can rebuild them from the log alone. That is why everything
the server decides (is this answer right? was it the first try? what did the quiz
score?) is written into the stored payload, never recomputed from the pack later.
See docs/events.md for the kinds and their payloads.
"""

import datetime as dt
import json
import logging
import threading
import time
import uuid as uuidlib

from . import progress
from .db import database, write
from .errors import KitError
from .event_schema import BadEvent, validate_batch
from .models import utcnow

logger = logging.getLogger(__name__)

COLUMNS = ("uuid", "learner_id", "pack_id", "lesson_id", "kind", "payload",
           "device_time", "boot_id", "mono_ms", "received_at")
_server_boot_id = None
# One event writer at a time in this process: waiting threads queue here, on a lock that
# never times out, instead of racing for SQLite's lock and meeting the busy timeout.
_append_lock = threading.Lock()


def server_event(kind, pack_id, lesson_id, payload=None):
    """Return an event made by the kit itself (e.g. a teacher dismissing a help flag)."""
    global _server_boot_id
    if _server_boot_id is None:
        _server_boot_id = "kit-" + uuidlib.uuid4().hex[:12]
    return {
        "uuid": str(uuidlib.uuid4()), "kind": kind, "pack_id": pack_id,
        "lesson_id": lesson_id, "payload": payload or {},
        "device_time": dt.datetime.now(dt.timezone.utc).isoformat(),
        "boot_id": _server_boot_id, "mono_ms": int(time.monotonic() * 1000),
    }


def record(events, learner_id, max_batch=500):
    """Validate, judge and append a batch of one learner's events; return the counts.

    Returns {"accepted": n, "duplicate": m}: events whose UUID is already in the log
    (or repeated in the batch) are no-ops. Raises BadEvent (nothing stored) when any
    event is malformed, names an unknown lesson or question, or the batch is too big.
    """
    found = database.execute_sql("SELECT id FROM learner WHERE id = ?", (learner_id,)).fetchone()
    if found is None:
        raise BadEvent(f"no learner with id {learner_id}")
    batch = validate_batch(events, max_batch)
    from .event_judge import judge_answers, lesson_facts

    facts = lesson_facts(batch)
    judge_answers(batch)
    with _append_lock, write():
        received = utcnow()
        fresh = _drop_known(batch)
        for event in fresh:
            event["learner_id"] = learner_id
            event["received_at"] = received
        _settle_first_tries(fresh, learner_id)
        _score_quizzes(fresh, learner_id, facts)
        _append(fresh)
        progress.apply(fresh)
    return {"accepted": len(fresh), "duplicate": len(batch) - len(fresh)}


def _drop_known(batch):
    """Return the events whose UUID is new to the log and to the batch, in batch order."""
    uuids = [event["uuid"] for event in batch]
    known = set()
    for start in range(0, len(uuids), 500):
        chunk = uuids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        cursor = database.execute_sql(f"SELECT uuid FROM event WHERE uuid IN ({marks})", chunk)
        known.update(row[0] for row in cursor)
    fresh = []
    for event in batch:
        if event["uuid"] not in known:
            known.add(event["uuid"])
            fresh.append(event)
    return fresh


def _earlier_answers(learner_id, event):
    """Return (question_id, correct, first_try) of this lesson attempt's answers in the log."""
    cursor = database.execute_sql(
        "SELECT json_extract(payload, '$.question_id'), json_extract(payload, '$.correct'),"
        " json_extract(payload, '$.first_try') FROM event WHERE learner_id = ?"
        " AND kind = 'answer' AND pack_id = ? AND lesson_id = ?"
        " AND json_extract(payload, '$.attempt') = ? ORDER BY seq",
        (learner_id, event["pack_id"], event["lesson_id"], event["payload"]["attempt"]),
    )
    return [(q, bool(c), bool(f)) for q, c, f in cursor]


def _settle_first_tries(fresh, learner_id):
    """Mark each answer first_try when no earlier answer to it exists in the same attempt."""
    seen = {}
    for event in fresh:
        if event["kind"] != "answer":
            continue
        key = (event["pack_id"], event["lesson_id"], event["payload"]["attempt"])
        if key not in seen:
            seen[key] = {q for q, _c, _f in _earlier_answers(learner_id, event)}
        question = event["payload"]["question_id"]
        event["payload"]["first_try"] = question not in seen[key]
        seen[key].add(question)


def _score_quizzes(fresh, learner_id, facts):
    """Write the server's score and mastery into each quiz_finished payload."""
    from .packs.quiz import attempt_score, is_mastered

    for index, event in enumerate(fresh):
        if event["kind"] != "quiz_finished":
            continue
        first = {q: c for q, c, f in _earlier_answers(learner_id, event) if f}
        for earlier in fresh[:index]:
            same = (earlier["kind"] == "answer" and earlier["lesson_id"] == event["lesson_id"]
                    and earlier["pack_id"] == event["pack_id"]
                    and earlier["payload"]["attempt"] == event["payload"]["attempt"])
            if same and earlier["payload"]["first_try"]:
                first[earlier["payload"]["question_id"]] = earlier["payload"]["correct"]
        question_ids, min_score = facts[(event["pack_id"], event["lesson_id"])]
        score = attempt_score([bool(first.get(q)) for q in question_ids])
        event["payload"].update(score=round(score, 4), questions=len(question_ids),
                                mastered=is_mastered(score, min_score))


def _append(fresh):
    """Insert the new events with one executemany; give each its sequence number."""
    if not fresh:
        return
    before = database.execute_sql("SELECT COALESCE(MAX(seq), 0) FROM event").fetchone()[0]
    rows = [(
        e["uuid"], e["learner_id"], e["pack_id"], e["lesson_id"], e["kind"],
        json.dumps(e["payload"], separators=(",", ":"), sort_keys=True),
        _sql_time(e["device_time"]), e["boot_id"], e["mono_ms"], _sql_time(e["received_at"]),
    ) for e in fresh]
    marks = ",".join("?" * len(COLUMNS))
    database.cursor().executemany(
        f"INSERT INTO event ({','.join(COLUMNS)}) VALUES ({marks})", rows)
    cursor = database.execute_sql("SELECT seq FROM event WHERE seq > ? ORDER BY seq", (before,))
    for event, (seq,) in zip(fresh, cursor):
        event["seq"] = seq


def _sql_time(value):
    """Format a naive UTC datetime the way peewee stores DateTimeField values."""
    return value.isoformat(" ") if value is not None else None


__all__ = ["record", "server_event", "BadEvent", "KitError"]
