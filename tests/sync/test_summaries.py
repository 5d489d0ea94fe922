"""The report summaries (issue 20): kept as events are stored, equal to a rebuild from the events,
and what the reports read. Through real hub processes on SQLite and PostgreSQL."""

import datetime as dt
import uuid
from collections import defaultdict

from sync.hub import summaries

from .wirekit import WireKit, event

MONTHS = [int(dt.datetime(2026, m, 10, tzinfo=dt.UTC).timestamp() * 1000) for m in (3, 4, 5)]


def _snapshot(hub):
    return {table: sorted(hub.query(f"SELECT * FROM {table}")) for table in summaries.TABLES}


def _reports(hub):
    from sync.hub import reports

    with hub.db():
        return reports.hours(), reports.learners_reached(), reports.completion()


def _send_history(hub):
    """Two kits, three months, time on lessons, lessons opened and completed, repeats and a stolen id."""
    a, b = WireKit(hub.url, hub.code("a")), WireKit(hub.url, hub.code("b"))
    seq = {a: 0, b: 0}
    shared = str(uuid.uuid4())

    def batch(kit, specs):
        events = []
        for kind, learner, payload, when in specs:
            seq[kit] += 1
            events.append(event(seq[kit], kind=kind, learner=learner, payload=payload, when_ms=when))
        kit.post(seq[kit] - len(events), seq[kit], events)
        return events

    for month, when in enumerate(MONTHS):
        for kit in (a, b):
            sent = batch(
                kit,
                [("time_spent", f"l{i % 3}", {"seconds": 60.5 + i}, when + i) for i in range(6)]
                + [("lesson_opened", f"l{i}", {}, when) for i in range(3)]
                + [("lesson_completed", f"l{i}", {}, when) for i in range(month + 1)]
                + [
                    ("time_spent", "l9", {"seconds": "soon"}, when),
                    ("time_spent", "l9", {"seconds": 1e9}, when),
                ]
                + [("answer", "", {}, when)],
            )
            kit.post(seq[kit] - len(sent), seq[kit], sent)  # the same batch again: nothing new
    events = [event(seq[a] + 1, shared, when_ms=MONTHS[0]), event(seq[a] + 2, when_ms=MONTHS[0])]
    events[1]["uuid"] = shared  # repeated inside the batch
    a.post(seq[a], seq[a] + 2, events)
    b.post(seq[b], seq[b] + 1, [event(seq[b] + 1, shared, when_ms=MONTHS[0])])  # another kit's id
    return a, b


def test_summaries_kept_as_events_arrive_equal_a_rebuild_from_the_events(hub):
    a, b = _send_history(hub)
    incremental = _snapshot(hub)
    assert incremental["hub_sum_hours"], "no summaries kept"
    answer = hub.kit("reports", "rebuild")
    total = hub.query("SELECT COUNT(*) FROM hub_event")[0][0]
    assert answer.stdout.strip() == f"rebuilt the report summaries from {total} event(s)"
    assert _snapshot(hub) == incremental

    hours, reached, completion = _reports(hub)
    per_month = 6 * 60.5 + sum(range(6))  # seconds; "soon" and a billion are not counted
    assert {(r["site"], r["month"], r["hours"]) for r in hours} == {
        (site, month, round(per_month / 3600, 2))
        for site in ("a", "b")
        for month in ("2026-03", "2026-04", "2026-05")
    }
    assert hub.query("SELECT DISTINCT ms FROM hub_sum_hours") == [(round(per_month * 1000),)]  # one pack
    assert {(r["site"], r["month"], r["learners"]) for r in reached} == {
        (site, month, 5 if (site, month) == ("a", "2026-03") else 4)
        for site in ("a", "b")
        for month in ("2026-03", "2026-04", "2026-05")
    }  # l0, l1, l2 and l9; the shared id's learner-1 counts at a only
    assert [(r["pack"], r["lesson"], r["started"], r["completed"], r["rate"]) for r in completion] == [
        ("numeracy", "01-count", 6, 6, "100%")  # l0-l2 at each kit: a learner is one kit's
    ]
    events = dict(hub.query("SELECT kit_id, SUM(events) FROM hub_sum_hours GROUP BY kit_id"))
    assert events == dict(hub.query("SELECT kit_id, COUNT(*) FROM hub_event GROUP BY kit_id"))
    assert events[a.kit_id] == events[b.kit_id] + 1


def test_reports_read_the_summaries_not_the_events(hub):
    _send_history(hub)
    before = _reports(hub)
    with hub.connect() as conn:
        conn.cursor().execute("DELETE FROM hub_event")
        conn.commit()
    assert _reports(hub) == before  # no scan of the event table behind a report
    hub.kit("reports", "rebuild")
    assert _reports(hub) == ([], [], [])


def test_a_hub_upgraded_with_events_already_stored_fills_its_summaries(hub):
    _send_history(hub)
    kept = _snapshot(hub)
    hub.stop()
    with hub.connect() as conn:  # the database as the release before the summaries left it
        cur = conn.cursor()
        for view in ("report_hours", "report_learners", "report_completion", "report_kits"):
            cur.execute(f"DROP VIEW {view}")
        for table in _snapshot(hub):
            cur.execute(f"DROP TABLE {table}")
        cur.execute("DELETE FROM hub_schema WHERE number IN (20, 21, 23, 24)")
        conn.commit()
    hub.start()
    assert _snapshot(hub) == kept


