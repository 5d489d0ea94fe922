"""Summary tables the reports read, kept up as events are stored, so a report never scans hub_event.

Three tables, per kit, month (the corrected time's 'YYYY-MM') and pack (the course filter):
  hub_sum_hours    milliseconds on lessons (time_spent events) and the number of events;
  hub_sum_learner  each learner seen (learners reached: a distinct count over a small table);
  hub_sum_lesson   each learner who opened or completed a lesson (completion per pack/lesson).
Milliseconds are whole numbers so that sums are exact in any order: the incremental
tables and a rebuild from events are equal, not nearly equal (tests/sync/test_summaries.py).

Kept by kit, not site: a kit's site may be renamed, and the reports map kits to sites as
they read. Class-session attendance stays read from the session records (one row per
session, upserted by kits, not events). Certificates, when they become events, get their
own table here: one more branch in `_tally` and one more table in TABLES.
"""

import json
from collections import defaultdict

from .db import database, dialect

TABLES = ("hub_sum_hours", "hub_sum_learner", "hub_sum_lesson")
LESSON_KINDS = ("lesson_opened", "lesson_completed")
MAX_SECONDS = 86400  # one time_spent record longer than a day is a kit's clock going wrong: not counted
CHUNK = 20_000  # events per read when rebuilding: bounded memory at any size


def month_of(when):
    """'YYYY-MM' of a datetime or of SQLite's text for one."""
    return str(when)[:7]


def _ms(payload):
    try:
        seconds = float(json.loads(payload).get("seconds", 0))
    except (ValueError, TypeError, AttributeError):
        return 0
    return round(seconds * 1000) if 0 < seconds < MAX_SECONDS else 0


def _tally(rows):
    """Fold rows (kit_id, kind, learner, pack, lesson, payload_text, corrected_time) into the tables' rows."""
    hours = defaultdict(lambda: [0, 0])
    learners, lessons = set(), set()
    for kit_id, kind, learner, pack, lesson, payload, when in rows:
        month = month_of(when)
        cell = hours[(kit_id, month, pack)]
        cell[1] += 1
        if kind == "time_spent":
            cell[0] += _ms(payload)
        if learner:
            learners.add((kit_id, month, pack, learner))
        if kind in LESSON_KINDS:
            lessons.add((kit_id, month, pack, lesson, learner, kind))
    return [(*key, ms, n) for key, (ms, n) in hours.items()], sorted(learners), sorted(lessons)


def add(rows):
    """Count newly stored events into the summaries, in the storing transaction."""
    if not rows:
        return
    hours, learners, lessons = _tally(rows)
    p, cursor = database.param, database.cursor()
    cursor.executemany(
        f"INSERT INTO hub_sum_hours (kit_id, month, pack_id, ms, events) VALUES ({p}, {p}, {p}, {p}, {p}) "
        "ON CONFLICT (kit_id, month, pack_id) DO UPDATE SET ms = hub_sum_hours.ms + excluded.ms, "
        "events = hub_sum_hours.events + excluded.events",
        hours,
    )
    if learners:
        cursor.executemany(
            f"INSERT INTO hub_sum_learner (kit_id, month, pack_id, learner_uuid) VALUES ({p}, {p}, {p}, {p}) "
            "ON CONFLICT DO NOTHING",
            learners,
        )
    if lessons:
        cursor.executemany(
            "INSERT INTO hub_sum_lesson (kit_id, month, pack_id, lesson_id, learner_uuid, kind) "
            f"VALUES ({p}, {p}, {p}, {p}, {p}, {p}) ON CONFLICT DO NOTHING",
            lessons,
        )


def rebuild(kit_id=None):
    """Remake the summaries from hub_event (one kit's, or all); return the events read.

    In one transaction: readers see the old summaries until the new ones are whole. A whole
    rebuild locks the summaries against writers (SQLite's write lock does on its own), so a
    batch stored meanwhile waits instead of being counted by both; one kit's rebuild runs
    where that kit's row is locked already, so its batches wait anyway.
    """
    p = database.param
    only = f"AND kit_id = {p}" if kit_id else ""
    read = 0
    with database.atomic():
        if kit_id is None and dialect() == "postgresql":
            database.execute_sql(f"LOCK TABLE {', '.join(TABLES)} IN EXCLUSIVE MODE")
        for table in TABLES:
            database.execute_sql(f"DELETE FROM {table} WHERE 1 = 1 {only}", (kit_id,) if kit_id else ())
        last = 0
        while True:  # ends: each pass reads ids above the last, from a table this transaction does not grow
            chunk = database.execute_sql(
                "SELECT id, kit_id, kind, learner_uuid, pack_id, lesson_id, payload, corrected_time "
                f"FROM hub_event WHERE id > {p} {only} ORDER BY id LIMIT {CHUNK}",
                (last, kit_id) if kit_id else (last,),
            ).fetchall()
            if not chunk:
                return read
            add([row[1:] for row in chunk])
            read += len(chunk)
            last = chunk[-1][0]
