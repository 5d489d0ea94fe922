"""Progress derived from the event log: LessonProgress, QuestionProgress and LiveAnswer.

`apply(events)` folds newly appended events into the tables (kit.events calls it in
the same transaction as the append); `rebuild()` empties the tables and folds the
whole log again in sequence order, which yields the same rows, because every fold
reads only the stored event (its payload, its sequence number, its received time).

LiveAnswer holds each learner's latest answer to each question a live class asked the
room (kit.live counts them for the teacher's chart and the projector).

LessonProgress.page is the player's step: 0 .. pages-1 are the lesson's pages,
pages .. pages+questions-1 its quiz questions, and pages+questions the result.
"""

import datetime as dt
import json
import logging

from .courses import certificates
from .db import database, write
from .models import Event, LessonProgress, LiveAnswer, QuestionProgress

logger = logging.getLogger(__name__)

STATUS_ORDER = ("not_started", "in_progress", "completed", "mastered")
_RANK = {status: rank for rank, status in enumerate(STATUS_ORDER)}
LEARNER_KINDS = {
    "lesson_opened",
    "page_viewed",
    "answer",
    "quiz_finished",
    "lesson_completed",
    "help_requested",
    "time_spent",
    # Following a live class on the lesson is taking part in it.
    "live_joined",
    "live_page_shown",
    "live_answer",
    "live_hand",
}
# The newest answer wins (a learner may change their mind while the question is open).
LIVE_ANSWER_UPSERT = (
    "INSERT INTO live_answer (live_uuid, question, learner_id, choices, correct, last_seq)"
    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (live_uuid, question, learner_id) DO UPDATE"
    " SET choices = excluded.choices, correct = excluded.correct, last_seq = excluded.last_seq"
    " WHERE excluded.last_seq > live_answer.last_seq"
)
REBUILD_CHUNK = 2000


def _raise_status(row, status):
    if _RANK[status] > _RANK[row.status]:
        row.status = status


def _fold_lesson(row, event):
    """Apply one event to a lesson's progress row."""
    kind, payload, when = event["kind"], event["payload"], event["received_at"]
    if kind in LEARNER_KINDS:
        if row.status == "not_started":
            row.status = "in_progress"
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


class _Row:
    """A progress row as plain attributes: folding a batch builds no peewee models."""

    def __init__(self, **values):
        self.__dict__.update(values)


class _Table:
    """How one progress table is read and written, for the rows a batch touches."""

    def __init__(self, model, key):
        fields = [f for f in model._meta.sorted_fields if f.name != "id"]
        self.name, self.key = model._meta.table_name, key
        self.columns = ["id"] + [f.column_name for f in fields]
        self.defaults = {f.column_name: f.default() if callable(f.default) else f.default for f in fields}
        join = " AND ".join(f"t.{column} = k.{column}" for column in key)
        self.select = (
            f"SELECT {', '.join('t.' + c for c in self.columns)} FROM k JOIN {self.name} t ON {join}"
        )
        # One statement for new and changed rows alike: a NULL id inserts, a known id updates.
        self.upsert = (
            f"INSERT INTO {self.name} ({', '.join(self.columns)})"
            f" VALUES ({', '.join('?' * len(self.columns))}) ON CONFLICT(id) DO UPDATE"
            f" SET {', '.join(f'{c} = excluded.{c}' for c in self.columns[1:])}"
        )

    def rows(self, keys):
        """Return {key: _Row} for `keys` (in order), from the table or new with defaults."""
        found = {}
        for start in range(0, len(keys), 200):
            chunk = keys[start : start + 200]
            cursor = database.execute_sql(
                f"WITH k({', '.join(self.key)}) AS (VALUES "
                + ",".join(["(" + ",".join("?" * len(self.key)) + ")"] * len(chunk))
                + ") "
                + self.select,
                [value for key in chunk for value in key],
            )
            for values in cursor:
                row = _Row(**dict(zip(self.columns, values)))
                found[tuple(getattr(row, column) for column in self.key)] = row
        return {
            key: found.get(key) or _Row(**{**self.defaults, "id": None, **dict(zip(self.key, key))})
            for key in keys
        }

    def save(self, rows):
        """Write the rows back in one executemany, in order (new rows are numbered in it)."""
        database.cursor().executemany(
            self.upsert, [[_sql_value(getattr(row, column)) for column in self.columns] for row in rows]
        )


