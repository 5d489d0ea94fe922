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
from .courses import certificates
from .db import database, fetch_json, write, writer_turn
from .errors import KitError
from .event_judge import judge_answers, lesson_facts
from .event_schema import BadEvent, validate_batch
from .hardware import boot_id
from .models import utcnow
from .packs.quiz import attempt_score, is_mastered

logger = logging.getLogger(__name__)

COLUMNS = (
    "uuid",
    "learner_id",
    "pack_id",
    "lesson_id",
    "kind",
    "payload",
    "device_time",
    "boot_id",
    "mono_ms",
    "received_at",
)
# The queries under the write lock take their lists as one JSON array and answer in one
# row: a fixed text (one prepared statement per connection, whatever the batch size), and
# no row fetched one by one, each a release and a retake of the interpreter lock. The
# insert stays an executemany: rows taken from JSON (or a multi-row VALUES) cost SQLite
# 2-3 times the CPU (0.9 vs 0.3 ms per 50 rows), and measured slower in the server.
INSERT = f"INSERT INTO event ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
# The first tries stored for each lesson attempt in a JSON list of [learner, pack, lesson,
# attempt]: its terms match the partial index event_first_tries (migration 0009) exactly.
FIRST_TRIES = (
    "SELECT json_group_array(json_array(k.value, json_extract(e.payload, '$.question_id'),"
    " json_extract(e.payload, '$.correct')))"
    " FROM json_each(?) k JOIN event e ON e.learner_id = json_extract(k.value, '$[0]')"
    " AND e.pack_id = json_extract(k.value, '$[1]')"
    " AND e.lesson_id = json_extract(k.value, '$[2]') AND e.kind = 'answer'"
    " AND json_extract(e.payload, '$.first_try') = 1"
    " AND json_extract(e.payload, '$.attempt') = json_extract(k.value, '$[3]')"
)
_payload_json = json.JSONEncoder(separators=(",", ":"), sort_keys=True).encode
# One thread appends every event batch of this process (started on first use). Request
# threads validate and judge their batch, queue it in _waiting and sleep until it is
# stored; the writer stores all batches waiting by then in one transaction (group commit).
# With synchronous=FULL each commit waits for the card, and under the write lock every
# SQLite call waits to retake the interpreter lock from busy threads: one commit and one
# set of calls serve several batches. One writer thread, not whichever request thread
# comes first, also keeps the memory a group's pages take in one malloc arena.
_turn = threading.Condition()
_waiting = []
_writer = None


class _Batch:
    """One learner's validated batch on its way into the log, and what became of it."""

    __slots__ = ("events", "learner_id", "facts", "result", "error", "done")

    def __init__(self, events, learner_id, facts):
        self.events, self.learner_id, self.facts = events, learner_id, facts
        self.result = self.error = None
        self.done = threading.Event()  # set by the writer: wakes this batch's thread only


def server_event(kind, pack_id, lesson_id, payload=None):
    """Return an event made by the kit itself (e.g. a teacher dismissing a help flag)."""
    return {
        "uuid": str(uuidlib.uuid4()),
        "kind": kind,
        "pack_id": pack_id,
        "lesson_id": lesson_id,
        "payload": payload or {},
        "device_time": dt.datetime.now(dt.UTC).isoformat(),
        "boot_id": boot_id(),
        "mono_ms": int(time.monotonic() * 1000),
    }


def record(events, learner_id, max_batch=500, from_tablet=False):
    """Validate, judge and append a batch of one learner's events; return the counts.

    Returns {"accepted": n, "duplicate": m}: events whose UUID is already in the log
    (or repeated in the batch) are no-ops. Raises BadEvent (nothing stored) when any
    event is malformed, names an unknown lesson or question, the batch is too big, or
    the learner does not exist, or a tablet's batch (`from_tablet`) holds a kind only the
    kit records. Never call it inside a write transaction: the writer thread would wait
    for that transaction's lock.
    """
    batch = validate_batch(events, max_batch, from_tablet)

    facts = lesson_facts(batch)
    judge_answers(batch)
    return _commit(_Batch(batch, learner_id, facts))