def test_kept_learner_counts_equal_distinct_counts_from_the_events_under_every_filter(hub):
    """hub_sum_reach and hub_sum_people, which the programme page reads, count each learner once
    across courses: a learner in two packs in one month is one person that month. A month range
    reads the counts per previous month (ranges.py), which months arriving out of order move:
    every count equals a distinct count over hub_event itself."""
    a, b = _send_history(hub)
    extra = [
        event(100 + i, kind=kind, learner=learner, when_ms=MONTHS[month])
        for i, (kind, learner, month) in enumerate(
            [
                ("lesson_opened", "l0", 0),
                ("lesson_opened", "l0", 1),
                ("lesson_completed", "l7", 0),
                ("lesson_opened", "l8", 2),
                ("lesson_opened", "l8", 0),
                ("lesson_opened", "l8", 1),
            ]
        )
    ]  # l0 opens the literacy lesson in March and in April: one learner who started it; l8 comes
    # in May, then March (May's previous month moves to March), then April (between the two)
    for e in extra:
        e["pack_id"] = "literacy"
    seq = hub.query(f"SELECT acked_seq FROM hub_kit WHERE kit_id = '{a.kit_id}'")[0][0]
    for i, e in enumerate(extra):  # one batch each: the later ones find earlier months kept
        e["seq"] = seq + 1 + i
        a.post(seq + i, seq + 1 + i, [e])
    incremental = _snapshot(hub)
    assert {(m, p) for kit, m, p, _ in incremental["hub_sum_reach_prev"] if kit == a.kit_id} >= {
        ("2026-04", "2026-03"),
        ("2026-05", "2026-04"),
    }
    hub.kit("reports", "rebuild")
    assert _snapshot(hub) == incremental
    from sync.hub import summaries

    with hub.connect() as conn:  # one kit's rebuild, as a clock correction makes it, remakes that kit's rows
        for table in incremental:
            conn.cursor().execute(f"DELETE FROM {table} WHERE kit_id = '{a.kit_id}'")
        conn.commit()
    assert _snapshot(hub) != incremental
    with hub.db():
        summaries.rebuild(a.kit_id)
    assert _snapshot(hub) == incremental
    reach = dict(
        ((kit, month), n) for kit, month, n in hub.query("SELECT kit_id, month, learners FROM hub_sum_reach")
    )
    assert reach[(a.kit_id, "2026-03")] == 7  # l0-l2, l9, the shared id's learner-1, l7, l8; l0 once
    assert dict(hub.query("SELECT kit_id, learners FROM hub_sum_people")) == {a.kit_id: 7, b.kit_id: 4}

    from sync.hub import programme

    def from_events(args, month):
        f = programme.Filters(args)
        where, params = f.where()
        events = (
            f"(SELECT kit_id, {month} AS month, pack_id, lesson_id, kind, learner_uuid FROM hub_event) e "
            f"WHERE {where}"
        )
        months = hub.query(
            "SELECT month, COUNT(DISTINCT kit_id || '/' || learner_uuid) FROM "
            f"{events} AND learner_uuid <> '' GROUP BY month ORDER BY month",
            *params,
        )
        people = hub.query(
            f"SELECT COUNT(DISTINCT kit_id || '/' || learner_uuid) FROM {events} AND learner_uuid <> ''",
            *params,
        )[0][0]
        lessons = hub.query(
            "SELECT pack_id, lesson_id, kind, COUNT(DISTINCT kit_id || '/' || learner_uuid) FROM "
            f"{events} AND kind IN ('lesson_opened', 'lesson_completed') GROUP BY pack_id, lesson_id, kind",
            *params,
        )
        done = defaultdict(dict)
        for pack, lesson, kind, n in lessons:
            done[(pack, lesson)][kind] = n
        completion = [
            (pack, lesson, n.get("lesson_opened", 0), n.get("lesson_completed", 0))
            for (pack, lesson), n in sorted(done.items())
        ]
        return ([m for m, _ in months], [n for _, n in months]), people, completion

    with hub.db():
        month = summaries._month_sql()
        for args in (
            {},
            {"site": "a"},
            {"course": "literacy"},
            {"from": "2026-04"},
            {"from": "2026-05"},
            {"to": "2026-04"},
            {"from": "2026-04", "to": "2026-04"},
            {"from": "2026-04", "site": "a"},
            {"to": "2026-03", "site": "b"},
            {"from": "2026-04", "to": "2026-05", "course": "literacy"},
            {"from": "2026-03", "to": "2026-04", "course": "numeracy", "site": "a"},
        ):
            f = programme.Filters(args)
            kept = (
                programme.learners(f),
                programme.tiles(f)["people"],
                [row[:4] for row in programme.completion(f)],
            )
            assert kept == from_events(args, month), args
        assert programme.tiles(programme.Filters({}))["people"] == 11
        assert (
            programme.tiles(programme.Filters({"from": "2026-04", "to": "2026-04", "site": "a"}))["people"]
            == 5
        )
        assert [row[:4] for row in programme.completion(programme.Filters({"course": "literacy"}))] == [
            ("literacy", "01-count", 2, 1)
        ]
