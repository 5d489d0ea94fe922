"""Class-session minutes never exceed what happened, and who signed in during a session came.

Programmes report these minutes as hours of training: a figure that grows past the
session's own length is a false report, whatever the rounding.
"""

import datetime as dt
import random
import uuid

import pytest

from kit import class_sessions
from kit.class_sessions import LATE_GRACE_S, whole_minutes
from kit.db import write
from kit.models import Attendance, ClassSession, Event

from .helpers import post


def _session_with_events(class_id, length_s, events):
    """A session `length_s` long that has just ended, with events at the given offsets
    (seconds after its start) per learner id. Returns the ended session."""
    sess = class_sessions.start_session(class_id)
    start = sess.started_at - dt.timedelta(seconds=length_s)
    with write():
        ClassSession.update(started_at=start).where(ClassSession.id == sess.id).execute()
        for learner_id, offsets in events.items():
            for offset in offsets:
                Event.create(
                    uuid=str(uuid.uuid4()),
                    learner=learner_id,
                    pack_id="mini",
                    lesson_id="01-count",
                    kind="page_viewed",
                    payload={"page": 0},
                    received_at=start + dt.timedelta(seconds=offset),
                )
    return class_sessions.end_session(sess.id)


def _minutes():
    return {a.learner_id: a.minutes for a in Attendance.select()}


@pytest.mark.parametrize(
    "seconds, minutes", [(0, 0), (29, 0), (29.9, 0), (30, 1), (59, 1), (89, 1), (90, 2), (3600, 60)]
)
def test_whole_minutes_rounds_half_up(seconds, minutes):
    assert whole_minutes(seconds) == minutes


def test_a_short_session_reports_no_minute_nobody_spent(teach_app, ids):
    # 20 seconds: Ada tapped once, Ben twice 10 s apart. The old max(1, ...) made it
    # 2 minutes of learning in a session of 0.
    ended = _session_with_events(ids["class"], 20, {ids["ada"]: [5], ids["ben"]: [5, 15]})
    assert ended.summary["duration_minutes"] == 0
    assert _minutes() == {ids["ada"]: 0, ids["ben"]: 0}
    assert ended.summary["learning_minutes"] == 0
    assert ended.summary["attended"] == 2  # they came: attendance, not minutes


def test_events_arriving_after_the_end_do_not_stretch_a_learner_past_the_session(teach_app, ids):
    # A 3-minute session; Ada's tablet worked to the end and its queue drained 100 s later.
    sess = class_sessions.start_session(ids["class"])
    start = sess.started_at - dt.timedelta(minutes=3)
    with write():
        ClassSession.update(started_at=start).where(ClassSession.id == sess.id).execute()
    ended = class_sessions.end_session(sess.id)
    with write():
        for offset in (0, 60, 120, 180 + 100):
            Event.create(
                uuid=str(uuid.uuid4()),
                learner=ids["ada"],
                pack_id="mini",
                lesson_id="01-count",
                kind="page_viewed",
                payload={"page": 0},
                received_at=start + dt.timedelta(seconds=offset),
            )
    live = class_sessions.live_attendance(ClassSession.get_by_id(ended.id))
    assert 100 < LATE_GRACE_S and live[ids["ada"]] == ended.summary["duration_minutes"] == 3


def test_no_learner_ever_gets_more_minutes_than_the_session_lasted(teach_app, ids):
    rng = random.Random(11)
    for _round in range(12):
        Attendance.delete().execute()
        length = rng.randint(1, 900)
        events = {
            learner: sorted(rng.uniform(0, length) for _ in range(rng.randint(1, 25)))
            for learner in (ids["ada"], ids["ben"])
        }
        ended = _session_with_events(ids["class"], length, events)
        for learner, minutes in _minutes().items():
            assert minutes <= ended.summary["duration_minutes"], (length, events[learner], minutes)
        assert ended.summary["learning_minutes"] <= 2 * ended.summary["duration_minutes"]


def test_a_learner_who_signs_in_during_a_session_is_present_without_opening_a_lesson(teach_app, teacher, ids):
    from tests.learn.test_pages import sign_in

    tablet = teach_app.test_client()
    sign_in(tablet, ids["ada"], ids["class"])  # before the session: not counted
    started = post(teacher, f"/teach/classes/{ids['class']}/sessions", page=f"/teach/classes/{ids['class']}")
    assert Attendance.select().count() == 0
    sign_in(tablet, ids["ben"], ids["class"])
    sign_in(tablet, ids["ben"], ids["class"])  # twice: still one row
    live = teacher.get(started.location).get_data(as_text=True)
    assert "Mark Ben absent" in live and "Mark Ada present" in live
    assert "1 of 2 learners here" in live
    part = teacher.get(started.location + "/attendance")
    assert part.status_code == 200 and "Mark Ben absent" in part.get_data(as_text=True)
    assert "<html" not in part.get_data(as_text=True)  # the list alone, for session.js
    post(teacher, started.location + "/end", page=started.location)
    assert _minutes() == {ids["ben"]: 0}
    summary = teacher.get(started.location).get_data(as_text=True)
    assert "1 of 2 learners" in summary and Event.select().count() == 0