def _commit(batch):
    """Queue a batch for the writer thread; wait until it is stored; return its counts.

    The batches stored together behave exactly as if stored one by one, in queue order.
    """
    global _writer
    with _turn:
        _waiting.append(batch)
        if _writer is None or not _writer.is_alive():
            _writer = threading.Thread(target=_write_forever, name="kit-event-writer", daemon=True)
            _writer.start()
        _turn.notify()  # only the writer waits on _turn
    batch.done.wait()
    if batch.error is not None:
        raise batch.error
    return batch.result


def _write_forever():
    """The writer thread: store whatever is waiting, one group at a time.

    It takes the data folder's writer lock first and the group after: while another
    worker's writer commits (a flush of the card), this worker's batches keep joining the
    group that commits next, instead of waiting for one more flush after it.
    """
    while True:
        with _turn:
            while not _waiting:
                _turn.wait()
        group, failure = [], None
        try:
            database.connect(reuse_if_open=True)
            try:
                with writer_turn():
                    with _turn:
                        group = _waiting[:]
                        _waiting.clear()
                    _store_group(group)
                # Drop the pages the group read and wrote (mostly random leaves of the UUID
                # index): kept, they filled the connection's cache and the writer's malloc
                # arena, +9 MB RSS under the ingest bench; re-reading them costs no
                # measurable speed (4 runs each, same minutes).
                database.execute_sql("PRAGMA shrink_memory")
            finally:
                database.release()  # a restore or a test may point the database elsewhere
        except Exception as exc:  # noqa: BLE001 - handed to the batches' own threads
            failure = exc
            if not group:  # failed before taking its group (no database, no lock file)
                with _turn:
                    group = _waiting[:]
                    _waiting.clear()
        finally:  # whatever happened, no request thread waits forever
            for batch in group:
                if batch.result is None and batch.error is None:
                    batch.error = failure or RuntimeError("the event writer stopped")
                batch.done.set()


def _store_group(group):
    """Store a group in one transaction; if that fails, each batch alone, so that one
    batch's failure (e.g. its learner deleted meanwhile) is never another's."""
    try:
        with write():
            results = _store(group)
    except Exception as exc:  # noqa: BLE001 - handed to the batch's own thread below
        if len(group) == 1:
            group[0].error = exc
            return
        logger.warning("storing %s event batches together failed (%s); one by one", len(group), exc)
        for batch in group:
            _store_group([batch])
        return
    for batch, result in zip(group, results):
        if isinstance(result, KitError):
            batch.error = result
        else:
            batch.result = result


def _store(group):
    """Append the group's new events and fold them into progress; return each batch's counts."""
    received = utcnow()
    # Checked here, in the write transaction, so a learner cannot vanish before the append.
    learners = _learners([batch.learner_id for batch in group])
    group_ok = [batch for batch in group if batch.learner_id in learners]
    known = _known([event["uuid"] for batch in group_ok for event in batch.events])
    fresh, spans = [], []
    for batch in group:
        start = len(fresh)
        for event in batch.events if batch.learner_id in learners else ():
            if event["uuid"] not in known:
                known.add(event["uuid"])
                event["learner_id"] = batch.learner_id
                event["received_at"] = received
                fresh.append(event)
        spans.append((start, len(fresh)))
    earlier = _earlier_answers(fresh)
    _settle_first_tries(fresh, earlier)
    for batch, (start, stop) in zip(group, spans):
        _score_quizzes(fresh, start, stop, earlier, batch.facts)
    _append(fresh)
    progress.apply(fresh)
    issued = certificates.due(fresh)  # in this transaction: a pass is certified exactly once
    _append(issued)
    certificates.apply(issued)
    return [
        {"accepted": stop - start, "duplicate": len(batch.events) - (stop - start)}
        if batch.learner_id in learners
        else BadEvent(f"no learner with id {batch.learner_id}")
        for batch, (start, stop) in zip(group, spans)
    ]


