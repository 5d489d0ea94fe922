"""Presence and joins cost the shared writer little: polls write no transaction of their own,
a join is one event stored once, and every event a live class must leave is still recorded."""

import datetime as dt
import html
import re
import time
import uuid

import pytest
from peewee import fn

from kit.db import database, write
from kit.live import presence, room
from kit.models import Attendance, Event, LiveClass, LiveMember

from .conftest import act
from .test_live_room import answer
from .test_live_state import poll

TOKEN = re.compile(r'data-token="([^"]+)"')


@pytest.fixture(autouse=True)
def _no_notes_from_other_tests():
    presence.flush()  # notes left by an earlier test's kit, and a fresh flush time
    yield
    presence.flush()


@pytest.fixture
def transactions(monkeypatch):
    """Count write transactions (BEGIN IMMEDIATE) from here on, whoever starts them."""
    begun = []
    real = database.begin

    def counting(*args, **kwargs):
        begun.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(database, "begin", counting)
    return begun


def _seen_at():
    return dict(LiveMember.select(LiveMember.learner, LiveMember.seen_at).tuples())


def test_a_join_is_one_transaction_and_its_event_is_stored_once(learners, live, ids, transactions):
    live_uuid = poll(learners["ada"]).get_json()["live"]["id"]
    assert len(transactions) == 1  # the event writer's: the member row and attendance ride in it
    joined = list(Event.select().where(Event.kind == "live_joined"))
    assert [e.uuid for e in joined] == [presence.join_uuid(live_uuid, ids["ada"])]
    session_id = LiveClass.get_by_id(live).session_id
    assert list(Attendance.select(Attendance.learner).where(Attendance.session == session_id).tuples()) == [
        (ids["ada"],)
    ]
    # A second poll racing the first (both saw no member row) records the same event: a no-op.
    live_row = room.learner_live(_learner(ids["ada"]))
    room._join(live_row, ids["ada"])
    assert Event.select().where(Event.kind == "live_joined").count() == 1
    assert LiveMember.select().count() == 1
    assert Attendance.select().where(Attendance.session == session_id).count() == 1


def test_polls_note_presence_and_one_poll_writes_every_tablets_note(
    learners, live, ids, transactions, monkeypatch
):
    for name in ("ada", "ben", "cy"):
        poll(learners[name])
    with write():  # every tablet last written long ago
        LiveMember.update(seen_at=LiveMember.seen_at - 100).execute()
    monkeypatch.setattr(presence, "FLUSH_S", 0.5)
    presence.flush()
    transactions.clear()
    for _ in range(3):
        for name in ("ada", "ben", "cy"):
            assert poll(learners[name]).status_code == 200
    assert transactions == []  # nine polls, no write
    old = time.time() - 50
    assert all(seen < old for seen in _seen_at().values())
    time.sleep(0.6)
    poll(learners["ada"])
    assert len(transactions) == 1  # one poll wrote Ben's and Cy's presence with Ada's
    now = time.time()
    assert all(now - 5 <= seen <= now + 1 for seen in _seen_at().values()), _seen_at()


def test_a_note_never_moves_presence_back(learners, live, ids):
    poll(learners["ada"])
    later = int(time.time()) + 30  # another worker wrote a newer time meanwhile
    with write():
        LiveMember.update(seen_at=later).execute()
    presence.seen(LiveMember.get().live_id, ids["ada"], later - 20)
    presence.flush()
    assert _seen_at() == {ids["ada"]: later}


def test_ending_counts_a_tablet_whose_presence_is_only_noted(learners, teacher, live, ids):
    poll(learners["ada"])
    with write():  # the table says Ada went away long ago...
        LiveMember.update(seen_at=LiveMember.seen_at - 100).execute()
    poll(learners["ada"])  # ...but her tablet is here: noted, not yet written
    assert teacher.post(f"/teach/live/{live}/end").status_code == 302
    left = list(Event.select().where(Event.kind == "live_left"))
    assert [e.learner_id for e in left] == [ids["ada"]]


def test_every_live_event_is_recorded_once_through_a_whole_class(learners, teacher, live, ids):
    """joined, page shown, answer, hand raised, left: each arrives, none twice."""
    for _ in range(4):  # polls after the first are presence only
        live_uuid = poll(learners["ada"]).get_json()["live"]["id"]
        poll(learners["ben"])
    act(teacher, live, "goto", step=1)
    page = learners["ada"].get("/live").get_data(as_text=True)
    token = html.unescape(TOKEN.search(page).group(1))
    shown = {
        "uuid": str(uuid.uuid4()),
        "kind": "live_page_shown",
        "pack_id": "mini",
        "lesson_id": "01-count",
        "device_time": dt.datetime.now(dt.UTC).isoformat(),
        "boot_id": "tablet-boot",
        "mono_ms": 1,
        "payload": {"live": live_uuid, "page": 1},
    }
    for _ in range(2):  # sent again after a lost answer: stored once
        stored = learners["ada"].post("/api/v1/events", json={"token": token, "events": [shown]})
        assert stored.status_code == 200, stored.get_json()
    act(teacher, live, "poll")
    assert answer(learners["ada"], live_uuid, 1, ["yes"], str(uuid.uuid4())).status_code == 200
    assert answer(learners["ben"], live_uuid, 1, ["no"]).status_code == 200
    assert learners["ben"].post("/api/v1/live/hand", json={"live": live_uuid, "up": True}).status_code == 200
    assert teacher.post(f"/teach/live/{live}/end").status_code == 302
    kinds = dict(
        Event.select(Event.kind, fn.COUNT(Event.seq))
        .where(Event.kind.startswith("live_"))
        .group_by(Event.kind)
        .tuples()
    )
    assert kinds == {
        "live_joined": 2,
        "live_page_shown": 1,
        "live_answer": 2,
        "live_hand": 1,
        "live_left": 2,
    }


def _learner(learner_id):
    from kit.models import Learner

    return Learner.get_by_id(learner_id)