def _sql_value(value):
    """Store a datetime the way peewee's DateTimeField does (rows read back keep text)."""
    return value.isoformat(" ") if isinstance(value, dt.datetime) else value


_tables = {}


def _table(name):
    if name not in _tables:  # built on first use: importing this module touches no model
        _tables["lesson"] = _Table(LessonProgress, ("learner_id", "pack_id", "lesson_id"))
        _tables["question"] = _Table(QuestionProgress, ("learner_id", "pack_id", "lesson_id", "question_id"))
    return _tables[name]


def apply(events):
    """Fold appended events (dicts with seq, learner_id, received_at; in seq order)."""
    events = [e for e in events if e["kind"] != certificates.KIND]  # kit.courses folds those
    keys = [(e["learner_id"], e["pack_id"], e["lesson_id"]) for e in events]
    answers = [
        ((*key, e["payload"]["question_id"]), e) for key, e in zip(keys, events) if e["kind"] == "answer"
    ]
    # Rows are read and saved in order of first appearance, so a rebuild numbers them the same.
    lessons = _table("lesson").rows(list(dict.fromkeys(keys)))
    questions = _table("question").rows(list(dict.fromkeys(key for key, _e in answers)))
    for key, event in zip(keys, events):  # each row folds its own events, in seq order
        _fold_lesson(lessons[key], event)
    for key, event in answers:
        _fold_question(questions[key], event)
    if lessons:
        _table("lesson").save(lessons.values())
    if questions:
        _table("question").save(questions.values())
    live = [e for e in events if e["kind"] == "live_answer"]
    if live:
        database.cursor().executemany(LIVE_ANSWER_UPSERT, [_live_answer_row(e) for e in live])


def _live_answer_row(event):
    payload = event["payload"]
    correct = payload.get("correct")
    return (
        payload["live"],
        payload["question"],
        event["learner_id"],
        json.dumps(payload["choices"], separators=(",", ":")),
        None if correct is None else int(correct),
        event["seq"],
    )


def _stored_events(after, limit):
    """Return up to `limit` logged events with seq > after, as the dicts apply() takes."""
    query = (
        Event.select().where(Event.seq > after, Event.learner.is_null(False)).order_by(Event.seq).limit(limit)
    )
    return [
        {
            "seq": e.seq,
            "learner_id": e.learner_id,
            "pack_id": e.pack_id,
            "lesson_id": e.lesson_id,
            "kind": e.kind,
            "payload": e.payload,
            "received_at": e.received_at,
        }
        for e in query
    ]


def rebuild():
    """Recompute the progress tables from the event log; return how many events were read."""
    total = 0
    with write():
        LiveAnswer.delete().execute()
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
        issued = certificates.rebuild()
    logger.info("progress rebuilt from %s events (%s certificates)", total, issued)
    return total


def snapshot():
    """Return the tables as sorted lists of plain tuples (ids left out), for comparing."""

    def rows(model):
        fields = [f for f in model._meta.sorted_fields if f.name != "id"]
        cursor = database.execute_sql(
            f"SELECT {', '.join(f.column_name for f in fields)} FROM {model._meta.table_name}"
        )
        return sorted(tuple(json.dumps(v) if isinstance(v, dict) else v for v in row) for row in cursor)

    return {
        "lesson_progress": rows(LessonProgress),
        "question_progress": rows(QuestionProgress),
        "live_answer": rows(LiveAnswer),
    }