def _learners(ids):
    """Return those of these learner ids that exist."""
    return set(
        fetch_json(
            "SELECT json_group_array(k.value) FROM json_each(?) k"
            " WHERE EXISTS (SELECT 1 FROM learner WHERE id = k.value)",
            (json.dumps(ids),),
        )
    )


def _known(uuids):
    """Return the set of these UUIDs already in the log. (Validated UUIDs hold no commas.)"""
    found = database.execute_sql(
        "SELECT group_concat(uuid) FROM event WHERE uuid IN (SELECT value FROM json_each(?))",
        (json.dumps(uuids),),
    ).fetchone()[0]
    return set(found.split(",")) if found else set()


def _attempt(event):
    return (event["learner_id"], event["pack_id"], event["lesson_id"], event["payload"]["attempt"])


def _earlier_answers(fresh):
    """Return {(learner, pack, lesson, attempt): [(question_id, correct)]}: the first tries
    already in the log of each lesson attempt that new answers or quiz ends belong to.

    A question was answered before in an attempt exactly when its first try is stored, so
    the first tries answer both "is this a first try?" and "what did the quiz score?"; the
    partial index event_first_tries finds them without reading the other answers.
    """
    keys = list(dict.fromkeys(_attempt(e) for e in fresh if e["kind"] in ("answer", "quiz_finished")))
    found = {key: [] for key in keys}
    if not keys:
        return found
    rows = fetch_json(FIRST_TRIES, (json.dumps(keys),))
    for key, question, correct in rows:
        found[tuple(key)].append((question, bool(correct)))
    return found


def _settle_first_tries(fresh, earlier):
    """Mark each answer first_try when no earlier answer to it exists in the same attempt."""
    seen = {}
    for event in fresh:
        if event["kind"] != "answer":
            continue
        key = _attempt(event)
        if key not in seen:
            seen[key] = {q for q, _c in earlier[key]}
        question = event["payload"]["question_id"]
        event["payload"]["first_try"] = question not in seen[key]
        seen[key].add(question)


def _score_quizzes(fresh, start, stop, earlier, facts):
    """Write the server's score and mastery into each quiz_finished payload in fresh[start:stop]."""
    for index in range(start, stop):
        event = fresh[index]
        if event["kind"] != "quiz_finished":
            continue
        key = _attempt(event)
        first = dict(earlier[key])
        for before in fresh[:index]:
            if before["kind"] == "answer" and _attempt(before) == key and before["payload"]["first_try"]:
                first[before["payload"]["question_id"]] = before["payload"]["correct"]
        question_ids, min_score = facts[(event["pack_id"], event["lesson_id"])]
        score = attempt_score([bool(first.get(q)) for q in question_ids])
        event["payload"].update(
            score=round(score, 4), questions=len(question_ids), mastered=is_mastered(score, min_score)
        )


def _append(fresh):
    """Insert the new events with one executemany; give each its sequence number."""
    if not fresh:
        return
    received = _sql_time(fresh[0]["received_at"])  # one time for the whole group
    rows = [
        (
            e["uuid"],
            e["learner_id"],
            e["pack_id"],
            e["lesson_id"],
            e["kind"],
            _payload_json(e["payload"]),
            _sql_time(e["device_time"]),
            e["boot_id"],
            e["mono_ms"],
            received,
        )
        for e in fresh
    ]
    database.cursor().executemany(INSERT, rows)
    # Under the write lock AUTOINCREMENT numbers the rows consecutively, in order.
    last = database.execute_sql("SELECT last_insert_rowid()").fetchone()[0]
    for seq, event in enumerate(fresh, last - len(fresh) + 1):
        event["seq"] = seq


def _sql_time(value):
    """Format a naive UTC datetime the way peewee stores DateTimeField values."""
    return value.isoformat(" ") if value is not None else None


__all__ = ["record", "server_event", "BadEvent", "KitError"]
