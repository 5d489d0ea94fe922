"""Progress derived from the event log: LessonProgress and QuestionProgress.

`apply(events)` folds newly appended events into the tables (kit.events calls it in
the same transaction as the append); `rebuild()` empties the tables and folds the
whole log again in sequence order, which yields the same rows, because every fold
reads only the stored event (its payload, its sequence number, its received time).

LessonProgress.page is the player's step: 0 .. pages-1 are the lesson's pages,
pages .. pages+questions-1 its quiz questions, and pages+questions the result.
"""

import json
import logging

from .db import database, write
from .models import Event, LessonProgress, QuestionProgress

logger = logging.getLogger(__name__)

STATUS_ORDER = ("not_started", "in_progress", "completed", "mastered")
LEARNER_KINDS = {"lesson_opened", "page_viewed", "answer", "quiz_finished",
                 "lesson_completed", "help_requested", "time_spent"}
REBUILD_CHUNK = 2000


def _raise_status(row, status):
    if STATUS_ORDER.index(status) > STATUS_ORDER.index(row.status):
        row.status = status


def _fold_lesson(row, event):
    """Apply one event to a lesson's progress row."""
    kind, payload, when = event["kind"], event["payload"], event["received_at"]
    if kind in LEARNER_KINDS:
        _raise_status(row, "in_progress")
        row.started_at = row.started_at or when
        row.last_seen = when
    if kind == "page_viewed":
        row.page = payload["page"]
    elif kind == "lesson_completed":
        _raise_status(row, "completed")
        row.completed_at = row.completed_at or when
    elif kind == "quiz_finished":
        row.attempts = max(row.attempts, payload["attempt"])
        row.score = payload["score"]
        row.best_score = max(row.best_score or 0.0, payload["score"])
        if payload.get("mastered"):
            _raise_status(row, "mastered")
            row.completed_at = row.completed_at or when
    elif kind == "help_requested":
        row.needs_help = True
    elif kind == "help_dismissed":
        row.needs_help = False
    elif kind == "time_spent":
        row.seconds += payload["seconds"]
    row.last_seq = event["seq"]


def _fold_question(row, event):
    row.attempts += 1
    if event["payload"]["correct"]:
        row.correct = True
    else:
        row.wrong += 1
    row.last_seq = event["seq"]


def _lesson_row(cache, event):
    key = (event["learner_id"], event["pack_id"], event["lesson_id"])
    if key not in cache:
        # Raw SQL: this runs for every batch under the write lock, and peewee's query
        # building costs more than the lookup itself on a Pi.
        found = list(LessonProgress.raw(
            "SELECT * FROM lesson_progress WHERE learner_id = ? AND pack_id = ?"
            " AND lesson_id = ?", *key))
        cache[key] = found[0] if found else LessonProgress(
            learner=key[0], pack_id=key[1], lesson_id=key[2])
    return cache[key]


def _question_row(cache, event):
    key = (event["learner_id"], event["pack_id"], event["lesson_id"],
           event["payload"]["question_id"])
    if key not in cache:
        found = list(QuestionProgress.raw(
            "SELECT * FROM question_progress WHERE learner_id = ? AND pack_id = ?"
            " AND lesson_id = ? AND question_id = ?", *key))
        cache[key] = found[0] if found else QuestionProgress(
            learner=key[0], pack_id=key[1], lesson_id=key[2], question_id=key[3])
    return cache[key]


def apply(events):
    """Fold appended events (dicts with seq, learner_id, received_at; in seq order)."""
    lessons, questions = {}, {}
    for event in events:
        _fold_lesson(_lesson_row(lessons, event), event)
        if event["kind"] == "answer":
            _fold_question(_question_row(questions, event), event)
    # Rows are saved in order of first appearance, so a rebuild numbers them the same.
    for row in lessons.values():
        _save(row)
    for row in questions.values():
        _save(row)


def _save(row):
    """INSERT or UPDATE one progress row with hand-written SQL (what peewee's save() does,
    without building the query each time: this runs for every batch, under the write lock)."""
    meta = type(row)._meta
    fields = [f for f in meta.sorted_fields if f.name != "id"]
    values = [f.db_value(row.__data__.get(f.name)) for f in fields]
    if row.id is None:
        marks = ",".join("?" * len(fields))
        cursor = database.execute_sql(
            f"INSERT INTO {meta.table_name} ({','.join(f.column_name for f in fields)})"
            f" VALUES ({marks})", values)
        row.id = cursor.lastrowid
    else:
        sets = ",".join(f"{f.column_name} = ?" for f in fields)
        database.execute_sql(f"UPDATE {meta.table_name} SET {sets} WHERE id = ?",
                             [*values, row.id])


def _stored_events(after, limit):
    """Return up to `limit` logged events with seq > after, as the dicts apply() takes."""
    query = (Event.select().where(Event.seq > after, Event.learner.is_null(False))
             .order_by(Event.seq).limit(limit))
    return [{
        "seq": e.seq, "learner_id": e.learner_id, "pack_id": e.pack_id,
        "lesson_id": e.lesson_id, "kind": e.kind, "payload": e.payload,
        "received_at": e.received_at,
    } for e in query]


def rebuild():
    """Recompute both progress tables from the event log; return how many events were read."""
    total = 0
    with write():
        QuestionProgress.delete().execute()
        LessonProgress.delete().execute()
        after = 0
        while True:
            events = _stored_events(after, REBUILD_CHUNK)
            if not events:
                break
            apply(events)
            total += len(events)
            after = events[-1]["seq"]
    logger.info("progress rebuilt from %s events", total)
    return total


def snapshot():
    """Return both tables as sorted lists of plain tuples (ids left out), for comparing."""
    def rows(model):
        fields = [f for f in model._meta.sorted_fields if f.name != "id"]
        cursor = database.execute_sql(
            f"SELECT {', '.join(f.column_name for f in fields)} FROM {model._meta.table_name}")
        return sorted(tuple(json.dumps(v) if isinstance(v, dict) else v for v in row)
                      for row in cursor)
    return {"lesson_progress": rows(LessonProgress), "question_progress": rows(QuestionProgress)}
