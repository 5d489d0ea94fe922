"""Assignments, the live grid, learner and question views, help flags, class sessions."""

import datetime as dt

import pytest

from kit import assignments, class_sessions
from kit.db import write
from kit.errors import Conflict, KitError, NotFound
from kit.events import record
from kit.models import Assignment, Attendance, ClassSession, Event, LessonProgress

from .helpers import event, post


def cells(client, class_id):
    data = client.get(f"/teach/classes/{class_id}/grid.json").get_json()
    return {row["name"]: row["cells"] for row in data["learners"]}, data


def test_assign_whole_pack_and_refuse_bad_assignments(teach_app, ids):
    assignments.assign(ids["class"], "mini", due_date="2030-01-31")
    lessons = [l.lesson_id for l in assignments.assigned_lessons(ids["class"])]
    assert lessons == ["01-count", "02-shapes"]  # 01-count once, though assigned twice
    before = list(Assignment.select().tuples())
    for args, error, message in [
        (("nope",), NotFound, "no pack 'nope'"),
        (("mini", "99-x"), NotFound, "no lesson '99-x'"),
        (("mini", "01-count"), Conflict, "already assigned"),
    ]:
        with pytest.raises(error, match=message):
            assignments.assign(ids["class"], *args)
    with pytest.raises(KitError, match="not a date like"):
        assignments.assign(ids["class"], "mini", "02-shapes", due_date="31/01/2030")
    assert list(Assignment.select().tuples()) == before


def test_assign_page_with_due_date_and_remove(teacher, ids):
    page = f"/teach/classes/{ids['class']}/assign"
    post(teacher, page, {"what": "mini/02-shapes", "due_date": "2030-02-01"}, page=page)
    row = Assignment.get(Assignment.lesson_id == "02-shapes")
    assert row.due_date == dt.date(2030, 2, 1)
    bad = post(teacher, page, {"what": "mini/02-shapes", "due_date": "tomorrow"}, page=page)
    assert bad.status_code == 200 and "not a date like" in bad.get_data(as_text=True)
    post(teacher, f"/teach/assignments/{row.id}/remove", page=page)
    assert not Assignment.select().where(Assignment.lesson_id == "02-shapes").exists()


def test_grid_json_follows_learner_events(teacher, ids):
    grid, data = cells(teacher, ids["class"])
    assert [l["lesson_id"] for l in data["lessons"]] == ["01-count"]
    assert grid == {"Ada": ["not_started"], "Ben": ["not_started"]}
    record([event("lesson_opened")], ids["ada"])
    assert cells(teacher, ids["class"])[0]["Ada"] == ["in_progress"]
    record([event("help_requested")], ids["ben"])
    grid, data = cells(teacher, ids["class"])
    assert grid["Ben"] == ["needs_help"]
    assert data["labels"]["needs_help"] == "Needs help"
    assert data["help"] == [
        {
            "text": "Ben in Counting mangoes",
            "pack_id": "mini",
            "lesson_id": "01-count",
            "url": f"/teach/learners/{ids['ben']}/dismiss-help",
        }
    ]
    answers = [
        event("answer", {"question_id": q, "response": r, "attempt": 1})
        for q, r in [("q1", "b"), ("q2", ["a", "c"]), ("q3", 3), ("q4", "mango")]
    ]
    record(answers + [event("quiz_finished", {"attempt": 1}), event("lesson_completed")], ids["ada"])
    assert cells(teacher, ids["class"])[0]["Ada"] == ["mastered"]
    page = teacher.get(f"/teach/classes/{ids['class']}").get_data(as_text=True)
    assert 'data-status="mastered"' in page and 'data-status="needs_help"' in page


def test_help_flag_dismissed_through_an_event(teacher, ids):
    record([event("help_requested")], ids["ben"])
    page = teacher.get(f"/teach/classes/{ids['class']}").get_data(as_text=True)
    assert '<p id="no-help" hidden>' in page
    before = Event.select().count()
    post(teacher, f"/teach/learners/{ids['ben']}/dismiss-help", {"pack_id": "mini", "lesson_id": "01-count"})
    dismissed = Event.select().order_by(Event.seq.desc()).first()
    assert Event.select().count() == before + 1
    assert (dismissed.kind, dismissed.learner_id, dismissed.payload["by"]) == (
        "help_dismissed",
        ids["ben"],
        "tina",
    )
    assert cells(teacher, ids["class"])[0]["Ben"] == ["in_progress"]
    assert '<p id="no-help">Nobody has asked for help.' in teacher.get(
        f"/teach/classes/{ids['class']}"
    ).get_data(as_text=True)


def test_dismiss_help_for_unknown_lesson_is_refused_and_logs_nothing(teacher, ids):
    before = Event.select().count()
    response = post(
        teacher, f"/teach/learners/{ids['ben']}/dismiss-help", {"pack_id": "mini", "lesson_id": "nope"}
    )
    assert Event.select().count() == before
    assert "nope" in teacher.get(response.location).get_data(as_text=True)


def test_learner_and_question_views(teacher, ids):
    record(
        [
            event("answer", {"question_id": "q1", "response": "a", "attempt": 1}),
            event("answer", {"question_id": "q1", "response": "a", "attempt": 1}),
            event("answer", {"question_id": "q3", "response": 5, "attempt": 1}),
            event("time_spent", {"seconds": 180}),
        ],
        ids["ada"],
    )
    record([event("answer", {"question_id": "q1", "response": "b", "attempt": 1})], ids["ben"])
    page = teacher.get(f"/teach/classes/{ids['class']}/questions").get_data(as_text=True)
    assert page.index("How many mangoes are in the picture?") < page.index("2 + 1 = ?")
    assert "<td>Counting mangoes</td><td>2</td><td>2</td><td>1</td>" in page
    ada = teacher.get(f"/teach/learners/{ids['ada']}").get_data(as_text=True)
    assert "3 min" in ada and "Last seen: never" not in ada


