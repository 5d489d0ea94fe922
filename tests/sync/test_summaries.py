"""The report summaries (issue 20): kept as events are stored, equal to a rebuild from the events,
and what the reports read. Through real hub processes on SQLite and PostgreSQL."""

import datetime as dt
import uuid

from .wirekit import WireKit, event

MONTHS = [int(dt.datetime(2026, m, 10, tzinfo=dt.UTC).timestamp() * 1000) for m in (3, 4, 5)]


def _snapshot(hub):
    return {
        table: sorted(hub.query(f"SELECT * FROM {table}"))
        for table in ("hub_sum_hours", "hub_sum_learner", "hub_sum_lesson")
    }


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
        for table in ("hub_sum_hours", "hub_sum_learner", "hub_sum_lesson"):
            cur.execute(f"DROP TABLE {table}")
        cur.execute("DELETE FROM hub_schema WHERE number IN (20, 21)")
        conn.commit()
    hub.start()
    assert _snapshot(hub) == kept
