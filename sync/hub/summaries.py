"""Summary tables the reports read, kept up as events are stored, so a report never scans hub_event.

Three tables per kit, month (the corrected time's 'YYYY-MM') and pack (the course filter):
  hub_sum_hours    milliseconds on lessons (time_spent events) and the number of events;
  hub_sum_learner  each learner seen (learners reached under a course filter);
  hub_sum_lesson   each learner who opened or completed a lesson (completion per pack/lesson);
and learner counts beside hub_sum_learner and hub_sum_lesson, which hold up to a row per
event when learners are many or histories long, so the unfiltered reports (and those for a
site) never count distinct over them; a month range or a course still does:
  hub_sum_reach           a kit's distinct learners per month, any pack;
  hub_sum_person          each learner a kit ever reported; hub_sum_people: their number per kit;
  hub_sum_lesson_learner  each learner who opened or completed a lesson, any month;
  hub_sum_lesson_count    their number per kit, lesson and kind;
  hub_sum_kit_hours       hub_sum_hours without the pack: the charts' hours unless a course is chosen;
and the counts a month range reads (ranges.py): hub_sum_visit, hub_sum_reach_prev, hub_sum_lesson_prev.
Milliseconds are whole numbers so that sums are exact in any order: the incremental
tables and a rebuild from events are equal, not nearly equal (tests/sync/test_summaries.py).

Kept by kit, not site: a kit's site may be renamed, and the reports map kits to sites as
they read. Class-session attendance stays read from the session records (one row per
session, upserted by kits, not events). Certificates, when they become events, get their
own table here: one more branch in `_tally` and one more table in TABLES.
"""

import functools
import json
from collections import defaultdict

from . import ranges
from .db import database, dialect, execute_many, execute_values
from .models import DAY_MS, ms_to_dt

TABLES = (
    "hub_sum_hours",
    "hub_sum_learner",
    "hub_sum_lesson",
    "hub_sum_reach",
    "hub_sum_person",
    "hub_sum_people",
    "hub_sum_lesson_learner",
    "hub_sum_lesson_count",
    "hub_sum_kit_hours",
    "hub_sum_visit",
    "hub_sum_reach_prev",
    "hub_sum_lesson_prev",
)
LESSON_KINDS = ("lesson_opened", "lesson_completed")
MAX_SECONDS = 86400  # one time_spent record longer than a day is a kit's clock going wrong: not counted
CHUNK = 20_000  # time_spent events per read when rebuilding: bounded memory at any size


def month_of(when):
    """'YYYY-MM' of a datetime or of SQLite's text for one."""
    return str(when)[:7]


@functools.lru_cache(maxsize=4096)
def _month_of_day(day):
    return month_of(ms_to_dt(day * DAY_MS))


