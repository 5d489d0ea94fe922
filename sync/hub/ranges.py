"""Distinct learners over any month range, exactly, from counts kept as events are stored.

A learner seen in several months is one person over a range of them, so counts per month do
not add up, and counting distinct over the per-month rows grows with history (docs/
performance.md: p95 about 1 s over 1 M events). Instead each month a learner was seen is
kept with the month they were seen before it (`prev`, '' for none), and counted per (month,
prev). A learner seen in [a, b] has exactly one month in it whose previous month is before a
(or none): their first month in the range. So

    learners in [a, b] = SUM(learners) WHERE a <= month <= b AND prev < a   (prev = '' without a)

a sum over rows per kit, month and previous month, whatever the history's length. Kept for a
kit's learners (any pack: hub_sum_reach_prev, from the months in hub_sum_visit) and for each
lesson and kind (hub_sum_lesson_prev, from the months in hub_sum_lesson).

A month that arrives between two others (a kit's clock corrected, a card carried late) changes
the next month's `prev`: `add` moves that month's count from its old bucket to its new one.
"""

from collections import Counter, defaultdict

from .db import database, execute_values

CHUNK = 150  # keys per IN (VALUES …) list: 750 parameters, under SQLite's oldest limit of 999


def first_in_range(since):
    """(SQL, params) that keep the rows counting a learner at their first month from `since` on."""
    return (f"prev < {database.param}", [since]) if since else ("prev = ''", [])


def _prevs(months):
    """{month: the month before it in `months` ('' for the first)}."""
    ordered = sorted(months)
    return dict(zip(ordered, [""] + ordered[:-1]))


def moves(existing, touched):
    """Count changes and new rows when `touched` months join `existing` ones.

    Both map a key (…, learner) to a set of months. Returns (Counter of ((…), month, prev) -> change,
    [(*key, month)] new rows).
    """
    change, rows = Counter(), []
    for key, months in touched.items():
        old = existing.get(key, set())
        if months <= old:
            continue
        before, after = _prevs(old), _prevs(old | months)
        for month, prev in after.items():
            if before.get(month) == prev:
                continue
            if month in before:
                change[(key[:-1], month, before[month])] -= 1
            change[(key[:-1], month, prev)] += 1
        rows += [(*key, month) for month in sorted(months - old)]
    return change, rows


def _existing(cursor, table, columns, keys):
    """{key: {months}} for these keys (tuples of `columns`, the kit first), read from `table`.

    Exact keys, not a learner's every row: those grow with the learner's history. The kits are
    named apart too: without them PostgreSQL hash-joined the keys with a scan of the whole
    table (4 ms a batch at 200 kits, growing with every kit's history); with them it reads
    these kits' index range only.
    """
    p, found, keys = database.param, defaultdict(set), sorted(keys)
    row = f"({', '.join([p] * len(columns))})"
    for i in range(0, len(keys), CHUNK):
        part = keys[i : i + CHUNK]
        kits = sorted({key[0] for key in part})
        cursor.execute(
            f"SELECT {', '.join(columns)}, month FROM {table} WHERE {columns[0]} IN ({', '.join([p] * len(kits))}) "
            f"AND ({', '.join(columns)}) IN (VALUES {', '.join([row] * len(part))})",
            [*kits, *(value for key in part for value in key)],
        )
        for *key, month in cursor.fetchall():
            found[tuple(key)].add(month)
    return found


def _apply(cursor, table, columns, change):
    """Add `change` to a count table's rows; drop the rows it brings to nothing."""
    keys = (*columns, "month", "prev")
    execute_values(
        cursor,
        f"INSERT INTO {table} ({', '.join(keys)}, learners) VALUES ROWS "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET learners = {table}.learners + excluded.learners",
        sorted((*group, month, prev, n) for (group, month, prev), n in change.items() if n),
    )
    execute_values(
        cursor,
        f"DELETE FROM {table} WHERE ({', '.join(keys)}) IN (VALUES ROWS) AND learners = 0",
        sorted((*group, month, prev) for (group, month, prev), n in change.items() if n < 0),
    )


def add(cursor, learners, lessons):
    """Keep the range counts for a batch's new summary rows; call before they are inserted.

    `learners`: (kit, month, pack, learner); `lessons`: (kit, month, pack, lesson, learner, kind),
    as summaries._tally makes them. Safe under concurrency as summaries._count_learners is: a
    key is one kit's, and a kit's batches are stored one at a time.
    """
    seen = defaultdict(set)
    for kit_id, month, _, learner in learners:
        seen[(kit_id, learner)].add(month)
    old = _existing(cursor, "hub_sum_visit", ("kit_id", "learner_uuid"), seen)
    change, rows = moves(old, seen)
    execute_values(cursor, "INSERT INTO hub_sum_visit (kit_id, learner_uuid, month) VALUES ROWS", rows)
    _apply(cursor, "hub_sum_reach_prev", ("kit_id",), change)

    columns = ("kit_id", "pack_id", "lesson_id", "kind", "learner_uuid")
    seen = defaultdict(set)
    for kit_id, month, pack, lesson, learner, kind in lessons:
        seen[(kit_id, pack, lesson, kind, learner)].add(month)
    old = _existing(cursor, "hub_sum_lesson", columns, seen)
    change, _ = moves(old, seen)
    _apply(cursor, "hub_sum_lesson_prev", columns[:-1], change)


def rebuild_sql(only):
    """The rebuild's statements for these tables, after hub_sum_learner and hub_sum_lesson are made."""
    lesson = "kit_id, pack_id, lesson_id, kind"
    return (
        "INSERT INTO hub_sum_visit (kit_id, learner_uuid, month) "
        f"SELECT DISTINCT kit_id, learner_uuid, month FROM hub_sum_learner WHERE 1 = 1 {only}",
        "INSERT INTO hub_sum_reach_prev (kit_id, month, prev, learners) SELECT kit_id, month, prev, COUNT(*) "
        "FROM (SELECT kit_id, month, COALESCE(LAG(month) OVER (PARTITION BY kit_id, learner_uuid ORDER BY month), '') "
        f"AS prev FROM hub_sum_visit WHERE 1 = 1 {only}) v GROUP BY kit_id, month, prev",
        f"INSERT INTO hub_sum_lesson_prev ({lesson}, month, prev, learners) SELECT {lesson}, month, prev, COUNT(*) "
        f"FROM (SELECT {lesson}, month, COALESCE(LAG(month) OVER (PARTITION BY {lesson}, learner_uuid "
        f"ORDER BY month), '') AS prev FROM hub_sum_lesson WHERE 1 = 1 {only}) v "
        f"GROUP BY {lesson}, month, prev",
    )