def test_session_minutes_attendance_and_summary(teach_app, ids):
    sess = class_sessions.start_session(ids["class"])
    with pytest.raises(Conflict, match="already running"):
        class_sessions.start_session(ids["class"])
    # The session began 40 minutes ago. Ada's events came at +1, +3, +5 and +31 minutes
    # (the 26-minute gap counts 5), and one came before the session (not counted).
    start = sess.started_at - dt.timedelta(minutes=40)
    with write():
        ClassSession.update(started_at=start).where(ClassSession.id == sess.id).execute()
        for offset in (-600, 60, 180, 300, 1860):
            Event.create(
                uuid=f"u-{offset}",
                learner=ids["ada"],
                pack_id="mini",
                lesson_id="01-count",
                kind="time_spent",
                payload={"seconds": 1},
                received_at=start + dt.timedelta(seconds=offset),
            )
    class_sessions.mark_present(sess.id, ids["ben"])  # Ben shared Ada's tablet
    ended = class_sessions.end_session(sess.id)
    minutes = {a.learner_id: a.minutes for a in Attendance.select()}
    assert minutes == {ids["ada"]: 4 + 5, ids["ben"]: 0}
    assert ended.summary["attended"] == 2 and ended.summary["enrolled"] == 2
    assert ended.summary["learning_minutes"] == 9
    with pytest.raises(Conflict, match="already ended"):
        class_sessions.end_session(sess.id)
    with pytest.raises(Conflict, match="has ended"):
        class_sessions.mark_present(sess.id, ids["ada"])


def test_learning_seconds_caps_idle_gaps():
    t0 = dt.datetime(2026, 1, 1, 9)
    times = [t0, t0 + dt.timedelta(seconds=60), t0 + dt.timedelta(hours=2)]
    assert class_sessions.learning_seconds(times) == 60 + class_sessions.IDLE_GAP_S
    assert class_sessions.learning_seconds([t0]) == 0


def test_session_pages(teacher, ids):
    class_page = f"/teach/classes/{ids['class']}"
    started = post(teacher, f"/teach/classes/{ids['class']}/sessions", page=class_page)
    assert "/teach/sessions/" in started.location
    record([event("lesson_opened")], ids["ada"])
    live = teacher.get(started.location).get_data(as_text=True)
    assert "Mark Ada absent" in live and "Mark Ben present" in live
    again = post(teacher, f"/teach/classes/{ids['class']}/sessions", page=class_page)
    assert "already running" in teacher.get(again.location).get_data(as_text=True)
    end_url = started.location + "/end"
    post(teacher, end_url, page=started.location)
    summary = teacher.get(started.location).get_data(as_text=True)
    assert "1 of 2 learners" in summary
    listing = teacher.get(f"/teach/classes/{ids['class']}/sessions").get_data(as_text=True)
    assert "running" not in listing


def test_session_for_a_learner_of_another_class_is_refused(teach_app, ids):
    from kit.roster import add_learner, create_class

    other = add_learner(create_class("Other").id, name="Zoe")
    sess = class_sessions.start_session(ids["class"])
    with pytest.raises(KitError, match="not in the session's class"):
        class_sessions.mark_present(sess.id, other.id)
    assert Attendance.select().count() == 0
    assert LessonProgress.select().count() == 0


def test_dashboard_counts_learners_and_help_requests(teacher, ids):
    assert "2 learners" in teacher.get("/teach/").get_data(as_text=True)
    record([event("help_requested")], ids["ben"])
    page = teacher.get("/teach/").get_data(as_text=True)
    assert '<strong class="needs-help">1 needs help</strong>' in page


def test_times_are_shown_in_the_kits_time_zone(monkeypatch):
    import time

    from kit.web.teach import kit_time

    monkeypatch.setenv("TZ", "EAT-3")  # POSIX rule for UTC+3: needs no tzdata
    time.tzset()
    try:
        assert kit_time(dt.datetime(2026, 3, 1, 9, 30)) == "2026-03-01 12:30"
        assert kit_time(dt.datetime(2026, 3, 1, 9, 30), "time") == "12:30"
        assert kit_time(None) == ""
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_times_are_written_as_the_pages_language_writes_them(teach_app, monkeypatch):
    import time

    from kit.web.teach import kit_time

    monkeypatch.setenv("TZ", "EAT-3")
    time.tzset()
    when = dt.datetime(2026, 3, 1, 9, 30)
    written = {
        "en": ("Mar 1, 2026 12:30", "12:30"),
        "fr": ("1 mars 2026 12:30", "12:30"),
        "sw": ("1 Mac 2026 12:30", "12:30"),
        "wo": ("1 Mar, 2026 12:30", "12:30"),
        "bn": ("১ মার্চ, ২০২৬ ১২:৩০", "১২:৩০"),  # CLDR's default digits for Bangla
    }
    try:
        for lang, (expected, clock) in written.items():
            with teach_app.test_request_context(headers={"Accept-Language": lang}):
                assert kit_time(when) == expected and kit_time(when, "time") == clock
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