def month_of_ms(ms):
    """'YYYY-MM' of a time in milliseconds since 1970, as month_of(ms_to_dt(ms)), read once per day."""
    return _month_of_day(ms // DAY_MS)


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
    """Count newly stored events into the summaries, in the storing transaction: a statement a table."""
    if not rows:
        return
    hours, learners, lessons = _tally(rows)
    cursor = database.cursor()
    execute_values(
        cursor,
        "INSERT INTO hub_sum_hours (kit_id, month, pack_id, ms, events) VALUES ROWS "
        "ON CONFLICT (kit_id, month, pack_id) DO UPDATE SET ms = hub_sum_hours.ms + excluded.ms, "
        "events = hub_sum_hours.events + excluded.events",
        hours,
    )
    by_month = defaultdict(lambda: [0, 0])
    for kit_id, month, _, ms, n in hours:
        by_month[(kit_id, month)][0] += ms
        by_month[(kit_id, month)][1] += n
    execute_values(
        cursor,
        "INSERT INTO hub_sum_kit_hours (kit_id, month, ms, events) VALUES ROWS "
        "ON CONFLICT (kit_id, month) DO UPDATE SET ms = hub_sum_kit_hours.ms + excluded.ms, "
        "events = hub_sum_kit_hours.events + excluded.events",
        sorted((*key, ms, n) for key, (ms, n) in by_month.items()),
    )
    ranges.add(cursor, learners, lessons)  # reads the months kept before this batch's
    if learners:
        execute_values(
            cursor,
            "INSERT INTO hub_sum_learner (kit_id, month, pack_id, learner_uuid) VALUES ROWS ON CONFLICT DO NOTHING",
            learners,
        )
        _count_learners(cursor, learners)
    if lessons:
        execute_values(
            cursor,
            "INSERT INTO hub_sum_lesson (kit_id, month, pack_id, lesson_id, learner_uuid, kind) VALUES ROWS "
            "ON CONFLICT DO NOTHING",
            lessons,
        )
        _count_lessons(cursor, lessons)


def _count_lessons(cursor, lessons):
    """Recount a kit's learners per lesson and kind for the lessons these rows touch (as _count_learners)."""
    execute_values(
        cursor,
        "INSERT INTO hub_sum_lesson_learner (kit_id, pack_id, lesson_id, kind, learner_uuid) VALUES ROWS "
        "ON CONFLICT DO NOTHING",
        sorted({(kit_id, pack, lesson, kind, learner) for kit_id, _, pack, lesson, learner, kind in lessons}),
    )
    execute_values(
        cursor,
        "WITH k (kit_id, pack_id, lesson_id, kind) AS (VALUES ROWS) "
        "INSERT INTO hub_sum_lesson_count (kit_id, pack_id, lesson_id, kind, learners) "
        "SELECT kit_id, pack_id, lesson_id, kind, (SELECT COUNT(*) FROM hub_sum_lesson_learner l "
        "WHERE l.kit_id = k.kit_id AND l.pack_id = k.pack_id AND l.lesson_id = k.lesson_id AND l.kind = k.kind) "
        "FROM k WHERE true ON CONFLICT (kit_id, pack_id, lesson_id, kind) DO UPDATE SET learners = excluded.learners",
        sorted({(kit_id, pack, lesson, kind) for kit_id, _, pack, lesson, _, kind in lessons}),
    )


def _count_learners(cursor, learners):
    """Recount the learner counts of the kits and months these learner rows touch.

    A recount, not an increment: it is right whatever was there before, and small (one kit's
    learners in one month; one kit's learners, read from its own index range). One statement
    for all the keys, each counted by a correlated subquery: an index range per key whatever
    the table's size (`(keys) IN (VALUES …)` let PostgreSQL hash-join a scan of the table). Safe under
    concurrency because a kit's batches are stored one at a time (ingest locks the kit's row),
    and a count is only ever one kit's.
    """
    execute_values(
        cursor,
        "INSERT INTO hub_sum_person (kit_id, learner_uuid) VALUES ROWS ON CONFLICT DO NOTHING",
        sorted({(kit_id, learner) for kit_id, _, _, learner in learners}),
    )
    execute_values(
        cursor,
        "WITH k (kit_id, month) AS (VALUES ROWS) INSERT INTO hub_sum_reach (kit_id, month, learners) "
        "SELECT kit_id, month, (SELECT COUNT(DISTINCT learner_uuid) FROM hub_sum_learner s "
        "WHERE s.kit_id = k.kit_id AND s.month = k.month) "
        "FROM k WHERE true ON CONFLICT (kit_id, month) DO UPDATE SET learners = excluded.learners",
        sorted({(kit_id, month) for kit_id, month, _, _ in learners}),
    )
    execute_values(
        cursor,
        "WITH k (kit_id) AS (VALUES ROWS) INSERT INTO hub_sum_people (kit_id, learners) "
        "SELECT kit_id, (SELECT COUNT(*) FROM hub_sum_person p WHERE p.kit_id = k.kit_id) "
        "FROM k WHERE true ON CONFLICT (kit_id) DO UPDATE SET learners = excluded.learners",
        sorted({(kit_id,) for kit_id, _, _, _ in learners}),
    )


def _month_sql():
    """SQL for an event's 'YYYY-MM', as month_of makes it (SQLite keeps the time as text)."""
    return (
        "to_char(corrected_time, 'YYYY-MM')" if dialect() == "postgresql" else "substr(corrected_time, 1, 7)"
    )


def rebuild(kit_id=None):
    """Remake the summaries from hub_event (one kit's, or all); return the events read.

    Set-based: each table is one INSERT … SELECT … GROUP BY over the events (or over the table
    made before it), as the tally of `add` would make it. Only the milliseconds of time_spent
    events are summed here in Python, by the same `_ms` the incremental path uses: a payload
    is a kit's JSON, and SQL's reading of a bad one (or its rounding) need not be Python's.
    Before: a Python tally of every event in 20,000-event chunks (docs/performance.md).

    In one transaction: readers see the old summaries until the new ones are whole. A whole
    rebuild locks the summaries against writers (SQLite's write lock does on its own), so a
    batch stored meanwhile waits instead of being counted by both; one kit's rebuild runs
    where that kit's row is locked already, so its batches wait anyway.
    """
    p, month = database.param, _month_sql()
    only, params = (f"AND kit_id = {p}", (kit_id,)) if kit_id else ("", ())
    with database.atomic():
        if kit_id is None and dialect() == "postgresql":
            database.execute_sql(f"LOCK TABLE {', '.join(TABLES)} IN EXCLUSIVE MODE")
        for table in TABLES:
            database.execute_sql(f"DELETE FROM {table} WHERE 1 = 1 {only}", params)
        events = f"FROM hub_event WHERE 1 = 1 {only}"
        for sql in (
            "INSERT INTO hub_sum_hours (kit_id, month, pack_id, ms, events) "
            f"SELECT kit_id, {month}, pack_id, 0, COUNT(*) {events} GROUP BY kit_id, {month}, pack_id",
            "INSERT INTO hub_sum_learner (kit_id, month, pack_id, learner_uuid) "
            f"SELECT DISTINCT kit_id, {month}, pack_id, learner_uuid {events} AND learner_uuid <> ''",
            "INSERT INTO hub_sum_lesson (kit_id, month, pack_id, lesson_id, learner_uuid, kind) "
            f"SELECT DISTINCT kit_id, {month}, pack_id, lesson_id, learner_uuid, kind {events} "
            f"AND kind IN ({', '.join(repr(k) for k in LESSON_KINDS)})",
            "INSERT INTO hub_sum_reach (kit_id, month, learners) SELECT kit_id, month, COUNT(DISTINCT learner_uuid) "
            f"FROM hub_sum_learner WHERE 1 = 1 {only} GROUP BY kit_id, month",
            "INSERT INTO hub_sum_person (kit_id, learner_uuid) "
            f"SELECT DISTINCT kit_id, learner_uuid FROM hub_sum_learner WHERE 1 = 1 {only}",
            "INSERT INTO hub_sum_people (kit_id, learners) "
            f"SELECT kit_id, COUNT(*) FROM hub_sum_person WHERE 1 = 1 {only} GROUP BY kit_id",
            "INSERT INTO hub_sum_lesson_learner (kit_id, pack_id, lesson_id, kind, learner_uuid) "
            f"SELECT DISTINCT kit_id, pack_id, lesson_id, kind, learner_uuid FROM hub_sum_lesson WHERE 1 = 1 {only}",
            "INSERT INTO hub_sum_lesson_count (kit_id, pack_id, lesson_id, kind, learners) "
            "SELECT kit_id, pack_id, lesson_id, kind, COUNT(*) FROM hub_sum_lesson_learner "
            f"WHERE 1 = 1 {only} GROUP BY kit_id, pack_id, lesson_id, kind",
            *ranges.rebuild_sql(only),
        ):
            database.execute_sql(sql, params)
        _rebuild_ms(only, params, month)
        database.execute_sql(
            "INSERT INTO hub_sum_kit_hours (kit_id, month, ms, events) SELECT kit_id, month, SUM(ms), SUM(events) "
            f"FROM hub_sum_hours WHERE 1 = 1 {only} GROUP BY kit_id, month",
            params,
        )
        return database.execute_sql(f"SELECT COUNT(*) {events}", params).fetchone()[0]


def _rebuild_ms(only, params, month):
    """Sum the time_spent events' milliseconds into hub_sum_hours, CHUNK events a read (bounded memory)."""
    p, last = database.param, 0
    while True:  # ends: each pass reads ids above the last, from a table this transaction does not grow
        chunk = database.execute_sql(
            f"SELECT id, kit_id, {month}, pack_id, payload FROM hub_event "
            f"WHERE kind = 'time_spent' AND id > {p} {only} ORDER BY id LIMIT {CHUNK}",
            (last, *params),
        ).fetchall()
        if not chunk:
            return
        ms = defaultdict(int)
        for _, kit, when, pack, payload in chunk:
            ms[(kit, when, pack)] += _ms(payload)
        execute_many(
            database.cursor(),
            f"UPDATE hub_sum_hours SET ms = ms + {p} WHERE kit_id = {p} AND month = {p} AND pack_id = {p}",
            [(n, *key) for key, n in ms.items() if n],
        )
        last = chunk[-1][0]
